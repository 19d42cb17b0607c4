"""A store quiet for ``intake.forget_stores_after`` is forgotten by the real worker: gone from
its table, tombstoned on the changelog, and so not back after a restart (the core's side is
tests/unit/test_quiet_stores.py)."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kafka import KafkaConsumer

from tests.helpers import feedback, line
from tests.integration.conftest import Env, lag
from tests.waiting import wait_for

pytestmark = pytest.mark.kafka

DAY = 86400


def test_a_quiet_store_is_forgotten_on_the_changelog_and_stays_gone_after_a_restart(
    env: Env, offsets: KafkaConsumer
) -> None:
    """With room for two stores: a store whose only event is 91 days old (past the 90-day
    default) is forgotten at once and frees its place, and after a restart the recovered table
    holds the two stores begun since, not it: its next event is parked at the limit."""
    now = datetime.now(UTC)
    limits = {
        "CXPULSE_INTAKE__MAX_STORES": "2",
        # an event that old is refused by default (35 days); a backfill raises the bound
        "CXPULSE_INTAKE__MAX_BEHIND": str(100 * DAY),
    }
    worker = env.start_worker(**limits)
    old = feedback(1, 5, store="OLD", at=now - timedelta(days=91))
    env.produce([("feedback", b"OLD", line(old))])
    wait_for(
        lambda: (env.metric("cxpulse_stores_forgotten_total") or 0) >= 1,
        what="the quiet store forgotten",
        explain=env.log,
    )
    env.produce(
        [("feedback", s.encode(), line(feedback(1, 4, store=s, at=now))) for s in ("S1", "S2")]
    )
    for store in ("S1", "S2"):
        wait_for(
            lambda: env.metric("cxpulse_store_ratings", store_id=store, window="24h") == 1,  # noqa: B023
            what=f"{store} begun in the forgotten store's place",
            explain=env.log,
        )
    assert env.metric("cxpulse_events_invalid_total", reason="store_limit") is None
    wait_for(lambda: lag(env, offsets)[1] == 0, what="every offset committed (stores written)")
    newest = env.newest("store-state")
    assert b"OLD" in newest and newest[b"OLD"] is None  # a tombstone: compaction drops it

    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    env.start_worker(**limits)
    again = feedback(2, 1, store="OLD", at=now)
    env.produce([("feedback", b"OLD", line(again))])
    parked: list[Any] = env.consume("dlq", 1)
    # a set: at least once, a restart's rebalance may park the same event twice
    assert {(m.key, dict(m.headers)["cxpulse.error.code"]) for m in parked} == {
        (b"OLD", b"store_limit")
    }
    for store in ("S1", "S2"):
        wait_for(
            lambda: env.metric("cxpulse_store_ratings", store_id=store, window="24h") == 1,  # noqa: B023
            what=f"{store} recovered",
            explain=env.log,
        )
