"""The worker's rollup halves with the Kafka-facing parts replaced by recorders: what the store
agent sends, and how the rollup agent counts, checkpoints and comes back from a crash."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from typing import Any

import orjson
import pytest

from streams.core.rollup.config import RollupConfig
from streams.core.rollup.model import Contribution, Idle, Mark, decode, encode
from streams.worker import rollup as shell
from streams.worker import tables
from streams.worker.rollup import Runner, Sender
from tests.helpers import Clock
from tests.unit.test_rollups import EAST, T0, WEST, in_order, ratings, slipping_east
from tests.unit.test_worker_shell import Ev, Msg, Recorder, Table

CFG = RollupConfig()


def sent(topic: Recorder) -> list[tuple[int, list[Contribution | Mark | Idle] | None]]:
    assert all(m.get("key") is None for m in topic.sent)
    return [(m["partition"], decode(m["value"])) for m in topic.sent]


def test_the_sender_sends_each_rollup_partition_its_items_in_order_once_a_batch() -> None:
    topic = Recorder()
    s = Sender(topic, step=3600, partitions=3)
    home = s.home("B")
    c1, c2, c3 = list(ratings([0], T0, 1, 3, 1))
    s.handled(0, T0, wall=0.0, contribution=None)  # the first step: a mark
    s.handled(0, c1.at, wall=0.1, contribution=c1)  # same step: no mark
    s.handled(0, c2.at, wall=0.1, contribution=c2)
    assert topic.sent == []  # held to the end of the batch
    s.flush()
    s.flush()  # nothing held: nothing sent
    first = Mark(0, T0)
    assert sent(topic) == [(p, [first, c1, c2] if p == home else [first]) for p in range(3)]
    topic.sent.clear()
    s.handled(0, c3.at, wall=0.2, contribution=c3)
    s.handled(0, T0 + 3600, wall=0.3, contribution=None)  # the next step: its mark after c3
    s.handled(1, T0 + 5, wall=0.4, contribution=None)
    s.flush()
    marks = [Mark(0, T0 + 3600), Mark(1, T0 + 5)]
    assert sent(topic) == [(p, [c3, *marks] if p == home else marks) for p in range(3)]


# Kafka's own murmur2 test values (the Java client's UtilsTest): where Kafka's default
# partitioner places these keys, independently of the library the worker calls.
KAFKA_MURMUR2 = {
    "21": -973932308,
    "foobar": -790332482,
    "a-little-bit-long-string": -985981536,
    "a-little-bit-longer-string": -1486304829,
    "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    "abc": 479470107,
}


def test_a_brand_goes_to_the_partition_its_key_would_take() -> None:
    s = Sender(Recorder(), step=300, partitions=4)
    for brand, hashed in KAFKA_MURMUR2.items():
        assert s.home(brand) == (hashed & 0x7FFFFFFF) % 4
    brands = ["B", "鲜悦厨房", "禾风小馆", *(f"brand-{i}" for i in range(40))]
    assert {s.home(b) for b in brands} == {0, 1, 2, 3}


def test_a_message_holds_at_most_bundle_max_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shell, "BUNDLE_MAX", 2)
    topic = Recorder()
    s = Sender(topic, step=3600, partitions=1)
    cs = list(ratings([0], T0, 1, 5, 1))
    s.handled(0, T0, wall=0.0, contribution=None)
    for c in cs:
        s.handled(0, T0, wall=0.0, contribution=c)
    s.flush()
    assert [decode(m["value"]) for m in topic.sent] == [[Mark(0, T0), cs[0]], cs[1:3], cs[3:5]]


def test_a_partition_is_said_idle_once_when_quiet_and_read_to_its_end() -> None:
    topic = Recorder()
    s = Sender(topic, step=300, partitions=2)
    s.handled(0, T0, wall=100.0, contribution=None)
    s.flush()
    topic.sent.clear()
    s.check_idle([0, 1], drained=lambda p: p == 1, wall=102.0)  # 1 never had an event
    s.check_idle([0, 1], drained=lambda p: True, wall=104.0)  # 0 quiet for 4 s only
    s.check_idle([0, 1], drained=lambda p: True, wall=106.0)
    s.check_idle([0, 1], drained=lambda p: True, wall=200.0)  # said once
    assert [(m["partition"], decode(m["value"])) for m in topic.sent] == [
        (0, [Idle(1)]),
        (1, [Idle(1)]),
        (0, [Idle(0)]),
        (1, [Idle(0)]),
    ]


def test_a_sender_that_cannot_send_does_not_raise() -> None:
    class Broken:
        def send_soon(self, **kw: Any) -> None:
            raise RuntimeError("buffer full")

    s = Sender(Broken(), step=300, partitions=2)
    s.handled(0, T0, 0.0, next(ratings([0], T0, 1, 8, 1)))
    s.flush()
    assert s.unsent == 3  # the contribution, and the mark to each of two partitions


def batch(items: list[Contribution | Mark | Idle], start: int = 0) -> list[Ev]:
    return [Ev(Msg("cx.rollup", b"B", encode(x), 0, start + i)) for i, x in enumerate(items)]


def stream() -> list[Contribution | Mark | Idle]:
    """The slipping region and its recovery, all on source partition 0, then its end."""
    items = in_order(slipping_east(), ratings([*EAST, *WEST], T0 + 4 * 3600, 2, 8, 1))
    return [*(dataclasses.replace(c, partition=0) for c in items), Idle(0)]


def test_the_runner_pages_like_the_core_and_acks_only_what_a_checkpoint_holds() -> None:
    alerts, table, clock = Recorder(), Table(), Clock()
    counted: list[tuple[str, str]] = []
    r = Runner(CFG, 1, table, alerts, clock, on_alert=lambda *a: counted.append(a))
    evs = batch(stream())
    assert len(evs) == 961
    assert r.handle(evs[:50]) == evs[:50]  # the first checkpoint comes at once
    clock.now += 1
    assert r.handle(evs[50:500]) == []  # counted, held until the next checkpoint
    clock.now += shell.CHECKPOINT_SECONDS
    assert r.due() == evs[50:500]
    assert r.handle(evs[500:]) == []
    clock.now += shell.CHECKPOINT_SECONDS
    assert r.due() == evs[500:]
    assert counted == [("rollup_csat_low", "firing"), ("rollup_csat_low", "resolved")]
    fired = [decode_alert(m) for m in alerts.sent]
    assert fired == [
        ("rollup_csat_low", "firing", "region"),
        ("rollup_csat_low", "resolved", "region"),
    ]


def decode_alert(m: dict[str, Any]) -> tuple[str, str, str]:
    import json

    a = json.loads(m["value"])
    return a["rule"], a["status"], a["labels"]["level"]


def save_dies_at_the_header(r: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Partition 0's checkpoint cut off at its header's write, everything before it written."""
    write = tables.write

    def dies_at_the_header(t: Any, p: int, key: bytes, *rest: Any) -> None:
        if key == r._key(0):
            raise RuntimeError("the worker died here")
        write(t, p, key, *rest)

    monkeypatch.setattr(tables, "write", dies_at_the_header)
    with pytest.raises(RuntimeError):
        r._save(0)
    monkeypatch.setattr(tables, "write", write)


def checkpoint_every(r: Runner, clock: Clock, evs: list[Ev], n: int) -> None:
    """Count ``evs`` ``n`` at a time, a checkpoint after each."""
    for i in range(0, len(evs), n):
        r.handle(evs[i : i + n])
        clock.now += shell.CHECKPOINT_SECONDS


def puts_and_drops(table: Table, part: bytes) -> tuple[Counter[bytes], set[bytes]]:
    """What the changelog got under the keys holding ``part``: how often each was written, and
    which were deleted."""
    rows = [(k, v) for (_, k), (v, _) in zip(table.changelog, table.wire, strict=True) if part in k]
    return Counter(k for k, v in rows if v is not None), {k for k, v in rows if v is None}


def test_after_a_crash_the_new_owner_counts_each_message_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shell, "CHUNK", 4096)  # several chunks a checkpoint
    evs = batch(stream())
    table, clock = Table(), Clock()
    first = Runner(CFG, sources=1, table=table, alerts=Recorder(), clock=clock)
    first.handle(evs[:600])
    clock.now += shell.CHECKPOINT_SECONDS
    first.handle(evs[600:601])  # checkpoint: everything up to offset 600
    checkpointed = first.states[0].to_json()
    first.handle(evs[601:800])  # counted, then the worker dies before the next checkpoint
    # A checkpoint cut off before its header: the previous one still loads whole.
    first.states[0].late = 12345
    save_dies_at_the_header(first, monkeypatch)

    alerts = Recorder()
    second = Runner(CFG, sources=1, table=table, alerts=alerts, clock=clock)
    # Kafka redelivers from the committed offset (at or before the checkpoint).
    done = second.handle(evs[590:])
    assert second.states[0].late == checkpointed["late"]
    assert done[:11] == evs[590:601]  # already in the checkpoint: acknowledged at once
    whole = Runner(CFG, sources=1, table=Table(), alerts=Recorder(), clock=Clock())
    whole.handle(evs)
    ours = second.states[0].to_json()
    theirs = whole.states[0].to_json()
    assert ours == theirs


def test_a_batch_is_counted_a_message_at_a_time_with_the_loop_free_between_turns() -> None:
    evs = batch(stream())[:40]
    ticks = iter(range(1000))  # seconds: every message takes more than a turn
    clock = Clock()
    r = Runner(CFG, 1, Table(), Recorder(), clock)
    whole = Runner(CFG, 1, Table(), Recorder(), Clock())
    whole.handle(evs)
    seen: list[int] = []  # the last offset counted, each time another task got the loop
    acked: list[Any] = []

    async def ack(ev: Any) -> None:
        acked.append(ev)

    async def go() -> None:
        turn = lambda: float(next(ticks))  # noqa: E731
        running = asyncio.ensure_future(shell.handle_in_turns(r, evs, ack, turn))
        while not running.done():
            seen.append(r.applied.get(0, -1))
            await asyncio.sleep(0)
        await running

    asyncio.run(go())
    assert seen[:3] == [-1, 0, 1]  # one message between two turns of the other task
    assert set(range(len(evs) - 1)) <= set(seen)
    assert r.states[0].to_json() == whole.states[0].to_json()
    assert acked == evs[:1]  # the first checkpoint at once; the rest wait for the next
    clock.now += shell.CHECKPOINT_SECONDS
    assert r.due() == evs[1:]


def test_a_rollup_message_that_fails_is_skipped_alone_and_acknowledged() -> None:
    class Failing(Runner):
        def handle(self, events: Any) -> list[Any]:
            if any(ev.message.offset == 3 for ev in events):
                raise RuntimeError("a bug")
            return super().handle(events)

    evs = batch(stream())[:10]
    clock = Clock()
    r = Failing(CFG, 1, Table(), Recorder(), clock)
    acked: list[Any] = []

    async def ack(ev: Any) -> None:
        acked.append(ev)

    spent: list[float] = []
    asyncio.run(shell.handle_in_turns(r, evs, ack, clock=lambda: 0.0, spent=spent.append))
    assert acked == [evs[0], evs[3]]  # the first checkpoint's, and the failed one
    assert len(spent) == 10 and min(spent) >= 0  # each message's CPU time, the failed one too
    assert r.applied[0] == 9  # the messages after it were counted
    clock.now += shell.CHECKPOINT_SECONDS
    assert r.due() == [*evs[1:3], *evs[4:]]


def test_a_quick_batch_is_counted_in_one_turn() -> None:
    evs = batch(stream())[:40]
    r = Runner(CFG, 1, Table(), Recorder(), Clock())
    seen: list[int] = []

    async def ack(ev: Any) -> None:
        pass

    async def go() -> None:
        running = asyncio.ensure_future(shell.handle_in_turns(r, evs, ack, lambda: 0.0))
        while not running.done():
            seen.append(r.applied.get(0, -1))
            await asyncio.sleep(0)

    asyncio.run(go())
    assert seen == [-1]  # never in between: the batch took less than a turn
    assert r.applied[0] == 39


def test_a_judged_steps_rows_are_written_once_and_dropped_once_pruned() -> None:
    evs = batch(stream())
    table, clock = Table(), Clock()
    r = Runner(CFG, 1, table, Recorder(), clock)
    checkpoint_every(r, clock, evs, 40)
    put, dropped = puts_and_drops(table, b":step:")
    assert put and max(put.values()) == 1  # never written again
    assert dropped and not dropped & set(table.data)  # pruned: gone here and on the changelog
    held = {k for k in table.data if b":step:" in k}
    assert held == set(put) - dropped
    assert len(held) == len([k for k in r.once[0] if k[0] == "step"]) < len(put)
    again = Runner(CFG, 1, table, Recorder(), Clock())
    assert again.state(0).to_json() == r.states[0].to_json()
    # The state's own chunks name the judged steps in their place, without their rows.
    head = orjson.loads(table.data[r._key(0)])
    raw = b"".join(table.data[r._key(0, head["slot"], i)] for i in range(head["chunks"]))
    state = orjson.loads(raw)
    assert state["judged_steps"] and all(state["stores"][s] is None for s in state["judged_steps"])


def test_the_stores_labels_are_written_only_when_a_store_comes_and_a_crash_keeps_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # East from the start; a West store joins an hour on.
    items = in_order(ratings(EAST, T0, 2, 8, 1), ratings([15], T0 + 3600, 1, 8, 1))
    evs = batch([dataclasses.replace(c, partition=0) for c in items])
    table, clock = Table(), Clock()
    r = Runner(CFG, 1, table, Recorder(), clock)

    def labels_put() -> list[bytes]:
        return [
            k
            for (_, k), (v, _) in zip(table.changelog, table.wire, strict=True)
            if b":where:" in k and v is not None
        ]

    r.handle(evs[:40])  # the first checkpoint: every store so far
    first = labels_put()
    assert first
    clock.now += shell.CHECKPOINT_SECONDS
    r.handle(evs[40:41])  # the same stores again: nothing more written
    assert labels_put() == first
    stores = set(r.states[0].where)
    more = next(i for i, e in enumerate(evs) if newcomer(e, stores))
    r.handle(evs[41 : more + 1])
    clock.now += shell.CHECKPOINT_SECONDS
    r.handle(evs[more + 1 : more + 2])
    again = labels_put()[len(first) :]
    assert again and all(b":where:1:" in k for k in again)  # the other slot
    # A new store, then a crash before the header: the last checkpoint's labels still load.
    kept = Runner(CFG, 1, table, Recorder(), Clock()).state(0).to_json()
    r.states[0].where["S-new"] = ("B", "R", "C")
    save_dies_at_the_header(r, monkeypatch)
    assert Runner(CFG, 1, table, Recorder(), Clock()).state(0).to_json() == kept
    r._save(0)  # and once a header names them, they load
    assert "S-new" in Runner(CFG, 1, table, Recorder(), Clock()).state(0).where


def newcomer(e: Ev, stores: set[str]) -> bool:
    items = decode(e.message.value) or []
    return any(isinstance(x, Contribution) and x.store_id not in stores for x in items)
