"""The console's migration (assignee, search text, tab-count index): alerts stored before it
become searchable, by their masked text, and it undoes cleanly."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from alerts.db import SqlStore
from alerts.db.migrate import downgrade, upgrade
from alerts.model import AlertQuery
from tests.console_helpers import PHONE


def migrate_an_old_alert(url: str, stamp: str) -> SqlStore:
    """An alert written by the schema before the console's migration (0004), then the store
    migrated to the latest: its search text must be filled, masked. ``stamp``: a timestamp
    literal as the backend stores it. Returns the migrated store (the caller closes it)."""
    assert upgrade(url, "0004") == "0004"
    store = SqlStore(url, migrate=False)
    with store.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO alerts (fingerprint, rule, kind, severity, state, labels, "
                '"values", summary_zh, summary_en, starts_at, last_seen, count, '
                "escalation_step, version) VALUES ('00000000000000aa', 'crisis', 'crisis', "
                "'critical', 'firing', '{}', '{}', :zh, 'Store S7 crisis', :at, :at, 1, 0, 1)"
            ),
            {"zh": f"门店 S7 危机，客户 {PHONE}", "at": stamp},
        )
    store.close()
    assert upgrade(url, "0005") == "0005"
    store = SqlStore(url)
    assert [a.fingerprint for a in store.search(AlertQuery(text="s7 CRISIS"))] == [
        "00000000000000aa"
    ]
    assert store.search(AlertQuery(text="138****5678"))
    assert not store.search(AlertQuery(text=PHONE))  # the raw number is not searchable
    return store


def test_alerts_stored_before_the_migration_are_searchable_masked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    migrate_an_old_alert(url, "2026-11-23 04:00:00").close()
    assert downgrade(url, "0004") == "0004"
