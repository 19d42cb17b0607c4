"""The guards that keep a normal week from paging, with exact expected alerts: an ordinary busy
hour does not page, a real incident does (docs/domain.md "Rule guards")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from schemas.alerts import AlertEvent
from streams.core.rules import csat_drop, negative_reach_high, negative_reach_jump, negative_spike
from streams.core.rules.base import Store
from streams.core.signals import fields as F
from streams.core.signals.calls_config import CallConfig, CallWindow
from streams.core.signals.config import SatisfactionConfig, SpikeConfig, WordOfMouthConfig
from streams.core.signals.spikes import SpikeState, close_hours, exclude
from streams.core.signals.tiers import ByKind
from streams.core.store import Signals
from tests.unit.test_baselines import ratings as day_ratings
from tests.unit.test_baselines import run as day_run
from tests.unit.test_calls import abandonment, call, run

MONDAY = datetime.fromisoformat("2026-11-02T00:00:00+08:00")
H = 3600


# --- calls -------------------------------------------------------------------------------


def test_an_unlucky_hour_at_a_busy_healthy_store_does_not_page() -> None:
    # 13 of 70 calls abandoned in an hour: a one-in-3,000 hour for a store that abandons 6 %,
    # which a busy store open 90 hours a week, judged on every call, meets every few months.
    # Judged at the day's z (2.33 is 99 % one-sided) the Wilson bound is 10.2 %: a page.
    calls = [call(-120), *abandonment(70, 13, 0)]  # the store's calls go back 2 hours
    hour = CallWindow(label="1h", seconds=3600, bucket=60)
    _, pages = run(calls, CallConfig(windows=(hour,), confidence_z=2.33))
    assert [a.values["abandoned"] for a in pages] == [13.0]
    # The 1 h window is judged at 3.34, the z of its 1/24 share of a 2.33 day's tail.
    _, pages = run(calls, CallConfig())
    assert pages == []


def test_a_real_abandonment_hour_at_a_busy_store_pages() -> None:
    # 30 of 90 callers hang up within the hour (the hung-up ones last): paged once 19 of 79
    # have. The store's first calls are this hour's, so the hour, whose own z is 3.34, is
    # judged as the part of it they cover (a higher z), as every window is.
    (page,) = run(abandonment(90, 30, 0), CallConfig())[1]
    assert (page.rule, page.status) == ("call_abandonment_high", "firing")
    assert page.values == {
        "abandonment": 0.2405,
        "offered": 79.0,
        "abandoned": 19.0,
        "threshold": 0.1,
        "window_seconds": 3600.0,
    }
    assert page.summary.zh == "门店 S1 电话放弃率 24%（近 1 小时 79 通来电，阈值 10%）"


def test_a_stores_first_morning_of_calls_is_not_a_days_evidence() -> None:
    # 20 calls from 09:00 to 11:22, 7 abandoned (the 1 h and 3 h windows hold fewer than 30
    # calls, so the day window is judged). Judged at the day's z it pages: on a deployment's
    # first morning, every store's thin morning is read as a whole day.
    morning = [call(9 * 60 + 7.5 * i, abandoned=i % 3 == 0) for i in range(20)]
    assert sum(c.answered_at is None for c in morning) == 7
    assert run(morning, CallConfig())[1] == []
    # The same morning at a store whose calls go back a day: the day window holds a day.
    yesterday = [call(-14 * 60)]
    (page,) = run(yesterday + morning, CallConfig())[1]
    assert page.values == {
        "abandonment": 0.35,
        "offered": 20.0,
        "abandoned": 7.0,
        "threshold": 0.1,
        "window_seconds": 86400.0,
    }


# --- negative spikes ---------------------------------------------------------------------


def evening_store(hour: int) -> int:
    """Negatives in each local hour of a busy store open 09:00-22:00: its last hour is its
    busiest for complaints, and it is closed at night."""
    local = hour % 24
    if local == 21:
        return 12
    return 5 if 9 <= local < 21 else 0


def spikes(negatives: Callable[[int], int], hours: int) -> list[AlertEvent]:
    """Negatives spread evenly over each hour from MONDAY, and a positive rating every 10
    minutes (what else the store hears: each event is judged). After each event the
    processor's steps: close the past hours into the baselines, count it, judge the rule."""
    stats, firing, state = ByKind(F.WIDTH), dict[str, float](), SpikeState()
    cfg, keep, out = SpikeConfig(), Signals().keep, list[AlertEvent]()
    start = MONDAY.timestamp()
    for h in range(hours):
        n = negatives(h)
        bad = [(i + 1) * (H // (n + 1)) for i in range(n)]
        events = sorted(
            [(s, F.NEGATIVE) for s in bad] + [(s, F.POSITIVE) for s in range(0, H, 600)]
        )
        for i, (second, field) in enumerate(events):
            ts = start + h * H + second
            state = close_hours(state, stats, ts, cfg)
            stats.add("review", ts, [(field, 1)])
            stats.prune({"review": ts}, keep)
            at = Store(stats, firing, "S001", {"store_id": "S001"}, ts, f"e{h}-{i}")
            for alert in negative_spike.evaluate(at, state, cfg):
                until = None if alert.status == "firing" else ts
                state = exclude(state, alert.starts_at.timestamp(), until)
                out.append(alert)
    return out


def test_the_last_open_hour_is_no_spike_after_closing_time() -> None:
    # Four weeks. At 22:10 the rolling hour holds ten of 21:00-22:00's dozen negatives; the
    # 22:00 slot alone expects none (a bar of 4), and the store paged every night it had a
    # baseline. The rolling hour's own normal is ten.
    assert spikes(evening_store, 28 * 24) == []


def lunch_store(hour: int) -> int:
    """A store whose lunch hour brings ten negatives, its other open hours one."""
    local = hour % 24
    return 10 if local == 12 else 1 if 9 <= local < 22 else 0


def test_a_new_stores_lunch_is_no_spike_while_its_baselines_learn() -> None:
    # Judged against the all-hours mean of its first day (0.9) the lunch paged; each page
    # kept the lunch hours out of the baselines as an incident, so they never learnt and the
    # store paged every lunch. No judging before the hour of the day has three days.
    assert spikes(lunch_store, 14 * 24) == []


def test_a_real_spike_pages_against_the_rolling_hours_normal() -> None:
    # Week four, Tuesday 12:00-13:00: 40 negatives where the store has 5.
    incident = (3 * 7 + 1) * 24 + 12

    def negatives(h: int) -> int:
        return 40 if h == incident else evening_store(h)

    pages = spikes(negatives, incident + 3)
    assert [a.status for a in pages] == ["firing", "resolved"]
    fired, resolved = pages
    # 12:26, the 21st negative of the hour: a count a Poisson hour of even 5.9 (5 plus one
    # standard error of a baseline that weighs about six hours) reaches less than once in a
    # million hours.
    assert fired.starts_at.astimezone(MONDAY.tzinfo) == MONDAY + timedelta(
        hours=incident, minutes=26, seconds=6
    )
    assert fired.values == {"negatives_last_hour": 21.0, "baseline": 5.0}
    assert fired.summary.zh == "门店 S001 负面反馈激增：近 1 小时 21 条（这个时段通常约 5.0 条）"
    # Back to the store's normal at 14:00, and the normal it quotes is still 5.
    assert resolved.ends_at is not None
    assert resolved.ends_at.astimezone(MONDAY.tzinfo) == MONDAY + timedelta(hours=incident + 2)
    assert resolved.values == {"negatives_last_hour": 5.0, "baseline": 5.0}


# --- word of mouth -----------------------------------------------------------------------


def reach_pages(events: list[tuple[float, int, int]]) -> list[AlertEvent]:
    """(hours after MONDAY, unhappy customers, post audience) of negative events, both reach
    rules judged after each as the processor judges them."""
    cfg, stats, firing = WordOfMouthConfig(), ByKind(F.WIDTH), dict[str, float]()
    out: list[AlertEvent] = []
    for i, (hours, unhappy, audience) in enumerate(events):
        ts = MONDAY.timestamp() + hours * H
        people = cfg.people(unhappy, audience)
        stats.add("review", ts, [(F.NEGATIVE, 1), (F.UNHAPPY, unhappy), (F.REACH, people)])
        at = Store(stats, firing, "S001", {"store_id": "S001"}, ts, f"e{i}")
        out += negative_reach_high.evaluate(at, cfg)
        out += negative_reach_jump.evaluate(at, cfg)
    return out


def test_one_ordinary_post_seen_by_many_is_not_spreading_word_of_mouth() -> None:
    # A week of a negative rating an hour, then one negative review whose author has 81,000
    # followers: it counts 10,000 people, far under both bars.
    week = [(h + 0.5, 1, 0) for h in range(7 * 24)]
    assert reach_pages([*week, (7 * 24 + 0.5, 1, 81_000)]) == []


def test_word_of_mouth_spreading_through_many_posts_pages() -> None:
    # Six negative reviews of 20,000 people each within the hour: the fifth (each counted as
    # 10,000, plus the 12 its author tells) takes both rules over 50,000.
    week = [(h + 0.5, 1, 0) for h in range(7 * 24)]
    posts = [(7 * 24 + 0.1 * i, 1, 20_000) for i in range(6)]
    pages = reach_pages([*week, *posts])
    assert [(a.rule, a.status) for a in pages] == [
        ("negative_reach_high", "firing"),
        ("negative_reach_jump", "firing"),
    ]
    assert pages[0].starts_at.astimezone(MONDAY.tzinfo) == MONDAY + timedelta(days=7, minutes=24)
    assert pages[0].values == {"reach": 50336.0, "unhappy": 28.0, "repair_debt": 336.0}
    assert pages[1].values == {"reach_last_hour": 50072.0, "hourly_mean_7d": 12.0}


def test_a_reach_bar_one_post_could_clear_is_refused() -> None:
    with pytest.raises(ValidationError, match="post_reach_cap"):
        WordOfMouthConfig(jump_min=8_000)


# --- relative CSAT drops -----------------------------------------------------------------


def small_store_days(last_day: tuple[int, int]) -> list[tuple[str, float, AlertEvent]]:
    """A week of 23 satisfied and 3 unhappy ratings a day (88 %), then one day of
    ``last_day`` (satisfied, unhappy); csat_drop judged every hour."""
    cfg = SatisfactionConfig()

    def counts(h: int) -> list[tuple[int, int]]:
        if h % 24 != 12:
            return []
        return day_ratings(*last_day) if h // 24 == 8 else day_ratings(23, 3)

    return day_run("feedback", 9 * 24, counts, lambda at: csat_drop.evaluate(at, cfg))


def test_an_ordinary_small_day_is_no_csat_drop() -> None:
    # 13 satisfied of 22: the two-proportion z is 3.6, past its 3.5, and it paged. A day of
    # 22 ratings at a store whose true CSAT is 85 % brings 13 or fewer about once in 340
    # days (exact binomial tail 0.003).
    assert small_store_days((13, 9)) == []


def test_a_real_small_day_drop_pages() -> None:
    pages = small_store_days((5, 17))
    # The day's ratings all come in one hour here, so the last 3 hours fell as far; while
    # that comparison fires the day's does not page (the default inhibit rule).
    by = {page.labels["comparison"]: (status, hours, page) for status, hours, page in pages}
    assert sorted(by) == ["day_vs_week", "hours_vs_week"]
    status, hours, page = by["day_vs_week"]
    assert (status, hours) == ("firing", 8 * 24 + 12.5)
    assert page.values == {
        "csat": 0.2273,
        "baseline_csat": 0.8846,
        "ratings": 22.0,
        "baseline_ratings": 182.0,
    }


def medium_store_days(afternoon: tuple[int, int]) -> list[tuple[str, float, AlertEvent]]:
    """A medium store open 10:00-22:00 (hours 2-13 of the test's day), 6 satisfied and 1
    unhappy rating an hour (86 %) for eight days; on the ninth, hours 6-9 bring ``afternoon``
    (satisfied, unhappy) each. csat_drop judged every hour."""
    cfg = SatisfactionConfig()

    def counts(h: int) -> list[tuple[int, int]]:
        if not 2 <= h % 24 < 14:
            return []
        if h // 24 == 8 and 6 <= h % 24 < 10:
            return day_ratings(*afternoon)
        return day_ratings(6, 1)

    return day_run("feedback", 9 * 24, counts, lambda at: csat_drop.evaluate(at, cfg))


def test_a_medium_stores_bad_afternoon_pages_as_its_last_hours_not_its_day() -> None:
    # Four hours at 3 satisfied of 7 (43 %) against 86 %: the day's CSAT only falls to 76 %,
    # too little for the day's comparison; the last 3 hours (9 of 21) are clearly apart.
    ((status, hours, page),) = [c for c in medium_store_days((3, 4)) if c[0] == "firing"]
    assert (status, hours, page.labels["comparison"]) == ("firing", 8 * 24 + 8.5, "hours_vs_week")
    assert page.values == {
        "csat": 0.4286,
        "baseline_csat": 0.8571,
        "ratings": 21.0,
        "baseline_ratings": 588.0,
    }
    assert (
        page.summary.zh
        == "门店 S001 满意度明显下滑：近 3 小时 CSAT 43%，此前 7 天 86%（21 条评价）"
    )


def test_a_medium_stores_ordinary_afternoon_is_no_csat_drop() -> None:
    # 5 satisfied of 7 for four hours (71 %): below the store's 86 % by chance, not an incident.
    assert medium_store_days((5, 2)) == []
