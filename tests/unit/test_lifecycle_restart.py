"""Restarts: a new engine over the same store carries on, replayed events and repeated ticks
queue nothing twice, and a crash during a unit of work writes none of it, so the retry sends
each message once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from alerts.lifecycle import Engine
from alerts.memory import MemoryStore
from alerts.model import Alert, Change, Group, OutboxItem
from schemas.alerts import AlertEvent
from tests.lifecycle_helpers import T0, Run, event, minutes
from tests.unit.test_lifecycle_escalation import CFG, PAGE

EVENTS: list[AlertEvent] = [
    event("crisis_burst", kind="crisis", severity="critical", at=T0),
    event("sla_breach", kind="sla", ticket="TK-1", at=T0 + minutes(1)),
    event("csat_low", store="S002", at=T0 + minutes(2)),
    event("csat_low", store="S002", at=T0 + minutes(3), starts_at=T0 + minutes(2)),
    event("crisis_burst", "resolved", kind="crisis", severity="critical", at=T0 + minutes(25),
          starts_at=T0),
    event("csat_low", "resolved", store="S002", at=T0 + minutes(50), starts_at=T0 + minutes(2)),
]  # fmt: skip
TICKS = [T0 + timedelta(seconds=s) for s in range(0, 4 * 3600, 20)]


def drive(run: Run, until: datetime | None = None, since: datetime | None = None) -> None:
    """Events and 20-second ticks in time order, within [since, until)."""
    steps: list[tuple[datetime, int, AlertEvent | None]] = [
        *((e.observed_at, 0, e) for e in EVENTS),
        *((t, 1, None) for t in TICKS),
    ]
    for at, _, e in sorted(steps, key=lambda s: (s[0], s[1])):
        if (since and at < since) or (until and at >= until):
            continue
        if e is not None:
            run.apply(e)
        else:
            run.engine.tick(run.store, at)


def keys(store: MemoryStore) -> list[str]:
    return [i.key for i in reversed(store.outbox(limit=10_000))]


def test_a_new_engine_over_the_same_store_replays_without_duplicates() -> None:
    whole = Run(CFG)
    drive(whole)
    expected = keys(whole.store)
    assert len(expected) >= 6  # pages, escalations, resolved notices: a real scenario

    first = Run(CFG)
    cut = T0 + minutes(30)
    drive(first, until=cut)
    before = keys(first.store)
    # Restart: a fresh engine; the streams replay everything from the start (at-least-once).
    second = Run(CFG, store=first.store)
    assert second.engine is not first.engine
    drive(second, until=cut)
    assert keys(second.store) == before  # nothing new from the replay
    drive(second, since=cut)
    assert keys(second.store) == expected
    assert len(set(expected)) == len(expected)


class FlakyStore(MemoryStore):
    """The database goes away during the next commit of a unit of work: nothing of it is
    written (the SQL store commits it as one transaction)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail = False

    def commit(
        self,
        alerts: Sequence[Alert],
        changes: Sequence[Change],
        groups: Sequence[Group],
        outbox: Sequence[OutboxItem],
    ) -> set[str]:
        if self.fail:
            self.fail = False
            raise OSError("database went away")
        return super().commit(alerts, changes, groups, outbox)


def test_a_crash_while_paging_writes_nothing_and_the_retry_pages_once() -> None:
    store = FlakyStore()
    run = Run(CFG, store=store)
    run.apply(EVENTS[0])
    store.fail = True
    with pytest.raises(OSError):
        run.engine.tick(store, PAGE)
    assert keys(store) == []
    Engine(CFG).tick(store, PAGE + timedelta(seconds=20))  # restarted, a little later
    assert len(keys(store)) == 1
    assert [g.next_flush_at for g in store.groups()] == [PAGE + timedelta(hours=4)]


def test_a_crash_while_escalating_writes_nothing_and_the_retry_escalates_once() -> None:
    store = FlakyStore()
    run = Run(CFG, store=store)
    run.apply(EVENTS[0])
    run.engine.tick(store, PAGE)
    store.fail = True
    with pytest.raises(OSError):
        run.engine.tick(store, PAGE + minutes(10))
    assert len(keys(store)) == 1
    Engine(CFG).tick(store, PAGE + minutes(11))
    assert len(keys(store)) == 2
    a = store.get(EVENTS[0].fingerprint)
    assert a is not None and a.escalation_step == 1
    assert a.next_escalation_at == PAGE + minutes(20)  # the schedule did not slip by a minute
