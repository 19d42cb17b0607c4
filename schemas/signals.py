"""Signal snapshots: what the worker publishes on the signals topic for each store it touched
(at most once per batch), so a wall, a report or a rollup consumer can follow every signal
without scraping Prometheus. All figures are in event time, as of ``observed_at``."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WindowSignals(_Frozen):
    window: str = Field(description="e.g. '1h', '24h', '7d'")
    ratings: int
    rating_counts: list[int] = Field(description="ratings of 1, 2, 3, 4, 5")
    csat: float | None = Field(description="share of 4-5; null below the minimum sample")
    delight: float | None = Field(description="share of 5s")
    mean_rating: float | None
    nps: float | None = Field(description="% promoters − % detractors, −100..100")
    nps_counts: list[int] = Field(description="promoters (9-10), passives, detractors (0-6)")
    ces: float | None
    expectation_gap: float | None = Field(description="mean rating − expectation")
    negatives: int = Field(description="low ratings, negative reviews and calls, complaints")
    unhappy: int = Field(description="unhappy customers these stand for (reach model)")
    positives: int
    reach: int = Field(description="estimated people who heard of the negatives")
    repair_debt: int = Field(description="positive experiences still needed to repair")


class CallSignals(_Frozen):
    scope: str = Field(description="store | queue | agent")
    scope_id: str = Field(description="'' for the store itself, else the queue or agent id")
    window: str = Field(description="a call window; agents only in calls.agent_windows")
    offered: int
    answered: int
    abandoned: int
    abandonment: float | None
    asa: float | None = Field(description="average speed of answer, seconds")
    aht: float | None = Field(description="average handle time, seconds")
    service_level: float | None = Field(description="share answered within N seconds")
    transfer_rate: float | None
    repeated_transfer_rate: float | None
    fcr: float | None = Field(description="first-contact resolution")
    repeat_rate: float | None = Field(description="same customer again within N hours")


class SignalSnapshot(_Frozen):
    store_id: str
    labels: dict[str, str]
    observed_at: AwareDatetime
    windows: list[WindowSignals]
    crisis_score: float
    negatives_last_hour: int
    negatives_baseline: float | None = Field(description="normal for this hour of the week")
    firing: list[str] = Field(description="alert keys firing at this store")
    calls: list[CallSignals] = []
