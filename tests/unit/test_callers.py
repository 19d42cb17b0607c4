"""Remembered callers as rows of arrays judge repeats exactly as the dict of tuples they
replaced, whatever order the calls come in and however often they are pruned."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.signals.callers import Caller, Callers
from streams.core.signals.calls import customer_key

SPAN, LATENESS = 3600.0, 600.0


class Reference:
    """The dict of tuples, as the call signals kept remembered callers before rows."""

    def __init__(self) -> None:
        self.callers: dict[str, tuple[Caller, ...]] = {}

    def remember(self, key: str, call: Caller) -> tuple[bool, Caller | None]:
        before = self.callers.get(key, ())
        i = bisect_right([c[0] for c in before], call[0])
        calls = self.callers[key] = (*before[:i], call, *before[i:])
        prev = calls[i - 1] if i else None
        nxt = calls[i + 1] if i + 1 < len(calls) else None
        repeat = prev is not None and call[0] - prev[0] <= SPAN
        was_first = prev is None or (nxt is not None and nxt[0] - prev[0] > SPAN)
        return repeat, nxt if nxt is not None and nxt[0] - call[0] <= SPAN and was_first else None

    def prune(self, now: float) -> None:
        horizon = now - LATENESS
        for key in list(self.callers):
            calls = self.callers[key]
            kept = calls[max(0, bisect_left([c[0] for c in calls], horizon) - 1) :]
            if kept and kept[0][0] < horizon - SPAN:
                kept = kept[1:]
            if kept:
                self.callers[key] = kept
            else:
                del self.callers[key]


calls = st.lists(
    st.tuples(
        st.integers(0, 5),  # customer
        st.integers(-20, 400),  # minutes, out of order within lateness of the newest
        st.sampled_from(("hotline", "vip")),
        st.sampled_from(("AG1", "AG2", None)),
        st.booleans(),  # prune after it
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(calls)
def test_rows_judge_repeats_as_the_dict_of_tuples(
    steps: list[tuple[int, int, str, str | None, bool]],
) -> None:
    ref, rows = Reference(), Callers()
    now = None
    for customer, minutes, queue, agent, prune in steps:
        ts = 1_700_000_000.0 + minutes * 60
        if now is not None and ts < now - LATENESS:
            continue  # late: the store skips it
        now = ts if now is None else max(now, ts)
        key = customer_key(f"C{customer}")
        assert rows.remember(key, (ts, queue, agent), SPAN) == ref.remember(key, (ts, queue, agent))
        if prune:
            ref.prune(now)
            rows.prune(now - LATENESS, SPAN)
        want = [(int(k, 16), *c) for k, cs in ref.callers.items() for c in cs]
        assert rows.rows() == sorted(want, key=lambda row: row[0])  # stable: time order kept
        assert len(rows) == len(ref.callers)
        assert Callers.from_json(orjson.loads(orjson.dumps(rows.to_json()))) == rows
