"""The console's queries on a real PostgreSQL server (Debian's, started by ``pg_fixture``):
the same list, filter, search and count checks as on SQLite, and the migration that fills the
search text of alerts stored before it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from alerts.db import SqlStore
from alerts.db.migrate import upgrade
from alerts.model import AlertQuery
from tests.console_helpers import PHONE
from tests.integration.pg_fixture import (  # noqa: F401  (pg_url, postgres: fixtures)
    pg_url,
    postgres,
)
from tests.unit import test_console_list as listing

pytestmark = pytest.mark.postgres


def test_tabs_filters_and_search(pg_url: str) -> None:  # noqa: F811
    listing.test_tabs_filters_and_search(SqlStore(pg_url))


def test_assignee_and_silenced_tabs(pg_url: str) -> None:  # noqa: F811
    listing.test_assignee_and_silenced_tabs(SqlStore(pg_url))


def test_resolved_alerts_are_listed_but_not_counted(pg_url: str) -> None:  # noqa: F811
    listing.test_resolved_alerts_are_listed_but_not_counted(SqlStore(pg_url))


def test_the_migration_fills_the_search_text(pg_url: str) -> None:  # noqa: F811
    assert upgrade(pg_url, "0004") == "0004"
    store = SqlStore(pg_url, migrate=False)
    with store.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO alerts (fingerprint, rule, kind, severity, state, labels, "
                '"values", summary_zh, summary_en, starts_at, last_seen, count, '
                "escalation_step, version) VALUES ('00000000000000aa', 'crisis', 'crisis', "
                "'critical', 'firing', '{}', '{}', :zh, 'Store S7 crisis', "
                "'2026-11-23 04:00:00+00', '2026-11-23 04:00:00+00', 1, 0, 1)"
            ),
            {"zh": f"门店 S7 危机，客户 {PHONE}"},
        )
    store.close()
    store = SqlStore(pg_url)
    assert [a.fingerprint for a in store.search(AlertQuery(text="s7 CRISIS"))] == [
        "00000000000000aa"
    ]
    assert not store.search(AlertQuery(text=PHONE))
    assert store.tab_counts(AlertQuery()) == {"firing": 1, "acknowledged": 0, "silenced": 0}
    store.close()
