"""Alembic environment of the alerts schema. Run through ``alerts.db.migrate`` (which passes a
connection), or with the ``alembic`` tool and ``-x url=...``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from alerts.db.engine import make_engine
from alerts.db.migrate import VERSION_TABLE
from alerts.db.tables import Base

# Any fixed number: the key of the PostgreSQL advisory lock held while migrating.
LOCK_KEY = 0x6378_616C  # "cxal"


def run(conn: Connection) -> None:
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        compare_type=True,
        render_as_batch=conn.dialect.name == "sqlite",  # SQLite's ALTER TABLE is limited
    )
    with context.begin_transaction():
        if conn.dialect.name == "postgresql":
            # Two processes starting on a fresh database (worker and API) migrate one after the
            # other: the second waits here, then finds the schema at head and does nothing.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        context.run_migrations()


def main() -> None:
    conn = context.config.attributes.get("connection")
    if conn is not None:
        run(conn)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("no database: pass -x url=... or set sqlalchemy.url")
    engine = make_engine(url)
    with engine.begin() as c:
        run(c)
    engine.dispose()


main()
