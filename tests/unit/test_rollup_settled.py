"""An entity's settled hours never change again, so a checkpoint writes each settled hour once
(on keys of its own), deletes it once pruned, and reads it back into the same state."""

from __future__ import annotations

import dataclasses

from streams.core.rollup.config import RollupConfig
from streams.core.rollup.model import Contribution, Idle, Mark
from streams.core.rollup.state import Rollups
from streams.worker.rollup import Runner
from tests.helpers import Clock
from tests.unit.test_rollup_shell import batch, checkpoint_every, puts_and_drops
from tests.unit.test_rollups import CFG, EAST, HOUR, T0, WEST, in_order, ratings, slipping_east
from tests.unit.test_worker_shell import Recorder, Table


def test_an_hour_before_settled_hours_never_changes_again() -> None:
    # The slipping region fires (its hours are marked out of the baselines), then recovers.
    items = in_order(slipping_east(), ratings([*EAST, *WEST], T0 + 4 * HOUR, 3, 8, 1))
    r = Rollups(CFG, 1)
    first_seen: dict[tuple[str, int], list[int]] = {}
    checked = 0
    for c in items:
        r.add(c)
        r.advance()
        before = r.settled_hours()
        for key, ent in r.entities.items():
            for h, row in ent.hours.items():
                if before is not None and h < before:
                    assert first_seen.setdefault((key, h), list(row)) == row
                    checked += 1
    assert checked and any(row[3] for row in first_seen.values())  # marked ones among them


def long_stream(days: int) -> list[Contribution | Mark | Idle]:
    """Every store rated each hour for ``days`` days, all on source partition 0, then its end."""
    items = ratings([*EAST, *WEST], T0, days * 24, 1, 1)
    return [*(dataclasses.replace(c, partition=0) for c in in_order(items)), Idle(0)]


def test_a_settled_hour_is_written_once_deleted_once_pruned_and_read_back() -> None:
    cfg = RollupConfig(baseline_days=1, min_baseline_days=1)  # hours pruned after two days
    evs = batch(long_stream(4))
    table, clock = Table(), Clock()
    r = Runner(cfg, 1, table, Recorder(), clock)
    checkpoint_every(r, clock, evs, 100)
    put, dropped = puts_and_drops(table, b":hour:")
    assert put and max(put.values()) == 1  # never written again
    assert dropped and not dropped & set(table.data)
    assert {k for k in table.data if b":hour:" in k} == set(put) - dropped
    again = Runner(cfg, 1, table, Recorder(), Clock())
    assert again.state(0).to_json() == r.states[0].to_json()
    # The rest of the checkpoint no longer carries them.
    state = r.states[0]
    settled = state.settled_hours()
    assert settled is not None
    assert any(h < settled for e in state.entities.values() for h in e.hours)
    assert len([k for k in again.once[0] if k[0] == "hour"]) == len(
        {h for e in state.entities.values() for h in e.hours if h < settled}
    )
