"""The SQLAlchemy engine for a database URL, shared by the store and the migrations."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

DEFAULT_URL = "sqlite:///.cxpulse/alerts.db"


def make_engine(url: str) -> Engine:
    """An engine for ``url``: psycopg 3 for plain ``postgresql://`` (SQLAlchemy would pick
    psycopg2, which we do not ship); SQLite in WAL mode with foreign keys on."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() != "sqlite":
        return create_engine(u, pool_pre_ping=True)
    if u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u)
    else:
        # In memory (tests): one shared connection, or each thread would see its own empty
        # database. Not for concurrent use.
        engine = create_engine(u, poolclass=StaticPool, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(conn: DBAPIConnection, _: ConnectionPoolEntry) -> None:
        cur = conn.cursor()
        # WAL: the API's reads never wait for the worker's writes (and vice versa);
        # busy_timeout: two writers queue up instead of failing with "database is locked".
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    return engine
