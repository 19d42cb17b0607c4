"""Persistence of the alert lifecycle: SQLAlchemy 2 tables, Alembic migrations and ``SqlStore``
(the ``alerts.ports.AlertStore`` protocol). SQLite by default, PostgreSQL in production."""

from alerts.db.migrate import upgrade
from alerts.db.store import DEFAULT_URL, SqlStore

__all__ = ["DEFAULT_URL", "SqlStore", "upgrade"]
