"""Stores with no event for ``intake.forget_stores_after`` are dropped: in the core's step, in
the replay runner and in the worker (its table, its changelog, its decoded order and its
series), unless one of their alerts still fires."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from cxpulse.config import Settings
from schemas.events import event_time
from streams import wiring
from streams.config import StreamSettings
from streams.core.intake import Message
from streams.core.sla.engine import Engine
from streams.core.step import Pipeline
from streams.core.store import StoreState
from streams.replay import read_events, replay
from streams.worker.compressed import Decoded
from tests.helpers import T0, feedback, line
from tests.unit.test_worker_shell import NOW, Ev, Msg, Store, ev, make, timer_app

DAY = 86400.0
AFTER = 90 * DAY  # the default


class Shell:
    """A pipeline over a plain dict, written through after every message and tick."""

    def __init__(self, after: float | None = AFTER) -> None:
        self.settings = Settings()
        self.settings.intake.forget_stores_after = after
        self.settings.intake.max_behind = 400 * DAY  # events a season apart are all admitted
        self.stores: dict[str, StoreState] = {}
        self.loads: list[str] = []
        self.pipe = Pipeline(
            self.settings.intake,
            wiring.signals(self.settings),
            Engine(self.settings.sla),
            self._load,
            lambda key: None,
        )

    def _load(self, store_id: str) -> StoreState | None:
        self.loads.append(store_id)
        return self.stores.get(store_id)

    def send(self, i: int, days: float, store: str = "S1") -> float:
        ev = feedback(i, 5, store=store, at=T0 + timedelta(days=days))
        ts = event_time_of(ev)
        out = self.pipe.message(Message(line(ev), store.encode(), None, ts), 0, ts)
        assert out.outcome == "applied"
        self._write()
        return ts

    def tick(self, now: float) -> dict[str, int]:
        self.pipe.tick(0, now)
        return self._write()

    def _write(self) -> dict[str, int]:
        changes = self.pipe.take_changes()
        self.stores.update({k: st for k, (_, st) in changes.stores.items()})
        for key in changes.forgotten:
            del self.stores[key]
        return changes.forgotten


def event_time_of(ev: dict[str, Any]) -> float:
    return event_time(read_events([line(ev)])[0].decoded)  # type: ignore[arg-type]


def test_a_store_quiet_for_the_set_time_is_forgotten_and_begins_afresh() -> None:
    s = Shell()
    last = s.send(1, 0)
    s.send(2, 0, store="S2")
    assert s.pipe.next_tick(0, last + AFTER - 1) is None
    assert s.tick(last + AFTER - 1) == {}
    assert s.pipe.next_tick(0, last + AFTER) == last + AFTER
    assert s.tick(last + AFTER + 60) == {"S1": 0, "S2": 0}
    assert s.stores == {} and s.pipe.tally.stores_forgotten == 2
    s.send(3, 100)
    fresh = s.stores["S1"]
    assert sum(len(ids) for ids in fresh.seen["feedback"].values()) == 1  # only the new one
    assert list(fresh.clocks.values()) == [last + 100 * DAY]


def test_an_event_since_moves_the_store_on_without_reading_it_per_event() -> None:
    s = Shell()
    first = s.send(1, 0)
    s.loads.clear()
    later = s.send(2, 50)
    assert s.pipe.expiry[0].peek() == first + AFTER  # set once, at the first event
    assert s.tick(first + AFTER) == {}  # looked at: an event came since
    assert s.pipe.expiry[0].peek() == later + AFTER
    assert s.tick(later + AFTER) == {"S1": 0}


def test_a_store_whose_alert_still_fires_is_kept_and_looked_at_a_day_later() -> None:
    s = Shell()
    last = s.send(1, 0)
    s.stores["S1"].firing["csat_low:S1"] = last
    assert s.tick(last + AFTER) == {}
    assert s.pipe.expiry[0].peek() == last + AFTER + DAY
    s.stores["S1"].firing.clear()  # resolved
    assert s.tick(last + AFTER + DAY) == {"S1": 0}


def test_a_store_held_by_the_shell_is_watched_from_when_it_was_taken_over() -> None:
    s = Shell()
    last = s.send(1, 0)
    s.pipe.drop(0)  # the partition went away, and came back after a restart
    assert s.pipe.next_tick(0, last + 10 * AFTER) is None
    s.pipe.watch(0, "S1", last + 10 * DAY)  # read from the changelog: newest event unknown
    assert s.tick(last + 10 * DAY) == {}  # its newest event says: not yet
    assert s.pipe.expiry[0].peek() == last + AFTER
    assert s.tick(last + AFTER) == {"S1": 0}


def test_a_store_forgotten_and_begun_again_in_one_batch_is_written_not_dropped() -> None:
    s = Shell()
    last = s.send(1, 0)
    s.pipe.tick(0, last + AFTER)
    ev = feedback(2, 5, at=T0 + timedelta(days=91))
    ts = event_time_of(ev)
    assert s.pipe.message(Message(line(ev), b"S1", None, ts), 0, ts).outcome == "applied"
    changes = s.pipe.take_changes()
    assert changes.forgotten == {}
    state = changes.stores["S1"][1]
    assert list(state.clocks.values()) == [ts]  # begun afresh, not the old state


def test_never_forgotten_when_switched_off() -> None:
    s = Shell(after=None)
    last = s.send(1, 0)
    assert s.tick(last + 10 * AFTER) == {} and s.pipe.expiry == {}
    s.pipe.watch(0, "S1", last)
    assert s.pipe.expiry == {}


def test_the_settings_refuse_a_time_shorter_than_what_the_counters_keep() -> None:
    with pytest.raises(ValidationError, match="forget_stores_after is 30 days"):
        StreamSettings.model_validate({"intake": {"forget_stores_after": 30 * DAY}})
    assert StreamSettings.model_validate({"intake": {"forget_stores_after": None}})


def test_replay_forgets_a_quiet_store_as_the_worker_does() -> None:
    settings = Settings()
    settings.intake.max_behind = 400 * DAY
    events = [feedback(0, 5, store="S1")]
    events += [feedback(d, 5, store="S2", at=T0 + timedelta(days=d)) for d in range(1, 96)]
    events += [feedback(1, 5, store="S1", at=T0 + timedelta(days=95, hours=1))]
    result = replay(read_events([line(e) for e in events]), settings)
    again = result.stores["S1"]
    assert sum(len(ids) for ids in again.seen["feedback"].values()) == 1
    assert len(result.stores["S2"].clocks) == 1


def test_the_worker_drops_a_quiet_store_from_its_table_changelog_and_series() -> None:
    w = make()
    w.decoded = Decoded(None)
    w.handle_batch([ev(1, store="S1"), ev(2, store="S2")])
    last = w.state(b"S1").watermark
    assert last is not None
    w.snapshots.changed(b"S1")
    due = last + w.pipe.intake.forget_stores_after  # type: ignore[operator]
    w.handle_batch([Ev(Msg(w.topics.ticks, b"", repr(due - 1).encode()))])
    assert b"S1" in w.table.data
    w.handle_batch([Ev(Msg(w.topics.ticks, b"", repr(due + 60).encode()))])  # S2's is 1 min on
    assert b"S1" not in w.table.data and b"S2" not in w.table.data
    assert b"S1" not in w.decoded.order and b"S1" not in w.snapshots.unshown
    assert (0, b"S1") in w.table.changelog[-2:]
    assert w.table.wire[-1] == (None, {"value_serializer": "raw"})  # a tombstone each
    assert w.metrics.stores_forgotten._value.get() == 2


def test_a_worker_given_a_partition_watches_every_store_it_holds_of_it() -> None:
    w = make()
    held = Store()
    w.table.data = held
    for key, partition in ((b"S8", 0), (b"S9", 1)):  # as recovered from the changelog
        held[key], held._key_partition[key] = b"{}", partition
    w.app = timer_app(0)
    w.on_timer()
    assert list(w.pipe.expiry) == [0] and "S8" in w.pipe.expiry[0]
    assert w.pipe.expiry[0].peek() == NOW + AFTER  # from now: nothing decoded to find out
