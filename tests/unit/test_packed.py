"""A packed tier behaves as the dict of vectors it replaced, whatever adds, undos, prunes and
reads come in, and in whatever order."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.signals.packed import PackedTier

WIDTH = 5
BIG = 1 << 40  # a value beyond 32 bits (a viral post's audience summed)

op = st.one_of(
    st.tuples(
        st.just("add"),
        st.integers(0, 12),
        st.lists(st.tuples(st.integers(0, WIDTH - 1), st.integers(-50, 50)), max_size=4),
    ),
    st.tuples(st.just("big"), st.integers(0, 12), st.just([])),
    st.tuples(st.just("put"), st.integers(0, 12), st.lists(st.integers(-9, 9), max_size=WIDTH)),
    st.tuples(st.just("drop"), st.integers(0, 13), st.just([])),
    st.tuples(st.just("sum"), st.integers(0, 12), st.just([])),
    st.tuples(st.just("flush"), st.integers(0, 13), st.just([])),
    # Window reads and encodings drawn twice as often as each other step: both keep state
    # (the kept window sum, the hot bucket left hot) that the steps between must not break.
    *[st.tuples(st.just("window"), st.integers(0, 13), st.lists(st.integers(-1, 6), max_size=1))]
    * 2,
    *[st.tuples(st.just("json"), st.just(0), st.just([]))] * 2,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(op, max_size=60))
def test_a_packed_tier_is_the_dict_of_vectors_it_replaced(
    steps: list[tuple[str, int, list[Any]]],
) -> None:
    tier = PackedTier(WIDTH)
    model: dict[int, list[int]] = {}
    for name, at, arg in steps:
        start = at * 60
        if name == "add":
            items = [(i, v) for i, v in arg if v]
            if items:
                vec = model.setdefault(start, [0] * WIDTH)
                for i, v in items:
                    vec[i] += v
                tier.add(start, items)
        elif name == "big":
            model.setdefault(start, [0] * WIDTH)[1] += BIG
            tier.add(start, [(1, BIG)])
        elif name == "put":
            put: list[int] | None = (arg + [0] * WIDTH)[:WIDTH] if arg else None
            if put is None:
                model.pop(start, None)
            else:
                model[start] = list(put)
            tier.put(start, put)
        elif name == "drop":
            older = sorted(s for s in model if s < start)
            for s in older:
                del model[s]
            tier.drop_before(start)
        elif name == "sum":
            first, last = start - 300, start
            want = [sum(v[i] for s, v in model.items() if first <= s <= last) for i in range(WIDTH)]
            assert tier.sum(first, last) == want
            got = [0] * WIDTH
            tier.accumulate(got, first, last, 1)
            one_by_one = [0] * WIDTH
            for s in range(first, last + 60, 60):
                tier.accumulate(one_by_one, s, s, 1)
            assert got == want == one_by_one
        elif name == "flush":
            tier.flush(before=start) if at else tier.flush()
        elif name == "window":
            # A window read again and again, as it moves, grows and shrinks: its kept sums
            # must be a sum afresh whatever was added, undone and dropped in between.
            first, last = start - (arg[0] if arg else 3) * 60, start
            want = [sum(v[i] for s, v in model.items() if first <= s <= last) for i in range(WIDTH)]
            assert tier.window_sum(first, last) == want
        else:
            again = PackedTier.from_json(WIDTH, orjson.loads(orjson.dumps(tier.to_json())))
            assert again == tier
            # The hot bucket, left hot, is encoded as packing it would encode it.
            assert dict(again.items()) == model
            packed = tier.copy()
            packed.flush()
            assert tier.to_json() == packed.to_json()
        assert len(tier) == len(model)
        assert tier.oldest() == (min(model) if model else None)
        for s in range(0, 13 * 60, 60):
            assert tier.get(s) == model.get(s)
    assert dict(tier.items()) == dict(sorted(model.items()))


def test_a_drop_takes_the_hot_bucket_too() -> None:
    tier = PackedTier(WIDTH)
    tier.add(120, [(0, 1)])
    tier.add(60, [(1, 1)])  # hot now; 120 is packed
    tier.drop_before(120)
    assert dict(tier.items()) == {120: [1, 0, 0, 0, 0]}


def test_entries_take_four_bytes_until_a_value_needs_more() -> None:
    tier = PackedTier(WIDTH)
    for m in range(10):
        tier.add(m * 60, [(0, 1), (3, 1000)])
    tier.flush()
    assert tier.to_json()[2][:2] == [1 << 6 | 0, 1000 << 6 | 3]
    assert tier._entries.itemsize == 4
    tier.add(0, [(2, BIG)])
    tier.flush()
    assert tier._entries.itemsize == 8
    assert tier.get(0) == [1, 0, BIG, 1000, 0]


def test_starts_and_ends_beyond_their_narrow_arrays_widen_them() -> None:
    """Starts take 4 bytes and ends 2 while they fit: one before 1970 or past 2106, or more
    than 65,535 entries in a tier, widens the array, and nothing is lost."""
    width, full = 64, [1] * 64
    tier = PackedTier(width)
    starts = [*range(0, 60 * 1100, 60), 1 << 33, -86400]  # the last one put first in order
    for s in starts:
        tier.put(s, full)
    assert [s for s, _ in tier.items()] == sorted(starts)
    assert all(vec == full for _, vec in tier.items())
    assert tier.sum(-86400, 1 << 33) == [len(starts)] * width
    again = PackedTier.from_json(width, orjson.loads(orjson.dumps(tier.to_json())))
    assert again == tier and again.copy() == tier
    tier.drop_before(1 << 32)
    assert [s for s, _ in tier.items()] == [1 << 33]


def test_entries_widen_from_two_bytes_as_values_grow() -> None:
    tier = PackedTier(WIDTH)
    steps = [(0, [(0, 511), (1, -512)]), (60, [(2, 512)]), (120, [(3, -(1 << 25))]), (180, [])]
    for start, items in steps:
        tier.put(start, [0] * WIDTH)
        tier.add(start, items)
    tier.flush()
    assert tier.get(0) == [511, -512, 0, 0, 0] and tier.get(60) == [0, 0, 512, 0, 0]
    assert tier.get(120) == [0, 0, 0, -(1 << 25), 0]
    tier.add(180, [(4, BIG)])
    tier.flush()
    assert tier.sum(0, 180) == [511, -512, 512, -(1 << 25), BIG]
    assert PackedTier.from_json(WIDTH, orjson.loads(orjson.dumps(tier.to_json()))) == tier
