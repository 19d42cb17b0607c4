"""Bring a database to the latest schema with the Alembic migrations shipped in this package."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alerts.db.engine import make_engine
from alerts.db.tables import Base

MIGRATIONS = Path(__file__).parent / "migrations"
# Our own version table, so the alerts schema can share a database with other Alembic users.
VERSION_TABLE = "alerts_alembic_version"
# Alembic's ``context`` and ``op`` are module-level proxies: one migration per process at a time.
# Across processes, env.py takes a PostgreSQL advisory lock (SQLite serialises writers itself).
_LOCK = threading.Lock()


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    rev = ScriptDirectory.from_config(config()).get_current_head()
    assert rev is not None
    return rev


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def upgrade_engine(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    # env.py runs the migrations on this connection (Alembic's connection-sharing recipe), so
    # the caller's engine settings (SQLite pragmas, pool) apply and no URL is re-parsed.
    cfg = config()
    with _LOCK, engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def upgrade(url: str, revision: str = "head") -> str:
    """Upgrade the database at ``url`` to ``revision`` (idempotent); returns the revision now
    current."""
    return _migrate(url, revision, down=False)


def downgrade(url: str, revision: str) -> str:
    """Undo migrations down to ``revision`` ("base": drop every alerts table)."""
    return _migrate(url, revision, down=True)


def _migrate(url: str, revision: str, *, down: bool) -> str:
    engine = make_engine(url)
    try:
        upgrade_engine(engine, revision, down=down)
        return current(engine) or ""
    finally:
        engine.dispose()


def diff(engine: Engine) -> list[object]:
    """What the database's schema lacks or has more than the models (Alembic's autogenerate
    comparison); empty when the migrations and ``alerts.db.tables`` agree."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"version_table": VERSION_TABLE, "compare_type": True}
        )
        return list(compare_metadata(ctx, Base.metadata))
