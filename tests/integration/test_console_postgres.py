"""The console's queries on a real PostgreSQL server (Debian's, started by ``pg_fixture``):
the same list, filter, search and count checks as on SQLite, and the migration that fills the
search text of alerts stored before it."""

from __future__ import annotations

import pytest

from alerts.db import SqlStore
from alerts.model import AlertQuery
from tests.integration.pg_fixture import (  # noqa: F401  (pg_url, postgres: fixtures)
    pg_url,
    postgres,
)
from tests.unit import test_console_list as listing
from tests.unit.test_console_migration import migrate_an_old_alert

pytestmark = pytest.mark.postgres


def test_tabs_filters_and_search(pg_url: str) -> None:  # noqa: F811
    listing.test_tabs_filters_and_search(SqlStore(pg_url))


def test_assignee_and_silenced_tabs(pg_url: str) -> None:  # noqa: F811
    listing.test_assignee_and_silenced_tabs(SqlStore(pg_url))


def test_resolved_alerts_are_listed_but_not_counted(pg_url: str) -> None:  # noqa: F811
    listing.test_resolved_alerts_are_listed_but_not_counted(SqlStore(pg_url))


def test_the_migration_fills_the_search_text(pg_url: str) -> None:  # noqa: F811
    store = migrate_an_old_alert(pg_url, "2026-11-23 04:00:00+00")
    assert store.tab_counts(AlertQuery()) == {"firing": 1, "acknowledged": 0, "silenced": 0}
    store.close()
