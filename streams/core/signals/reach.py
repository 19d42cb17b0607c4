"""Negative word of mouth: how many people hear of a store's bad experiences, and how many good
ones it would take to repair them (README "Negative word of mouth" documents the model).

Per event: a complaint stands for 1/complaint_share unhappy customers (25: only 4% complain);
a low rating, a negative review or a negative call for one. Each unhappy customer tells
``per_unhappy`` people (12); a negative online review also reaches its audience (the larger of
its views and the author's followers). Repair debt = repair_ratio (12) × unhappy − positives.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.alerts import AlertEvent
from streams.core import alerting, hysteresis
from streams.core.signals import fields as F
from streams.core.signals.config import WordOfMouthConfig
from streams.core.signals.tiers import HOUR, MINUTE, ByKind

HIGH_RULE = "negative_reach_high"
JUMP_RULE = "negative_reach_jump"


@dataclass(frozen=True)
class ReachView:
    window: float
    unhappy: int
    positives: int
    reach: int
    repair_debt: int  # positive experiences still needed to make up for the negatives


def view(stats: ByKind, now: float, window: float, cfg: WordOfMouthConfig) -> ReachView:
    return from_totals(stats.totals(now, window), window, cfg)


def from_totals(t: list[int], window: float, cfg: WordOfMouthConfig) -> ReachView:
    debt = max(0, round(cfg.repair_ratio * t[F.UNHAPPY]) - t[F.POSITIVE])
    return ReachView(window, t[F.UNHAPPY], t[F.POSITIVE], t[F.REACH], debt)


def evaluate(
    stats: ByKind,
    firing: dict[str, float],
    store_id: str,
    labels: dict[str, str],
    now: float,
    event_id: str,
    cfg: WordOfMouthConfig,
) -> tuple[AlertEvent, ...]:
    out: list[AlertEvent] = []
    v = view(stats, now, cfg.window, cfg)
    change = hysteresis.step(
        firing.get(HIGH_RULE),
        bad=v.reach >= cfg.reach_high,
        good=v.reach < cfg.reach_recover,
        now=now,
    )
    hours = int(cfg.window // 3600)
    if change is not None:
        hysteresis.record(firing, HIGH_RULE, change)
        fire = change.transition == "fire"
        out.append(
            alerting.make(
                rule=HIGH_RULE,
                kind="word_of_mouth",
                severity="warning",
                status="firing" if fire else "resolved",
                identity={"store_id": store_id},
                labels=labels,
                since=change.since,
                now=now,
                zh=(
                    f"门店 {store_id} 负面口碑{'扩散' if fire else '已回落'}：近 {hours} 小时估计"
                    f" {v.reach:,} 人听说（{v.unhappy} 位不满顾客，"
                    f"需 {v.repair_debt:,} 次好评弥补）"
                ),
                en=(
                    f"Store {store_id} negative word of mouth {'spreading' if fire else 'easing'}:"
                    f" ~{v.reach:,} people reached in {hours} h ({v.unhappy} unhappy customers,"
                    f" {v.repair_debt:,} good experiences to repair)"
                ),
                values=_values(v),
                source_event_id=event_id,
            )
        )
    jump = _jump(stats, firing, store_id, labels, now, event_id, cfg)
    if jump is not None:
        out.append(jump)
    return tuple(out)


def _jump(
    stats: ByKind,
    firing: dict[str, float],
    store_id: str,
    labels: dict[str, str],
    now: float,
    event_id: str,
    cfg: WordOfMouthConfig,
) -> AlertEvent | None:
    last_hour = stats.totals(now, 3600, MINUTE)[F.REACH]
    # The week before the last hour, hour by hour.
    mean = stats.totals(now - 3600, 7 * 86400, HOUR)[F.REACH] / (7 * 24)
    bar = max(cfg.jump_min, cfg.jump_factor * mean)
    change = hysteresis.step(
        firing.get(JUMP_RULE), bad=last_hour >= bar, good=last_hour < bar / 2, now=now
    )
    if change is None:
        return None
    hysteresis.record(firing, JUMP_RULE, change)
    fire = change.transition == "fire"
    return alerting.make(
        rule=JUMP_RULE,
        kind="word_of_mouth",
        severity="warning",
        status="firing" if fire else "resolved",
        identity={"store_id": store_id},
        labels=labels,
        since=change.since,
        now=now,
        zh=f"门店 {store_id} 负面口碑{'骤增' if fire else '骤增已平息'}："
        f"近 1 小时估计 {last_hour:,} 人"
        f"（平时每小时约 {mean:,.0f} 人）",
        en=f"Store {store_id} negative reach {'jumped' if fire else 'back to normal'}:"
        f" ~{last_hour:,}"
        f" people in the last hour (usually ~{mean:,.0f} an hour)",
        values={"reach_last_hour": float(last_hour), "hourly_mean_7d": round(mean, 1)},
        source_event_id=event_id,
    )


def _values(v: ReachView) -> dict[str, float]:
    return {
        "reach": float(v.reach),
        "unhappy": float(v.unhappy),
        "repair_debt": float(v.repair_debt),
    }
