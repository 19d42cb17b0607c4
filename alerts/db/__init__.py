"""Persistence of the alert lifecycle: SQLAlchemy 2 tables, Alembic migrations and ``SqlStore``
(the ``alerts.ports.AlertStore`` protocol). SQLite by default, PostgreSQL in production."""

from alerts.db.engine import DEFAULT_URL
from alerts.db.migrate import upgrade
from alerts.db.store import SqlStore

__all__ = ["DEFAULT_URL", "SqlStore", "upgrade"]
