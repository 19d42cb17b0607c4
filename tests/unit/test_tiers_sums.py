"""The kept window sums of ``Tiered`` equal a sum afresh, whatever order adds, prunes and reads
come in (late events, reads that move back, windows that jump)."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.signals.tiers import FIVE_MINUTES, MINUTE, ByKind, Tiered, retention, tier_for

WIDTH = 3
WINDOWS = (3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400, 90.0)
T0 = 1_699_920_000  # a UTC midnight

step = st.one_of(
    st.tuples(st.just("add"), st.integers(-3 * 86400, 3 * 86400), st.integers(0, WIDTH - 1)),
    st.tuples(st.just("read"), st.integers(-3 * 86400, 3 * 86400), st.sampled_from(WINDOWS)),
    st.tuples(st.just("prune"), st.integers(-3 * 86400, 3 * 86400), st.just(0)),
    st.tuples(st.just("forget"), st.just(0), st.just(0)),
)


def afresh(t: Tiered, end: float, window: float, size: int | None = None) -> list[int]:
    fresh = Tiered.of(t.width, {s: dict(tier.items()) for s, tier in t.buckets.items()})
    return fresh.totals(end, window, size)


@settings(max_examples=300, deadline=None)
@given(st.lists(step, max_size=80))
def test_kept_sums_equal_a_sum_afresh(steps: list[tuple[str, int, float]]) -> None:
    t = Tiered(WIDTH)
    keep = retention(WINDOWS, 3600)
    for op, offset, arg in steps:
        at = T0 + offset
        if op == "add":
            t.add(at, [(int(arg), 1), ((int(arg) + 1) % WIDTH, 2)])
        elif op == "prune":
            t.prune(at, keep)
        elif op == "forget":
            t.forget_sums()
        else:
            assert t.totals(at, arg) == afresh(t, at, arg)
            assert t.totals(at, arg, MINUTE) == afresh(t, at, arg, MINUTE)
    for w in WINDOWS:
        assert t.totals(T0, w) == afresh(t, T0, w)


def test_a_window_slides_by_its_edges() -> None:
    t = Tiered(1)
    for m in range(0, 240):
        t.add(T0 + m * 60, [(0, 1)])
    assert t.totals(T0 + 239 * 60, 3600)[0] == 60
    t.add(T0 + 200 * 60, [(0, 5)])  # late, inside the kept window
    t.add(T0 + 10 * 60, [(0, 7)])  # late, outside it
    assert t.totals(T0 + 239 * 60, 3600)[0] == 65
    assert t.totals(T0 + 269 * 60, 3600)[0] == 30  # slid forward half a window: the late 5 left it
    assert t.totals(T0 + 69 * 60, 3600)[0] == 67  # moved back past it: summed afresh


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("feedback", "review", "call")), step), max_size=60))
def test_reads_over_every_kind_equal_a_sum_afresh(
    steps: list[tuple[str, tuple[str, int, float]]],
) -> None:
    """Windows read over every kind (one kept sum for all kinds) and of one kind (its own)
    equal a sum afresh; a kind that only ever adds zeros ("call" here) gets no counters."""
    stats = ByKind(WIDTH)
    keep = retention(WINDOWS, 3600)
    clocks: dict[str, float] = {}
    for kind, (op, offset, arg) in steps:
        at = T0 + offset
        if op == "add":
            stats.add(kind, at, [(int(arg), 0 if kind == "call" else 1)])
            clocks[kind] = max(clocks.get(kind, at), at)
            assert "call" not in stats.kinds
        elif op == "prune" and clocks:
            stats.prune(clocks, keep)
        elif op == "forget":
            stats.forget_sums()
        elif op == "read":
            fresh = ByKind(
                WIDTH,
                {
                    k: Tiered.of(WIDTH, {s: dict(b.items()) for s, b in t.buckets.items()})
                    for k, t in stats.kinds.items()
                },
            )
            assert stats.totals(at, arg) == fresh.totals(at, arg)
            assert stats.totals(at, arg) == fresh.totals(at, arg)  # a second read, from memory
            one = stats.totals(at, arg, kind="feedback")
            assert one == fresh.totals(at, arg, kind="feedback")


def sparse_form(t: Tiered) -> dict[str, dict[str, dict[str, int]]]:
    """The JSON form of counters written before tiers were packed."""
    return {
        str(size): {str(s): {str(i): v for i, v in enumerate(vec) if v} for s, vec in b.items()}
        for size, b in t.buckets.items()
    }


@settings(max_examples=300, deadline=None)
@given(st.lists(step, max_size=80))
def test_the_json_form_and_the_form_before_packing_read_back_the_same_counters(
    steps: list[tuple[str, int, float]],
) -> None:
    t = Tiered(WIDTH)
    keep = retention(WINDOWS, 3600)
    for op, offset, arg in steps:
        at = T0 + offset
        if op == "add":
            t.add(at, [(int(arg), 1), (0, -3)])  # a negative sum (the expectation gap) too
        elif op == "prune":
            t.prune(at, keep)
        elif op == "forget":
            t.forget_sums()
        else:
            t.totals(at, arg)
        again = Tiered.from_json(WIDTH, orjson.loads(orjson.dumps(t.to_json())))
        old = Tiered.from_json(WIDTH, orjson.loads(orjson.dumps(sparse_form(t))))
        assert again == t and old == t
    for w in WINDOWS:
        assert Tiered.from_json(WIDTH, sparse_form(t)).totals(T0, w) == t.totals(T0, w)


def test_a_changelog_written_before_packing_loads() -> None:
    old = {"60": {str(T0): {"0": 2, "2": 5}}, "300": {}, "3600": {str(T0): {"1": -4}}}
    t = Tiered.from_json(WIDTH, old)
    assert dict(t.buckets[MINUTE].items()) == {T0: [2, 0, 5]}
    assert dict(t.buckets[3600].items()) == {T0: [0, -4, 0]}
    assert t.totals(T0 + 59, 3600) == [2, 0, 5]


def test_hour_scale_windows_read_five_minute_buckets_and_minutes_are_kept_an_hour() -> None:
    assert [tier_for(w) for w in (3600, 2 * 3600, 6 * 3600, 86400, 28 * 86400)] == [
        60,
        300,
        300,
        3600,
        86400,
    ]
    keep = retention((3600, 6 * 3600), 600)
    assert keep[MINUTE] == 3600 + 600 + 60 and keep[FIVE_MINUTES] == 6 * 3600 + 600 + 300


def test_counters_written_before_the_five_minute_tier_get_it_from_their_minutes() -> None:
    t = Tiered(WIDTH)
    for minute, field in ((0, 0), (1, 1), (4, 0), (5, 2), (59, 0)):
        t.add(T0 + minute * 60, [(field, 1)])
    old = sparse_form(t)
    del old["300"]
    again = Tiered.from_json(WIDTH, orjson.loads(orjson.dumps(old)))
    assert again.buckets == t.buckets
    assert again.totals(T0 + 3599, 3 * 3600) == [3, 1, 1]


prune_steps = st.lists(
    st.tuples(
        st.sampled_from(("add", "prune", "prune", "read")),
        st.sampled_from((-86400, -3600, -61, 0, 59, 60, 300, 3600, 86400, 8 * 86400)),
        st.sampled_from(WINDOWS),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(prune_steps)
def test_a_prune_skipped_for_an_unchanged_clock_leaves_what_a_full_sweep_leaves(
    steps: list[tuple[str, int, float]],
) -> None:
    """The same clock twice (an event of another kind) skips the sweep: the counters and every
    read must be those of a tier that sweeps every time (each tier still keeps its cut-off)."""
    remembering, sweeping = Tiered(WIDTH), Tiered(WIDTH)
    keep = retention(WINDOWS, 3600)
    for op, offset, window in steps:
        at = T0 + offset
        if op == "add":
            remembering.add(at, [(1, 1)])
            sweeping.add(at, [(1, 1)])
        elif op == "prune":
            remembering.prune(at, keep)
            sweeping.swept = None
            sweeping.prune(at, keep)
        else:
            assert remembering.totals(at, window) == sweeping.totals(at, window)
        assert remembering.buckets == sweeping.buckets
