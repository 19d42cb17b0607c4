"""Baselines that exclude their own alert: a long incident stays an incident (still firing, and
resolving only when the store recovers) and the resolved page quotes the store's real normal."""

from __future__ import annotations

from collections.abc import Callable

from schemas.alerts import AlertEvent
from streams.core.rules import csat_drop, negative_reach_jump
from streams.core.rules.base import Store
from streams.core.signals import fields as F
from streams.core.signals.baseline import baseline_end
from streams.core.signals.config import SatisfactionConfig, WordOfMouthConfig
from streams.core.signals.fields import WIDTH
from streams.core.signals.tiers import ByKind
from streams.core.store import Signals

T0 = 1_793_548_800.0  # 2026-11-02 00:00 UTC, a Monday
H, D = 3600, 86400

Hour = Callable[[int], list[tuple[int, int]]]  # hour index -> counts added in that hour
Rule = Callable[[Store], tuple[AlertEvent, ...]]


def run(kind: str, hours: int, counts: Hour, rule: Rule) -> list[tuple[str, float, AlertEvent]]:
    """Every hour: its counts at minute 1, pruned as the processor prunes, then one evaluation
    at minute 30. Returns (status, hours since T0, alert) of each change."""
    stats, firing, keep = ByKind(WIDTH), dict[str, float](), Signals().keep
    out: list[tuple[str, float, AlertEvent]] = []
    for h in range(hours):
        stats.add(kind, T0 + h * H + 60, counts(h))
        now = T0 + h * H + 1800
        stats.prune({kind: now}, keep)
        for a in rule(Store(stats, firing, "S001", {"store_id": "S001"}, now, f"e{h}")):
            out.append((a.status, (now - T0) / H, a))
    return out


def ratings(good: int, bad: int) -> list[tuple[int, int]]:
    return [(F.RATING[3], good), (F.RATING[0], bad)]


def during(h: int, start_day: int, days: int) -> bool:
    return start_day * 24 <= h < (start_day + days) * 24


def test_baseline_stands_where_it_was_when_the_alert_fired_for_at_most_hold() -> None:
    assert baseline_end(None, 100.0, 30.0) == 100.0
    assert baseline_end(90.0, 100.0, 30.0) == 90.0  # firing for 10 s: held at 90
    assert baseline_end(50.0, 100.0, 30.0) == 70.0  # firing for 50 s: lags 30 behind


def test_a_three_day_csat_incident_fires_once_and_resolves_only_after_the_store_recovers() -> None:
    # 20 ratings an hour: 85 % CSAT, then 35 % for days 10-12, then 85 % again.
    def counts(h: int) -> list[tuple[int, int]]:
        return ratings(7, 13) if during(h, 10, 3) else ratings(17, 3)

    cfg = SatisfactionConfig()
    changes = run("feedback", 17 * 24, counts, lambda at: csat_drop.evaluate(at, cfg))
    day = [(s, t, a) for s, t, a in changes if a.labels.get("comparison") == "day_vs_week"]
    # Fires 8 hours in (a gap of 8/24 × 50 points ≥ 15), holds through all three days, and
    # resolves once the day's CSAT is back within 5 points of the store's own 85 %: 22 hours
    # into the recovery. Against a baseline that had learnt the incident (67 %) it resolved
    # 13 hours in, at a day's CSAT of 62 %.
    assert [(s, t) for s, t, _ in day] == [("firing", 247.5), ("resolved", 333.5)]
    fired, resolved = day[0][2], day[1][2]
    assert fired.values["baseline_csat"] == 0.85
    assert resolved.values == {
        "csat": 0.8083,
        "baseline_csat": 0.85,
        "ratings": 480.0,
        "baseline_ratings": 3360.0,
    }
    assert "此前 7 天 85%" in resolved.summary.zh


def test_a_long_reach_jump_is_measured_against_the_week_before_it_not_itself() -> None:
    # 2,000 people an hour hear of the store's negatives; 60,000 an hour for 20 hours of day 8.
    def counts(h: int) -> list[tuple[int, int]]:
        return [(F.REACH, 60_000 if 8 * 24 <= h < 8 * 24 + 20 else 2_000)]

    cfg = WordOfMouthConfig()
    changes = run("review", 10 * 24, counts, lambda at: negative_reach_jump.evaluate(at, cfg))
    assert [(s, t) for s, t, _ in changes] == [("firing", 192.5), ("resolved", 212.5)]
    resolved = changes[1][2]
    # The mean it resolves against is the store's normal, not one learnt from the jump (8,905).
    assert resolved.values == {"reach_last_hour": 2000.0, "hourly_mean_7d": 2000.0}
    assert "平时每小时约 2,000 人" in resolved.summary.zh
