"""The statistical guards of the rate rules, on simulated stores, with exact numbers: a healthy
store's noise does not page, a real problem does, an incident does not become the baseline,
and a small store's satisfaction drop is seen within a business day."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

from schemas.alerts import AlertEvent
from schemas.events import Call
from streams.config import StreamSettings
from streams.core.decode import decode
from streams.core.rules.calls import evaluate
from streams.core.signals import fields as F
from streams.core.signals.calls import CallStats, add
from streams.core.signals.calls_config import CallConfig
from streams.core.signals.config import SatisfactionConfig, SpikeConfig
from streams.core.signals.spikes import SpikeState, close_hours, exclude, hour_of_week
from streams.core.signals.tiers import ByKind
from streams.replay import read_events, replay
from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl

MONDAY = datetime.fromisoformat("2026-11-02T00:00:00+08:00")


def simulated(cfg: SimConfig, days: int) -> list[bytes]:
    buf = io.StringIO()
    write_jsonl(Simulator(cfg), MONDAY, MONDAY + timedelta(days=days), buf)
    return [ln.encode() for ln in buf.getvalue().splitlines()]


def call_pages(lines: list[bytes], cfg: CallConfig) -> list[AlertEvent]:
    """The call rules alone over the simulated calls, in event-time order."""
    calls = [e for ln in lines if isinstance(e := decode(ln), Call)]
    stats, out = CallStats(), list[AlertEvent]()
    for c in sorted(calls, key=lambda c: (c.occurred_at, c.event_id)):
        add(stats, c, cfg)
        out += evaluate(stats, c.occurred_at.timestamp(), "S001", {}, c.event_id, cfg)
    return [a for a in out if a.status == "firing" and a.rule == "call_abandonment_high"]


def call_store(abandon_rate: float, *scenarios: str) -> SimConfig:
    # ~25 calls an hour at the lunch peak; nothing but calls.
    return SimConfig(
        stores=1,
        seed=3,
        feedback_per_store_hour=0,
        reviews_per_store_hour=0,
        calls_per_store_hour=25,
        abandon_rate=abandon_rate,
        scenarios=tuple(parse_scenario(s) for s in scenarios),
    )


def test_abandonment_noise_at_a_healthy_store_does_not_page() -> None:
    # Four weeks at a true 1.5 % abandonment: the rate alone ("10 % of at least 20 calls")
    # pages on two unlucky calls in an hour; the Wilson lower bound never does.
    lines = simulated(call_store(0.015), days=28)
    rate_alone = CallConfig(evaluate_window="1h", confidence_z=0)
    assert len(call_pages(lines, rate_alone)) == 4
    assert call_pages(lines, CallConfig()) == []


def test_a_real_abandonment_problem_pages() -> None:
    # 20 % of callers hang up all Tuesday. Neither the quiet hours' 25 calls nor three hours
    # of them show it at the z their windows are judged at; the dinner hour's 30 calls with
    # 9 abandoned do (a Wilson lower bound of 10.2 % at z 3.34).
    start = MONDAY + timedelta(days=1, hours=9)
    lines = simulated(call_store(0.015, f"abandon:S001@{start.isoformat()}/13h,rate=0.2"), days=2)
    (page,) = call_pages(lines, CallConfig())
    assert page.starts_at - start == timedelta(hours=10, minutes=2, seconds=32)
    assert page.values == {
        "abandonment": 0.3,
        "offered": 30.0,
        "abandoned": 9.0,
        "threshold": 0.1,
        "window_seconds": 3600.0,
    }


def test_an_incident_hour_does_not_become_the_spike_baseline() -> None:
    cfg = SpikeConfig()
    stats = ByKind(F.WIDTH)
    start = MONDAY.timestamp()
    # Four weeks of 3 negatives an hour, then Tuesday 12:00 of week five brings 30.
    incident = start + (4 * 7 + 1) * 86400 + 12 * 3600
    for h in range(int((incident - start) // 3600) + 1):
        for _ in range(30 if start + h * 3600 == incident else 3):
            stats.add("review", start + h * 3600 + 60, [(F.NEGATIVE, 1)])
    before = close_hours(SpikeState(int(start)), stats, incident, cfg)
    slot = f"how{hour_of_week(incident, cfg.timezone)}"
    assert before.baselines[slot][0] == 3.0
    after = incident + 3600
    # The spike alert covered the hour (fired at 12:30, resolved at 13:10): left out.
    paged = exclude(before, incident + 1800, incident + 4200)
    assert close_hours(paged, stats, after, cfg).baselines[slot][0] == 3.0
    # Folded in without a page: winsorised at 4 sd, 3 + 4 x sqrt(3) = 9.93, so the mean moves
    # to 5.08 (the raw 30 would have made it 11.1: "usually ~11 at this hour" a week later).
    learnt = close_hours(before, stats, after, cfg).baselines[slot][0]
    assert round(learnt, 2) == 5.08


def test_the_spike_alert_resolves_against_the_normal_baseline() -> None:
    # Three weeks of a store with about 3 negatives in a lunch hour, then 30 ordinary negative
    # reviews in one: the page and its resolution both say the store's normal.
    start = MONDAY + timedelta(days=22, hours=12)
    cfg = SimConfig(
        stores=1,
        seed=5,
        feedback_per_store_hour=20,
        calls_per_store_hour=0,
        scenarios=(parse_scenario(f"spike:S001@{start.isoformat()}/1h,negatives=30"),),
    )
    result = replay(read_events(simulated(cfg, days=24)), StreamSettings())
    spikes = [a for a in result.alerts if a.rule == "negative_spike"]
    assert [a.status for a in spikes] == ["firing", "resolved"]
    # Early in the hour: the rolling hour is mostly 11:00-12:00, whose normal is lower.
    assert spikes[0].values == {"negatives_last_hour": 12.0, "baseline": 1.32}
    # The incident's hour of the week closed while the alert fired: its baseline is the one
    # the page quoted (learnt, it would be ~13: "usually ~13 at this hour" next week).
    slot = f"how{hour_of_week(start.timestamp(), SpikeConfig().timezone)}"
    assert round(result.stores["S001"].spikes.baselines[slot][0], 2) == 3.69


def test_a_small_store_satisfaction_drop_pages_within_the_business_day() -> None:
    # About 4 ratings an hour at the lunch peak; the store's CSAT falls to 35 % at opening.
    start = MONDAY + timedelta(days=1, hours=9)
    cfg = SimConfig(
        stores=1,
        seed=2,
        feedback_per_store_hour=4,
        calls_per_store_hour=0,
        reviews_per_store_hour=0,
        scenarios=(parse_scenario(f"drop:S001@{start.isoformat()}/13h,csat=0.35"),),
    )
    lines = simulated(cfg, days=3)

    def pages(sat: SatisfactionConfig) -> list[AlertEvent]:
        result = replay(read_events(lines), StreamSettings(satisfaction=sat))
        return [a for a in result.alerts if a.rule == "csat_low" and a.status == "firing"]

    # One window of an hour can never hold 15 ratings at this store.
    assert pages(SatisfactionConfig(alert_windows=[3600])) == []
    (page,) = pages(SatisfactionConfig())
    assert page.starts_at - start == timedelta(hours=4, minutes=18, seconds=53)
    assert page.values == {"csat": 0.4167, "ratings": 24.0, "window_seconds": 86400.0}
    assert page.summary.zh == "门店 S001 满意度下降：近 24 小时 CSAT 42%（24 条评价，低于 60%）"


def test_alert_windows_must_be_shortest_first() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        SatisfactionConfig(alert_windows=[86400, 3600])
    assert json.loads(SatisfactionConfig().model_dump_json())["alert_windows"][0] == 3600
