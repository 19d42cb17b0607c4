"""A worker holding only its most recently changed stores decoded: the others held compressed
count, alert and write to the changelog exactly as when every store is decoded."""

from __future__ import annotations

from typing import Any

from streams.core.store import StoreState
from streams.worker import app as worker_app
from streams.worker.compressed import Decoded, Pickled
from tests.unit.test_worker_shell import NOW, ev, make, timer_app

STORES = [f"S{i}" for i in range(6)]


def _events() -> list[Any]:
    """20 ratings at each of six stores, round robin; the first three rate 1, the rest 5; then
    the last ten events again (a consumer reading them twice)."""
    out = [ev(n, rating=1 if s < 3 else 5, store=STORES[s]) for n in range(20) for s in range(6)]
    return out + out[-10:]


def _run(keep: int | None) -> worker_app.Worker:
    w = make(write_every=2.0)
    w.decoded = Decoded(keep)
    wall = [NOW]
    w.clock = lambda: wall[0]
    events = _events()
    for i in range(0, len(events), 5):
        w.handle_batch(events[i : i + 5])
        wall[0] += 1.0
    w.write_unwritten()
    return w


def test_stores_beyond_the_decoded_ones_are_held_compressed_and_come_out_the_same() -> None:
    every, few = _run(None), _run(2)
    held = few.table.data
    assert sum(isinstance(v, StoreState) for v in held.values()) <= 2
    assert sum(type(v) is Pickled for v in held.values()) >= 4
    for sid in STORES:
        key = sid.encode()
        assert few.state(key).to_wire() == every.state(key).to_wire()
    assert few.alerts.sent == every.alerts.sent
    assert {a["key"] for a in every.alerts.sent}  # the low-rated stores alerted
    assert few.table.changelog == every.table.changelog
    assert [v for v, _ in few.table.wire] == [v for v, _ in every.table.wire]
    assert few.pipe.tally.duplicates == every.pipe.tally.duplicates
    assert sum(few.pipe.tally.duplicates.values()) == 10
    assert few.metrics.stores_decoded._value.get() == 2
    assert few.metrics.stores_compressed._value.get() > 0
    assert every.metrics.stores_compressed._value.get() == 0
    assert few.metrics.stores_read_back._value.get() > 0
    assert every.metrics.stores_read_back._value.get() == 0


def test_stores_of_a_partition_gone_from_the_worker_leave_the_decoded_order() -> None:
    w = make()
    w.decoded = Decoded(5)
    w.handle_batch([ev(i, store=s) for i, s in enumerate(STORES[:4])])
    assert len(w.decoded) == 4
    for gone in (b"S2", b"S3"):  # Faust drops a lost partition's keys from the table
        del w.table.data[gone]
    w.app = timer_app(0)
    w.on_timer()
    assert list(w.decoded.order) == [b"S0", b"S1"]
