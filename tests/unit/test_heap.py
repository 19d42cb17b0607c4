"""The worker's cycle-collector setting (``streams.heap``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cxpulse.config import Settings
from streams.heap import Pauses, tune_gc


@pytest.fixture
def restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


@pytest.mark.usefixtures("restored")
def test_the_young_generation_waits_and_what_exists_is_frozen() -> None:
    _, middle, old = gc.get_threshold()
    kept = [[i] for i in range(100)]  # made before: frozen with the rest
    tune_gc(50_000)
    assert gc.get_threshold() == (50_000, middle, old)
    # Frozen: in no generation a collection walks, though still tracked.
    assert gc.is_tracked(kept)
    assert id(kept) not in {id(o) for o in gc.get_objects()}


@pytest.mark.usefixtures("restored")
def test_zero_leaves_python_alone() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    tune_gc(0)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_the_default_and_its_bounds() -> None:
    assert Settings().worker.gc_young_threshold == 50_000
    with pytest.raises(ValueError, match="gc_young_threshold"):
        Settings.model_validate({"worker": {"gc_young_threshold": -1}})


def test_pauses_are_timed_by_generation_while_watched() -> None:
    pauses = Pauses()
    pauses.watch()
    pauses.watch()  # once only
    try:
        gc.collect(0)
        gc.collect(2)
    finally:
        pauses.stop()
    gc.collect(1)  # not watched any more
    taken = pauses.take()
    assert [g for g, _ in taken] == [0, 2]
    assert all(0 <= s < 5 for _, s in taken)
    assert pauses.take() == []
    assert pauses not in gc.callbacks
