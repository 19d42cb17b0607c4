"""Settings of the rollup alerts: one alert for a brand, region or city, judged on the sum of its
stores. The thresholds follow the store rules' (``satisfaction``); the rest are operational
choices and say why."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Seconds = Annotated[float, Field(gt=0)]
Share = Annotated[float, Field(ge=0, le=1)]
Level = Literal["brand", "region", "city"]


class RollupConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    levels: list[Level] = ["brand", "region", "city"]
    # Rules are judged at every `step` of event time over the last `window` (closed steps only),
    # so the worker and the replay judge the same instants over the same events.
    step: Seconds = 300.0
    window: Seconds = 3600.0
    # A contribution older than its source partition's newest event by more than this is left
    # out of the rollups (and counted): each step is judged once, when every source partition
    # has passed it by `lateness`. The worker's merge buffer hands a partition's events on in
    # event-time order, so only a real straggler is this late. Operational default.
    lateness: Seconds = 120.0
    # An entity's window needs this many ratings before it is judged: a region's hour has
    # hundreds, a city of a few small stores reaches it over its busy hours. Operational.
    min_ratings: Annotated[int, Field(ge=1)] = 60
    # CSAT = share of 4s and 5s (docs/domain.md "Satisfaction"), the same thresholds as a
    # store's `satisfaction.csat_low` / `csat_recover`, judged on the Wilson upper bound at `z`
    # (3.0: the rule is read every step of every entity, about 300 looks a day each).
    csat_low: Share = 0.60
    csat_recover: Share = 0.70
    z: Annotated[float, Field(ge=0, le=6)] = 3.0
    # Against the entity's own baseline (the same hours of the last `baseline_days`, hours when
    # its own alert fired left out): a fall of `drop` or more whose Wilson intervals at `z` do
    # not overlap; resolved once within `recover`. Operational defaults, like `csat_drop`'s.
    drop: Share = 0.15
    recover: Share = 0.05
    baseline_days: Annotated[int, Field(ge=1, le=28)] = 7
    min_baseline_ratings: Annotated[int, Field(ge=1)] = 200
    # Negatives in the window against the same clock window of the baseline days: at least
    # `spike_min` and a count a Poisson window of the baseline mean reaches less often than
    # `spike_tail` (the store rule's tail: every entity is read all day).
    spike_min: Annotated[int, Field(ge=1)] = 20
    spike_tail: Annotated[float, Field(gt=0, lt=1)] = 1e-6
    min_baseline_days: Annotated[int, Field(ge=1)] = 3
    # While an entity's alert fires, its hours stay out of its baselines for at most this long
    # (the store rules' `hold_baseline`). Operational default.
    hold_baseline: Seconds = 3 * 86400.0
    # The page names this many of the entity's worst stores in the window.
    worst: Annotated[int, Field(ge=1, le=20)] = 5

    @model_validator(mode="after")
    def _consistent(self) -> RollupConfig:
        if self.csat_recover < self.csat_low:
            raise ValueError("rollups.csat_recover must be >= csat_low (the hysteresis band)")
        if self.window % self.step:
            raise ValueError("rollups.window must be a whole number of steps")
        if 3600 % self.step:
            raise ValueError("rollups.step must divide an hour")
        if not self.levels or len(set(self.levels)) != len(self.levels):
            raise ValueError("rollups.levels: at least one of brand, region, city, no repeats")
        return self
