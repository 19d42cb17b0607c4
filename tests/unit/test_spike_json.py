"""The spike baselines keep their JSON form between learns: it must always be the form of the
baselines as they are now."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.signals.spikes import SLOT_NAMES, Baselines


def afresh(b: Baselines) -> dict[str, list[float]]:
    return Baselines(array("d", b._a)).to_json()  # a new object: nothing kept


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.sampled_from(SLOT_NAMES[:3] + SLOT_NAMES[-2:]), st.integers(0, 40)),
            st.just(("read", 0)),
            st.just(("copy", 0)),
            st.just(("load", 0)),
        ),
        max_size=40,
    )
)
def test_the_kept_json_form_is_that_of_the_baselines_now(steps: list[tuple[str, int]]) -> None:
    b = Baselines()
    for op, x in steps:
        if op == "read":
            assert b.to_json() == afresh(b)
        elif op == "copy":
            before = b.to_json()
            b = b.copy()
            assert b.to_json() == before
        elif op == "load":
            b = Baselines.from_json(b.to_json())
        else:
            b.learn(op, x, 0.2, 3.0)
    assert b.to_json() == afresh(b)
