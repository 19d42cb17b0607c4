"""Stores held compressed: the form read back is the store, only this process's own bytes are
ever unpickled, and the order says which stores to compress."""

from __future__ import annotations

import io
import pickle
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
import zstandard

from cxpulse.config import Settings
from streams.core.store import StoreState
from streams.replay import ReplayResult, read_events, replay
from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl
from streams.worker.compressed import (
    CompressedJson,
    Decoded,
    Pickled,
    compact,
    freeze,
    thaw,
)

START = datetime.fromisoformat("2026-11-23T00:00:00+08:00")


@pytest.fixture(scope="module")
def stores() -> dict[str, StoreState]:
    """Two simulated days of four stores, with calls, complaints and an incident."""
    cfg = SimConfig(
        stores=4,
        scenarios=(
            parse_scenario("crisis:S002@2026-11-23T19:00+08:00/1h"),
            parse_scenario("abandon:S001@2026-11-24T11:00+08:00/3h"),
        ),
    )
    buf = io.StringIO()
    write_jsonl(Simulator(cfg), START, START + timedelta(days=2), buf)
    result = ReplayResult()
    events = read_events([ln.encode() for ln in buf.getvalue().splitlines()], result)
    replay(events, Settings(), result)
    assert len(result.stores) == 4
    return result.stores


def test_a_frozen_store_thaws_to_the_same_state_and_goes_on_the_same(
    stores: dict[str, StoreState],
) -> None:
    for state in stores.values():
        held = freeze(state)
        assert type(held) is Pickled
        assert len(held) < len(state.to_wire()) / 2
        back = thaw(held)
        assert back is not state
        assert back == state
        assert back.to_wire() == state.to_wire()
        # its windows still read the same: the derived sums came along or are summed afresh
        end = max(state.clocks.values())
        assert back.stats.totals(end, 86400.0) == state.stats.totals(end, 86400.0)
        assert back.stats.totals(end, 7 * 86400.0) == state.stats.totals(end, 7 * 86400.0)


def test_recovered_json_is_read_plain_or_compressed(stores: dict[str, StoreState]) -> None:
    state = next(iter(stores.values()))
    wire = state.to_wire()
    data: dict[bytes, Any] = {b"a": wire, b"b": freeze(state), b"c": None}
    compact(data, [b"a", b"b", b"c", b"missing"])
    assert type(data[b"a"]) is CompressedJson and len(data[b"a"]) < len(wire) / 2
    assert type(data[b"b"]) is Pickled  # already this process's: left alone
    assert data[b"c"] is None
    assert thaw(data[b"a"]).to_wire() == wire
    assert thaw(wire).to_wire() == wire  # not compacted yet: as Faust put it


RAN: list[str] = []


def _ran(tag: str) -> None:
    RAN.append(tag)


class _Payload:
    """Runs ``_ran`` when unpickled."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_ran, ("unpickled",))


def test_bytes_from_kafka_are_never_unpickled() -> None:
    """A changelog record anyone able to write the topic could forge: plain bytes, and what
    ``compact`` makes of them, are read as JSON and fail as unreadable."""
    forged = pickle.dumps(_Payload(), protocol=5)
    pickle.loads(forged)
    assert RAN == ["unpickled"]  # what the payload would do
    RAN.clear()
    for held in (
        forged,
        zstandard.ZstdCompressor().compress(forged),
        CompressedJson(zstandard.ZstdCompressor().compress(forged)),
    ):
        with pytest.raises(orjson.JSONDecodeError):
            thaw(held)
    data: dict[bytes, Any] = {b"k": forged}
    compact(data, [b"k"])
    with pytest.raises(orjson.JSONDecodeError):
        thaw(data[b"k"])
    assert RAN == []


def test_a_damaged_frame_raises_for_the_caller_to_set_aside() -> None:
    with pytest.raises(zstandard.ZstdError):
        thaw(Pickled(b"\x28\xb5\x2f\xfd" + b"\x00" * 20))


def test_the_stores_beyond_keep_are_pushed_out_least_recently_changed_first() -> None:
    order = Decoded(2)
    for key in (b"a", b"b", b"c", b"a", b"d"):
        order.changed(key)
    assert order.pushed_out() == [b"b", b"c"]
    assert list(order.order) == [b"a", b"d"]
    assert order.pushed_out() == []
    assert Decoded(None).pushed_out() == []


def test_a_store_pushed_out_before_its_write_is_frozen_by_it_unless_it_changed_again(
    stores: dict[str, StoreState],
) -> None:
    state = next(iter(stores.values()))
    order = Decoded(1)
    order.due.update({b"a", b"b"})
    order.changed(b"b")  # changed again: decoded once more
    assert type(order.after_write(b"a", state)) is Pickled
    assert order.after_write(b"a", state) is state  # frozen once
    assert order.after_write(b"b", state) is state


def test_stores_no_longer_held_decoded_leave_the_order(stores: dict[str, StoreState]) -> None:
    state = next(iter(stores.values()))
    order = Decoded(5)
    for key in (b"kept", b"frozen", b"dropped"):
        order.changed(key)
    order.due.add(b"gone")
    order.forget({b"kept": state, b"frozen": freeze(state)})
    assert list(order.order) == [b"kept"] and order.due == set()


def test_a_store_that_cannot_be_frozen_stays_decoded_and_the_rest_go_on(
    stores: dict[str, StoreState], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = next(iter(stores.values()))

    def broken(obj: Any, protocol: int) -> bytes:
        raise pickle.PicklingError("a bug")

    order = Decoded(0)
    order.changed(b"a")
    order.due.add(b"b")
    held: dict[bytes, Any] = {b"a": state}
    monkeypatch.setattr(pickle, "dumps", broken)
    assert order.freeze_pushed_out(held, set(), held.__setitem__) == 0
    assert held[b"a"] is state
    assert order.after_write(b"b", state) is state
