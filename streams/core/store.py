"""The per-store processor: one event in, the store's new state and its outputs out.

Pure and deterministic: no I/O, no wall clock. Time is event time, and each event kind keeps its
own watermark per store (the newest ``occurred_at`` of that kind seen at the store). Kinds arrive
on different topics that a consumer reads at different speeds — after an outage the review
backlog may be read an hour ahead of the feedback backlog — so one shared clock would wrongly
make the slower kind "late". Within a kind, a store's events are one ordered partition, so the
worker and the file replay see the same sequence and raise the same alerts.

The state object passed in is owned by the caller and may be updated in place (copying a
store's buckets for every event would cost more than the processing itself).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from cxpulse.config import SatisfactionConfig
from schemas.alerts import AlertEvent, Summary, fingerprint
from schemas.events import Complaint, Envelope, Feedback, event_time
from streams.core import hysteresis, windows

Outcome = Literal["applied", "duplicate", "late"]
LABEL_FIELDS = ("brand", "region", "city")
CSAT_RULE = "csat_low"


@dataclass
class StoreState:
    store_id: str
    clocks: dict[str, float] = field(default_factory=dict)  # event kind -> watermark
    labels: dict[str, str] = field(default_factory=dict)
    ratings: windows.Buckets = field(default_factory=dict)  # bucket -> counts of 1..5
    seen: dict[str, dict[int, list[str]]] = field(default_factory=dict)  # kind -> bucket -> ids
    firing: dict[str, float] = field(default_factory=dict)  # rule -> firing since

    @property
    def watermark(self) -> float | None:
        """The newest event time of any kind: for display, never for lateness."""
        return max(self.clocks.values()) if self.clocks else None

    def to_json(self) -> dict[str, Any]:
        return {
            "store_id": self.store_id,
            "clocks": self.clocks,
            "labels": self.labels,
            "ratings": {str(k): v for k, v in self.ratings.items()},
            "seen": {
                kind: {str(b): ids for b, ids in buckets.items()}
                for kind, buckets in self.seen.items()
            },
            "firing": self.firing,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StoreState:
        return cls(
            store_id=d["store_id"],
            clocks=dict(d["clocks"]),
            labels=dict(d["labels"]),
            ratings={int(k): list(v) for k, v in d["ratings"].items()},
            seen={
                kind: {int(b): list(ids) for b, ids in buckets.items()}
                for kind, buckets in d["seen"].items()
            },
            firing=dict(d["firing"]),
        )


@dataclass(frozen=True)
class CsatView:
    """What the wall shows for one store: the rolling window as of `now`."""

    ratings: int
    csat: float | None  # None below min_samples: a rate from 2 ratings is noise
    delight: float | None  # share of 5s, tracked apart (domain.md: a 5 is not a 4)
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Step:
    state: StoreState
    outcome: Outcome
    alerts: tuple[AlertEvent, ...] = ()


def csat_view(state: StoreState, now: float | None, cfg: SatisfactionConfig) -> CsatView:
    """The window ending at `now` (default: the store's own feedback clock)."""
    if now is None:
        now = state.clocks.get("feedback", 0.0)
    counts = windows.totals(state.ratings, now, cfg.window, cfg.bucket, 5)
    n = sum(counts)
    if n < cfg.min_samples:
        return CsatView(n, None, None, tuple(counts))
    return CsatView(n, (counts[3] + counts[4]) / n, counts[4] / n, tuple(counts))


def process(state: StoreState, event: Envelope, cfg: SatisfactionConfig) -> Step:
    ts = event_time(event)
    kind: str = event.event_type  # type: ignore[attr-defined]
    wm = state.clocks.get(kind)
    if wm is not None and ts < wm - cfg.allowed_lateness:
        return Step(state, "late")
    if isinstance(event, Complaint):
        # Complaint steps feed the SLA engine, which keeps its own per-complaint dedupe and
        # takes steps however late; remembering their ids here too would only cost memory.
        state.clocks[kind] = ts if wm is None else max(wm, ts)
        return Step(state, "applied")
    seen = state.seen.setdefault(kind, {})
    bucket = windows.bucket_start(ts, cfg.bucket)
    if event.event_id in seen.get(bucket, ()):
        return Step(state, "duplicate")

    now = ts if wm is None else max(wm, ts)
    alerts: tuple[AlertEvent, ...] = ()
    if isinstance(event, Feedback):
        windows.add(state.ratings, ts, event.rating - 1, cfg.bucket, 5)
        windows.prune(state.ratings, now, cfg.window, cfg.bucket)
        alerts = _evaluate_csat(state, now, event.event_id, cfg)
    # Marked seen last: if anything above raised, a re-sent copy is not taken for a duplicate.
    seen.setdefault(bucket, []).append(event.event_id)
    state.clocks[kind] = now
    for name in LABEL_FIELDS:
        value = getattr(event, name)
        if value:
            state.labels[name] = value
    _prune_seen(seen, now, cfg)
    return Step(state, "applied", alerts)


def _prune_seen(seen: dict[int, list[str]], now: float, cfg: SatisfactionConfig) -> None:
    # Ids only need remembering while their event could still be applied (within lateness).
    oldest = windows.bucket_start(now - cfg.allowed_lateness, cfg.bucket)
    for b in [b for b in seen if b < oldest]:
        del seen[b]


def _evaluate_csat(
    state: StoreState, now: float, event_id: str, cfg: SatisfactionConfig
) -> tuple[AlertEvent, ...]:
    view = csat_view(state, now, cfg)
    if view.csat is None:
        return ()
    upper = wilson_upper(view.csat, view.ratings, cfg.confidence_z)
    change = hysteresis.step(
        state.firing.get(CSAT_RULE),
        bad=upper < cfg.csat_low,
        good=view.csat >= cfg.csat_recover,
        now=now,
    )
    if change is None:
        return ()
    if change.transition == "fire":
        state.firing[CSAT_RULE] = change.since
    else:
        del state.firing[CSAT_RULE]
    return (_csat_alert(state, view, change, now, event_id, cfg),)


def wilson_upper(p: float, n: int, z: float) -> float:
    """Upper end of the Wilson score interval: how high the true rate could plausibly be
    given `n` ratings. Small samples get wide intervals, so noise does not page anyone."""
    if z == 0:
        return p
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre + spread) / denom


def _iso(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _csat_alert(
    state: StoreState,
    view: CsatView,
    change: hysteresis.Change,
    now: float,
    event_id: str,
    cfg: SatisfactionConfig,
) -> AlertEvent:
    assert view.csat is not None
    labels = {"store_id": state.store_id, **state.labels}
    fp = fingerprint(CSAT_RULE, {"store_id": state.store_id})
    status: Literal["firing", "resolved"] = "firing" if change.transition == "fire" else "resolved"
    mins = int(cfg.window // 60)
    pct, n = f"{view.csat:.0%}", view.ratings
    if status == "firing":
        zh = (
            f"门店 {state.store_id} 满意度下降：近 {mins} 分钟 CSAT {pct}"
            f"（{n} 条评价，低于 {cfg.csat_low:.0%}）"
        )
        en = (
            f"Store {state.store_id} satisfaction dropped: CSAT {pct} over the last {mins} min "
            f"({n} ratings, below {cfg.csat_low:.0%})"
        )
    else:
        zh = f"门店 {state.store_id} 满意度已恢复：近 {mins} 分钟 CSAT {pct}（{n} 条评价）"
        en = f"Store {state.store_id} satisfaction recovered: CSAT {pct} over the last {mins} min"
    return AlertEvent(
        alert_event_id=f"{fp}:{status}:{int(change.since)}",
        fingerprint=fp,
        status=status,
        rule=CSAT_RULE,
        kind="satisfaction",
        severity="warning",
        labels=labels,
        summary=Summary(zh=zh, en=en),
        values={"csat": round(view.csat, 4), "ratings": float(n)},
        starts_at=_iso(change.since),
        ends_at=_iso(now) if status == "resolved" else None,
        observed_at=_iso(now),
        source_event_id=event_id,
    )
