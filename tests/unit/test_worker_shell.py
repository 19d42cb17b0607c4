"""The Faust shell's batch handling, with the Kafka-facing parts replaced by recorders.

The real worker runs against the real broker in tests/integration; this covers what a broker
cannot easily provoke: a processor bug on one event."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cxpulse.config import Settings
from schemas import deadletter as dl
from streams.core.rollup.model import Contribution, Mark
from streams.core.rollup.model import decode as rollup_decode
from streams.core.signals.config import SatisfactionConfig
from streams.core.snapshot import snapshot
from streams.core.store import csat_view
from streams.metrics import Metrics
from streams.topics import Topics
from streams.worker import app as worker_app
from streams.worker.assembly import assemble
from streams.worker.budget import Budget
from tests.helpers import T0, complaint, feedback, line


@dataclass
class Msg:
    topic: str
    key: bytes
    value: bytes
    partition: int = 0
    offset: int = 0
    timestamp: float = 0.0
    timestamp_type: int = 0  # 0: the producer's stamp, 1: the broker's (LogAppendTime)


@dataclass
class Ev:
    message: Msg


@dataclass
class Recorder:
    sent: list[dict[str, Any]] = field(default_factory=list)

    def send_soon(self, **kw: Any) -> None:
        self.sent.append(kw)


@dataclass
class Table:
    data: dict[bytes, Any] = field(default_factory=dict)
    changelog: list[tuple[int, bytes]] = field(default_factory=list)
    wire: list[tuple[Any, dict[str, str]]] = field(default_factory=list)

    def send_changelog(self, partition: int, key: bytes, value: Any, **serializer: str) -> None:
        self.changelog.append((partition, key))
        self.wire.append((value, serializer))


# The worker's own clock, a day after the test events: arrival bounds are judged against it.
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC).timestamp()


def make(complaints: Table | None = None, write_every: float = 0.0) -> worker_app.Worker:
    settings = Settings()
    settings.worker.state_write_every = write_every  # 0: each batch's writes, as they happen
    topics: dict[str, Recorder] = {}
    return assemble(
        settings,
        Metrics(),
        None,
        Topics.from_config(settings.kafka),
        store_table=Table(),
        complaint_table=complaints or Table(),
        topic=lambda name: topics.setdefault(name, Recorder()),
        clock=lambda: NOW,
    )


def timer_app(*partitions: int) -> Any:
    """The Faust app as the worker's timer reads it: settled, with these partitions of the
    feedback topic assigned."""
    from types import SimpleNamespace

    parts = [SimpleNamespace(topic="cx.feedback", partition=p) for p in partitions]
    return SimpleNamespace(
        rebalancing=False,
        assignor=SimpleNamespace(assigned_actives=lambda: parts),
        tables=SimpleNamespace(),
    )


def ev(i: int, rating: int = 5, store: str = "S1") -> Ev:
    return Ev(Msg("cx.feedback", store.encode(), line(feedback(i, rating, store=store)), offset=i))


def test_state_is_written_once_per_store_per_batch() -> None:
    w = make()
    w.handle_batch([ev(i, store=f"S{i % 2}") for i in range(10)])
    assert sorted(w.table.changelog) == [(0, b"S0"), (0, b"S1")]


def test_a_batchs_contributions_and_marks_reach_each_rollup_partition_as_one_message() -> None:
    w = make()
    assert w.rollups is not None
    out = w.rollups.topic
    w.handle_batch([ev(i, store=f"S{i % 3}") for i in range(9)])
    by_partition: dict[int, list[list[Any]]] = {}
    for m in out.sent:
        by_partition.setdefault(m["partition"], []).append(rollup_decode(m["value"]) or [])
    # One message per rollup partition for the batch, though its events cross a few rollup
    # steps (a mark each), all sent before the batch is acknowledged.
    assert sorted(by_partition) == list(range(w.rollups.partitions))
    assert all(len(messages) == 1 for messages in by_partition.values())
    flats = [[x for m in messages for x in m] for messages in by_partition.values()]
    applied = [c for flat in flats for c in flat if isinstance(c, Contribution)]
    assert [c.event_id for c in applied] == [f"S{i % 3}-fb-{i}" for i in range(9)]
    for flat in flats:
        assert len([x for x in flat if isinstance(x, Mark)]) > 1
        # A mark vouches for every event up to its time: the contributions it comes with in
        # its partition went before it.
        homed = [c for c in flat if isinstance(c, Contribution)]
        for i, mark in enumerate(flat):
            if isinstance(mark, Mark):
                sent = {c.event_id for c in flat[:i] if isinstance(c, Contribution)}
                assert {c.event_id for c in homed if c.at <= mark.at} <= sent


def test_processor_bug_parks_the_event_and_the_batch_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streams.core.sla import engine

    # The bug is in the SLA engine, which the step reaches by module attribute after the store
    # has counted the complaint: a patched compiled function (``streams.native``) would not
    # reach its compiled callers.
    def broken(*args: Any, **kw: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(engine, "on_event", broken)
    w = make()
    opened = complaint(1, at=T0 + timedelta(minutes=3))
    bad = Ev(Msg("cx.complaint", b"S1", line(opened), offset=0))
    w.handle_batch([ev(i) if i != 3 else bad for i in range(6)])
    (dead,) = w.dlq.sent
    headers = dict(dead["headers"])
    assert headers[dl.HEADER_CODE] == b"processing_error"
    assert b"ZeroDivisionError" in headers[dl.HEADER_REASON]
    assert dead["value"] == line(opened)
    assert csat_view(w.state(b"S1"), None, SatisfactionConfig()).ratings == 5
    assert "complaint" not in w.pipe.tally.consumed  # rolled back, not counted
    # once the bug is fixed, re-publishing the parked event counts it (it was not marked seen)
    monkeypatch.undo()
    w.handle_batch([bad])
    assert w.pipe.tally.consumed["complaint"] == 1 and len(w.dlq.sent) == 1


class Store(dict[bytes, Any]):
    """A Faust memory store: the data, and the partition of each key."""

    def __init__(self) -> None:
        super().__init__()
        self._key_partition: dict[bytes, int] = {}


def test_sla_state_is_held_packed_and_recovered_json_is_repacked() -> None:
    store = Store()
    table = Table(data=store)
    w = make(table)
    opened = {
        "event_id": "K1-1",
        "event_type": "complaint",
        "occurred_at": "2026-11-23T10:00:00+08:00",
        "source": "t",
        "store_id": "S1",
        "complaint_id": "K1",
        "action": "opened",
        "customer": {"tier": "vip"},
    }
    w.handle_batch([Ev(Msg("cx.complaint", b"S1", line(opened), partition=2))])
    held = table.data[b"S1|K1"]
    assert isinstance(held, bytes) and store._key_partition == {b"S1|K1": 2}
    state = w.sla.load("S1|K1")
    assert state is not None and state.next_due is not None and state.status == "open"
    # the changelog carries the JSON form, serialised here (what Faust's json codec reads back)
    ((wire, serializer),) = table.wire
    assert serializer == {"value_serializer": "raw"}
    assert json.loads(wire) == json.loads(json.dumps(state.to_json()))
    # a restarted worker: the table holds what the changelog carried (the JSON, as bytes), and
    # no deadline is indexed yet
    table.data[b"S1|K1"] = json.dumps(state.to_json()).encode()
    w.pipe.drop(2)
    w.sla.reindex({2}, NOW)
    assert table.data[b"S1|K1"] == held
    assert w.pipe.due[2].peek() == state.next_due


def test_a_closed_complaint_is_dropped_after_its_retention_with_a_tombstone() -> None:
    settings = Settings()
    store = Store()
    table = Table(data=store)
    w = make(table)

    def step(i: int, action: str, at: str) -> Ev:
        ev_ = {
            "event_id": f"K1-{i}",
            "event_type": "complaint",
            "occurred_at": at,
            "source": "t",
            "store_id": "S1",
            "complaint_id": "K1",
            "action": action,
        }
        return Ev(Msg("cx.complaint", b"S1", line(ev_), partition=1, offset=i))

    w.handle_batch(
        [
            step(1, "opened", "2026-11-23T10:00:00+08:00"),
            step(2, "agent_replied", "2026-11-23T10:05:00+08:00"),
            step(3, "resolved", "2026-11-23T11:00:00+08:00"),
            step(4, "follow_up_done", "2026-11-24T11:00:00+08:00"),
            step(5, "closed", "2026-11-24T11:05:00+08:00"),
        ]
    )
    closed = w.sla.load("S1|K1")
    assert closed is not None and closed.status == "closed" and closed.next_due is None
    forget = closed.log[-1][0] + settings.sla.closed_retention
    assert w.pipe.forget[1].peek() == forget
    tick = Ev(Msg(w.topics.ticks, b"", repr(forget - 1).encode(), partition=1))
    w.handle_batch([tick])
    assert b"S1|K1" in table.data  # one second early: kept
    w.handle_batch([Ev(Msg(w.topics.ticks, b"", repr(forget).encode(), partition=1))])
    assert b"S1|K1" not in store and b"S1|K1" not in store._key_partition
    assert table.wire[-1] == (None, {"value_serializer": "raw"})  # the tombstone


def test_a_state_that_cannot_be_encoded_stays_in_memory_and_still_dedupes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = make()

    def broken(self: Any) -> bytes:
        raise TypeError("Dict key must be str")

    monkeypatch.setattr("streams.core.store.StoreState.to_wire", broken)
    w.handle_batch([ev(i) for i in range(3)])
    assert w.table.changelog == [] and w.metrics.state_not_written._value.get() == 1
    w.handle_batch([ev(2)])  # re-sent: the store in memory remembers it
    assert csat_view(w.state(b"S1"), None, SatisfactionConfig()).ratings == 3
    assert w.pipe.tally.duplicates == {"feedback": 1}


class _Keyed(dict[bytes, Any]):
    """A table store that knows its keys' partitions, as Faust's does."""

    _key_partition: dict[bytes, int]


def test_the_collectors_pauses_reach_the_metrics_with_the_gauges() -> None:
    w = make()
    w.app = _assigned(0)
    for generation in (0, 2, 2):
        w.gc_pauses("start", {"generation": generation})
        w.gc_pauses("stop", {"generation": generation})
    w.refresh_gauges()
    w.refresh_gauges()  # taken once
    count = w.metrics.registry.get_sample_value
    assert count("cxpulse_gc_pause_seconds_count", {"generation": "0"}) == 1
    assert count("cxpulse_gc_pause_seconds_count", {"generation": "2"}) == 2


def test_busy_time_counts_this_threads_cpu_and_not_its_waiting() -> None:
    import time

    from streams.worker.main import spent

    m = Metrics()
    with spent(m.busy.labels("events")):
        until = time.thread_time() + 0.05
        while time.thread_time() < until:
            pass
    with spent(m.busy.labels("housekeeping")):
        time.sleep(0.05)  # what is measured here: waiting is not work
    value = m.registry.get_sample_value
    assert 0.05 <= value("cxpulse_worker_busy_seconds_total", {"part": "events"}) < 1.0  # type: ignore[operator]
    assert value("cxpulse_worker_busy_seconds_total", {"part": "housekeeping"}) < 0.01  # type: ignore[operator]


def test_gauges_are_aged_a_budget_of_stores_at_a_time_taking_turns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    w = make()
    w.handle_batch([ev(i, store=f"S{i}") for i in range(7)])
    data = _Keyed(w.table.data)
    data._key_partition = {key: 0 for key in data}
    w.table.data = data
    w.app = _assigned(0)
    monkeypatch.setattr(worker_app, "REFRESH_BUDGET", 3)
    shown: list[list[str]] = []

    def record(snap: Any) -> None:
        shown[-1].append(snap.store_id)

    monkeypatch.setattr(w.metrics, "show", record)
    # every store's own snapshot is older than a refresh
    w.snapshots.shown = dict.fromkeys(data, 0.0)
    for _ in range(3):
        shown.append([])
        w.refresh_gauges()
    assert [len(turn) for turn in shown] == [3, 3, 3]
    assert {sid for turn in shown for sid in turn} == {f"S{i}" for i in range(7)}
    assert shown[2] == ["S6", "S0", "S1"]  # wrapped round to the start


def _assigned(*partitions: int, rebalancing: bool = False) -> Any:
    """A stand-in for the Faust app as the gauge refresh reads it."""
    from types import SimpleNamespace

    actives = [SimpleNamespace(partition=p) for p in partitions]
    return SimpleNamespace(
        rebalancing=rebalancing, assignor=SimpleNamespace(assigned_actives=lambda: actives)
    )


def test_a_process_that_took_stores_over_publishes_each_once_without_new_events() -> None:
    """A partition taken over in a quiet hour: its stores reach the wall and the signals topic
    from the table alone, each once, and not while the table is still being refilled."""
    before = make()
    before.handle_batch([ev(i, rating=1 + i % 5, store=f"S{i % 4}") for i in range(12)])
    after = make()  # a new process: nothing handled, nothing shown
    data = _Keyed(before.table.data)
    data._key_partition = {key: int(key[1:]) % 2 for key in data}  # S0, S2 on 0; S1, S3 on 1
    after.table.data = data
    signals = after.snapshots.out
    after.app = _assigned(0, rebalancing=True)
    after.refresh_gauges()
    assert signals.sent == [] and list(after.metrics.stores.rollups.stores()) == []
    after.app = _assigned(0)
    after.refresh_gauges()
    sent = {m["key"]: json.loads(m["value"]) for m in signals.sent}
    assert sorted(sent) == [b"S0", b"S2"]  # partition 1 is another worker's
    assert sent[b"S0"] == json.loads(
        snapshot(before.state(b"S0"), None, before.signals).model_dump_json()
    )
    assert sorted(after.metrics.stores.rollups.stores()) == ["S0", "S2"]
    after.refresh_gauges()
    assert len(signals.sent) == 2  # once each: later turns only age the gauges


def test_the_faust_app_neither_waits_on_held_events_at_a_rebalance_nor_ignores_standbys() -> None:
    # Events held for cross-topic order are released only by the agent's next batch, which a
    # paused consumer never delivers: a rebalance that waits for them never ends.
    from streams.worker.main import build

    settings = Settings()
    settings.worker.standby_replicas = 1
    w = build(settings)
    assert w.app.conf.stream_wait_empty is False
    assert w.app.conf.table_standby_replicas == 1


def test_partitions_handed_on_have_their_stores_written_before_faust_lets_them_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The new owner's recovery must find the changes: written at revocation, before the
    producer is flushed, not left to the next rebalance's end."""
    from faust.tables.manager import TableManager

    from streams.worker.main import build

    order: list[str] = []
    monkeypatch.setattr(
        TableManager, "on_partitions_revoked", lambda self, revoked: order.append("faust")
    )
    w = build(Settings())
    monkeypatch.setattr(w, "write_unwritten", lambda: order.append("stores"))
    w.app.tables.on_partitions_revoked(set())
    assert order == ["stores", "faust"]


def test_stores_of_a_partition_that_moved_on_leave_the_rollups() -> None:
    """The new owner counts them now: kept here too, sums across workers count them twice."""

    w = make()
    w.handle_batch([ev(i, store=f"S{i}") for i in range(4)])
    assert len(w.metrics.stores.rollups) == 4
    data = _Keyed(w.table.data)
    data._key_partition = {key: int(key[1:]) % 2 for key in data}  # S0, S2 on 0; S1, S3 on 1
    w.table.data = data
    w.app = _assigned(0)
    w.refresh_gauges()
    assert sorted(w.metrics.stores.rollups.stores()) == ["S0", "S2"]
    info = w.metrics.registry.collect()
    listed = {
        s.labels["store_id"]
        for fam in info
        if fam.name == "cxpulse_store_info"
        for s in fam.samples
    }
    assert listed == {"S0", "S2"}


@dataclass
class GenMsg(Msg):
    generation_id: int = 1


def _gen_ev(i: int, generation: int) -> Ev:
    body = line(feedback(i, 1))
    return Ev(GenMsg("cx.feedback", b"S1", body, offset=i, generation_id=generation))


def test_events_fetched_before_a_rebalance_are_left_for_the_partitions_owner() -> None:
    """Handled here they would write this worker's stale copy of the store over the owner's."""
    from types import SimpleNamespace

    w = make()
    w.app = SimpleNamespace(consumer_generation_id=2)  # type: ignore[assignment]
    done = w.handle_batch([_gen_ev(i, generation=1) for i in range(3)])
    assert done == [] and w.table.changelog == []  # not handled, not acknowledged
    assert w.metrics.stale._value.get() == 3
    done = w.handle_batch([_gen_ev(i, generation=2) for i in range(3)])
    assert len(done) == 3 and w.table.changelog == [(0, b"S1")]


def test_events_held_for_order_are_let_go_at_a_rebalance() -> None:
    """The consumer reads them again from the committed offset; released later, they would be
    handled by a worker that may no longer own their partition."""
    from types import SimpleNamespace

    from streams.worker.merge import Merge

    w = make()
    w.merge = Merge(("cx.feedback", "cx.review"), 60.0)  # waits for the review topic
    w.app = SimpleNamespace(consumer_generation_id=1)  # type: ignore[assignment]
    assert w.handle_batch([_gen_ev(i, generation=1) for i in range(3)]) == []
    assert w.merge.count() == 3
    w.app.consumer_generation_id = 2
    w.clock = lambda: NOW + 3600  # long past the wait: held events would go now
    assert w.handle_batch([]) == []
    assert w.merge.count() == 0 and w.table.changelog == []


def test_snapshots_keep_to_their_budget_longest_waiting_first() -> None:
    """At 10,000 stores nearly every event changes a store not shown for a while: the stores
    beyond the budget wait in line, in the order they changed."""
    w = make()
    wall = [NOW]
    w.clock = lambda: wall[0]
    w.snapshots.budget = Budget(rate=2.0)
    w.handle_batch([ev(i, store=f"S{i}") for i in range(5)])
    sent = w.snapshots.out.sent
    assert [m["key"] for m in sent] == [b"S0", b"S1"]
    wall[0] += 0.5
    w.handle_batch([ev(5, store="S5"), ev(6, store="S2")])  # S2 changed again: keeps its place
    assert [m["key"] for m in sent] == [b"S0", b"S1", b"S2"]
    wall[0] += 1.0
    w.publish_due(wall[0])
    assert [m["key"] for m in sent][3:] == [b"S3", b"S4"]
    assert list(w.snapshots.unshown) == [b"S5"] and w.metrics.signals_held._value.get() == 1
    assert json.loads(sent[2]["value"])["windows"][0]["ratings"] == 2  # S2 with both events


def test_while_a_backlog_is_read_snapshots_keep_to_the_lower_budget() -> None:
    """Catching up, each snapshot shows a moment already passed: fewer go, the rest wait in
    line and go once the backlog is read."""
    from types import SimpleNamespace

    w = make()
    w.settings.worker.snapshots_per_s_behind = 1.0
    w.settings.worker.behind_lag = 100
    wall = [NOW]
    w.clock = lambda: wall[0]
    w.snapshots.budget = Budget(rate=4.0)
    health = SimpleNamespace(lag=100, consumed=lambda *a: None)
    w.health = health  # type: ignore[assignment]
    w.handle_batch([ev(i, store=f"S{i}") for i in range(6)])
    sent = w.snapshots.out.sent
    assert [m["key"] for m in sent] == [b"S0"]
    wall[0] += 1.0
    w.publish_due(wall[0])
    assert [m["key"] for m in sent] == [b"S0", b"S1"]  # a token a second, behind
    health.lag = 99  # the backlog is read
    wall[0] += 1.0
    w.publish_due(wall[0])
    assert [m["key"] for m in sent] == [b"S0", b"S1", b"S2", b"S3", b"S4", b"S5"]


def test_changed_stores_are_written_once_their_first_change_is_due_and_hold_the_commit() -> None:
    """A live stream's small batches each changed a busy store: it is written once, with every
    change since, and until then the commit stops before its first unwritten event."""
    w = make(write_every=2.0)
    wall = [NOW]
    w.clock = lambda: wall[0]
    w.handle_batch([ev(0), ev(1), ev(2, store="S2")])
    wall[0] += 1.0
    w.handle_batch([ev(3)])
    assert w.table.changelog == []
    assert w.lowest_unsettled("cx.feedback", 0) == 0
    assert csat_view(w.state(b"S1"), None, SatisfactionConfig()).ratings == 3  # read as it is
    wall[0] += 1.5
    w.handle_batch([ev(4, store="S3")])
    assert w.table.changelog == [(0, b"S1"), (0, b"S2")]
    assert json.loads(w.table.wire[0][0])["stats"] == w.state(b"S1").to_json()["stats"]
    assert w.lowest_unsettled("cx.feedback", 0) == 4  # S3's event, still unwritten
    w.write_unwritten()  # partitions being handed on
    assert w.table.changelog[2:] == [(0, b"S3")]
    assert w.lowest_unsettled("cx.feedback", 0) is None


def test_a_rebalance_writes_the_stores_still_owned_and_leaves_the_others_to_their_owner() -> None:
    from types import SimpleNamespace

    w = make(write_every=60.0)
    w.handle_batch(
        [
            ev(0, store="S0"),
            Ev(Msg("cx.feedback", b"S1", line(feedback(1, 5, store="S1")), partition=1, offset=0)),
        ]
    )
    assert w.table.changelog == []
    w.app = SimpleNamespace(  # type: ignore[assignment]
        consumer_generation_id=2,
        rebalancing=False,
        assignor=SimpleNamespace(assigned_actives=lambda: [SimpleNamespace(partition=0)]),
    )
    w.handle_batch([])
    assert w.table.changelog == [(0, b"S0")]  # partition 1 is another worker's now
    assert w.lowest_unsettled("cx.feedback", 0) is None
    assert w.lowest_unsettled("cx.feedback", 1) is None  # its owner reads the event again


def test_how_far_ahead_an_event_may_be_dated_is_judged_by_the_brokers_clock_not_the_workers() -> (
    None
):
    """A host clock that is wrong must neither refuse live events nor let future-dated ones
    take over a store's clock; a producer's own stamp is not trusted for it."""
    from datetime import timedelta

    def sent(i: int, dated: datetime, stamp: float, stamp_type: int) -> Ev:
        event = {**feedback(i, 5), "occurred_at": dated.isoformat()}
        return Ev(
            Msg(
                "cx.feedback",
                b"S1",
                line(event),
                offset=i,
                timestamp=stamp,
                timestamp_type=stamp_type,
            )
        )

    worker = datetime.fromtimestamp(NOW, UTC)  # what the worker's clock says
    # The worker's clock is an hour slow: a live event, taken in by the broker 10 s after it
    # happened, is "an hour ahead" of the worker, not of the broker.
    live = worker + timedelta(hours=1)
    w = make()
    w.handle_batch([sent(1, live, (live + timedelta(seconds=10)).timestamp(), 1)])
    assert w.pipe.tally.consumed == {"feedback": 1} and not w.dlq.sent
    # The same on a topic stamped by producers: the producer's stamp could say anything, so
    # the worker's own clock judges, and refuses it.
    w = make()
    w.handle_batch([sent(2, live, (live + timedelta(seconds=10)).timestamp(), 0)])
    assert not w.pipe.tally.consumed
    assert dict(w.dlq.sent[0]["headers"])[dl.HEADER_CODE] == b"from_the_future"
    # The worker's clock is a day fast: an event dated "now" by it is a day ahead of the
    # broker, which took it in a day earlier.
    w = make()
    w.handle_batch([sent(3, worker, (worker - timedelta(days=1)).timestamp(), 1)])
    assert not w.pipe.tally.consumed
    assert dict(w.dlq.sent[0]["headers"])[dl.HEADER_CODE] == b"from_the_future"


def test_a_tick_from_a_host_clock_a_day_ahead_moves_the_sla_clocks_only_as_far_as_the_broker() -> (
    None
):
    """A worker whose clock jumped a day ahead must not breach every open complaint at once;
    on a ticks topic stamped by producers (its own clock) nothing can tell, and it does."""
    opened = {
        "event_id": "K1-1",
        "event_type": "complaint",
        "occurred_at": "2026-11-24T19:50:00+08:00",  # ten minutes before NOW
        "source": "t",
        "store_id": "S1",
        "complaint_id": "K1",
        "action": "opened",
        "customer": {"tier": "vip"},
    }
    ahead = repr(NOW + 86400).encode()  # the time a tick is sent with by a clock a day fast

    def sla_events(stamp_type: int) -> list[Any]:
        w = make()
        w.handle_batch([Ev(Msg("cx.complaint", b"S1", line(opened), partition=1))])
        state = w.sla.load("S1|K1")
        assert state is not None and state.next_due is not None and state.next_due > NOW + 60
        before = len(w.sla.out.sent)
        tick = Msg(
            w.topics.ticks, b"", ahead, partition=1, timestamp=NOW, timestamp_type=stamp_type
        )
        w.handle_batch([Ev(tick)])
        sent: list[Any] = w.sla.out.sent[before:]
        return sent

    assert sla_events(1) == []  # the broker took the tick in at NOW: nothing is due yet
    assert sla_events(0) != []  # its own clock's day: deadlines due within it fire


def test_a_saved_state_it_cannot_read_is_parked_once_and_its_store_starts_afresh() -> None:
    """Written by a newer version, or damaged: its store must not stay blind, each event parked."""
    w = make()
    w.table.data[b"S1"] = b'{"written_by": "a later version"}'  # recovered from the changelog
    w.handle_batch([ev(1), ev(2, rating=1)])
    assert w.pipe.tally.consumed == {"feedback": 2} and not w.pipe.tally.rejected
    ((parked),) = w.dlq.sent
    headers = dict(parked["headers"])
    assert (
        headers[dl.HEADER_CODE] == b"state_unreadable" and b"KeyError" in headers[dl.HEADER_REASON]
    )
    assert (parked["key"], json.loads(parked["value"])) == (
        b"S1",
        {"written_by": "a later version"},
    )
    assert csat_view(w.state(b"S1"), None, SatisfactionConfig()).ratings == 2
    assert w.metrics.state_unreadable.labels("stores")._value.get() == 1


def test_a_saved_complaint_it_cannot_read_is_parked_and_the_complaint_goes_on_afresh() -> None:
    table = Table(data=Store())
    w = make(table)
    table.data[b"S1|K1"] = b"\x00not packed"
    step = {
        "event_id": "K1-2",
        "event_type": "complaint",
        "occurred_at": "2026-11-24T19:50:00+08:00",
        "source": "t",
        "store_id": "S1",
        "complaint_id": "K1",
        "action": "opened",
    }
    w.handle_batch([Ev(Msg("cx.complaint", b"S1", line(step), partition=1))])
    assert w.pipe.tally.consumed == {"complaint": 1} and not w.pipe.tally.rejected
    assert [dict(m["headers"])[dl.HEADER_CODE] for m in w.dlq.sent] == [b"state_unreadable"]
    state = w.sla.load("S1|K1")
    assert state is not None and state.status == "open"
    assert w.metrics.state_unreadable.labels("complaints")._value.get() == 1


def test_how_far_the_hosts_clock_runs_ahead_of_the_brokers_is_read_from_its_ticks() -> None:
    w = make()
    w.sla.tick_in_flight[1] = NOW + 86400.0  # sent by a clock a day fast
    tick = Msg(w.topics.ticks, b"", repr(NOW).encode(), partition=1, timestamp=NOW + 0.2)
    w.handle_batch([Ev(tick)])  # stamped by a producer: nothing to compare with
    assert w.metrics.clock_ahead._value.get() == 0
    w.sla.tick_in_flight[1] = NOW + 86400.0
    w.handle_batch([Ev(replace(tick, timestamp_type=1))])  # stamped by the broker
    assert w.metrics.clock_ahead._value.get() == pytest.approx(86400.0 - 0.2)
    assert 1 not in w.sla.tick_in_flight
