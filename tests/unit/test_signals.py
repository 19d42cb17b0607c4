"""Each CX signal on the core, with exact numbers on small hand-made streams.

Text analytics is replaced by a tiny deterministic stand-in here, so each test controls which
texts are negative and which say a crisis term; the shipped models are tested in test_text.py
and end to end in test_replay.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, ClassVar

from schemas.alerts import AlertEvent
from schemas.events import EVENT_ADAPTER
from streams.core.signals import crisis, reach, satisfaction
from streams.core.signals.config import SatisfactionConfig, SignalsConfig
from streams.core.signals.fields import REACH as F_REACH
from streams.core.signals.fields import WIDTH as F_WIDTH
from streams.core.store import Signals, StoreState, process
from tests.helpers import T0, feedback


class FakeText:
    CRISIS: ClassVar[dict[str, str]] = {"食物中毒": "safety", "记者": "media", "起诉": "legal"}

    def sentiment(self, text: str) -> tuple[str, float]:
        return (
            ("negative", -0.9)
            if "差" in text
            else ("positive", 0.9)
            if "好" in text
            else (
                "neutral",
                0.0,
            )
        )

    def crisis(self, text: str) -> list[tuple[str, str]]:
        return [(t, c) for t, c in self.CRISIS.items() if t in text]

    def taboo(self, text: str) -> list[str]:
        return ["你弄错了"] if "你弄错了" in text else []


SIG = Signals(SignalsConfig(), text=FakeText())


def event(kind: str, i: int, minutes: float, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"{kind}-{i}",
        "event_type": kind,
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "source": "test",
        "store_id": "S1",
        **fields,
    }


def run(events: list[dict[str, Any]], sig: Signals = SIG) -> tuple[StoreState, list[AlertEvent]]:
    state = StoreState("S1")
    alerts: list[AlertEvent] = []
    for d in events:
        alerts += process(state, EVENT_ADAPTER.validate_python(d, strict=False), sig).alerts
    return state, alerts


def now_of(state: StoreState) -> float:
    return max(state.clocks.values())


def test_satisfaction_measures_are_exact_over_each_window() -> None:
    old = [feedback(i, 1, minutes=-300 + i) for i in range(10)]  # 5 h ago: in 24 h, not in 1 h
    new = [
        feedback(100 + i, r, minutes=i, nps=n, ces=c, expectation=e)
        for i, (r, n, c, e) in enumerate(
            [(5, 10, 7, 4), (5, 9, 6, 5), (4, 8, 6, 4), (4, 7, 5, 5), (3, 6, 4, 4)] * 2
        )
    ]
    state, _ = run(old + new)
    cfg = SatisfactionConfig(min_samples=10)
    hour = satisfaction.view(state.stats, now_of(state), 3600, cfg)
    assert hour.ratings == 10 and hour.counts == (0, 0, 2, 4, 4)
    assert hour.csat == 0.8 and hour.delight == 0.4 and hour.mean == 4.2
    assert hour.nps == 20.0  # 4 promoters, 2 detractors of 10
    assert hour.ces == 5.6 and hour.expectation_gap == -0.2  # ratings 4.2 vs expected 4.4
    day = satisfaction.view(state.stats, now_of(state), 86400, cfg)
    assert day.ratings == 20 and day.csat == 0.4 and day.mean == 2.6


def test_today_against_the_last_week_fires_on_a_clear_drop_only() -> None:
    week = [feedback(i, 5 if i % 10 else 3, minutes=-7 * 1440 + i * 60) for i in range(7 * 24)]
    # The last 24 h: 60 % CSAT against 90 % over the week before (and no 1 h alarm: 5 per h).
    today = [feedback(1000 + i, 5 if i % 5 < 3 else 2, minutes=i * 12) for i in range(24 * 5)]
    _, alerts = run(week + today)
    drops = [a for a in alerts if a.rule == "csat_drop"]
    assert [(a.status, a.labels["comparison"]) for a in drops] == [("firing", "day_vs_week")]
    assert abs(drops[0].values["baseline_csat"] - 0.9) < 0.01 and drops[0].values["csat"] <= 0.8
    assert "近 24 小时" in drops[0].summary.zh
    assert not [a for a in alerts if a.rule == "csat_low"]


def test_reach_and_repair_debt_follow_the_model() -> None:
    complaint = event("complaint", 1, 0, complaint_id="K1", action="opened")
    bad_review = event("review", 2, 1, platform="dianping", rating=1, views=5000, text="差")
    good = [feedback(10 + i, 5, minutes=2 + i) for i in range(20)]
    state, _ = run([complaint, bad_review, *good])
    v = reach.view(state.stats, now_of(state), 86400, SIG.cfg.word_of_mouth)
    # complaint: 25 unhappy × 12 people; review: 1 × 12 + its 5,000 views
    assert (v.unhappy, v.reach) == (26, 300 + 12 + 5000)
    assert v.positives == 20 and v.repair_debt == 26 * 12 - 20


def test_one_field_of_a_window_is_the_field_of_its_totals() -> None:
    # The reach jump reads one field of its week from each kind's kept sums: the same number
    # as the whole vector summed over the kinds, wherever the window ends.
    complaint = event("complaint", 1, 0, complaint_id="K1", action="opened")
    bad_review = event("review", 2, 1, platform="dianping", rating=1, views=5000, text="差")
    later = event("review", 3, 150, platform="dianping", rating=2, views=70, text="差")
    state, _ = run([complaint, bad_review, *[feedback(10 + i, 1 + i % 5) for i in range(9)], later])
    now = now_of(state)
    for end in (now, now - 3600, now - 2 * 3600, now + 86400):
        for window, size in ((7 * 86400, 3600), (3600, 60), (86400, 3600)):
            want = state.stats.totals(end, window, size)[F_REACH]
            assert reach.field_total(state.stats, end, window, size, F_REACH) == want


def test_reach_alert_fires_once_when_the_audience_crosses_the_threshold() -> None:
    posts = [
        event("review", i, i, platform="weibo", rating=1, author_followers=8000, text="差")
        for i in range(4)
    ]
    cfg = SignalsConfig(word_of_mouth={"reach_high": 20_000, "reach_recover": 10_000})
    _, alerts = run(posts, Signals(cfg, text=FakeText()))
    high = [a for a in alerts if a.rule == "negative_reach_high"]
    assert [a.status for a in high] == ["firing"]  # 3 × 8,012 ≥ 20,000 on the third post
    assert high[0].values["reach"] == 3 * 8012 and high[0].source_event_id == "review-2"


def test_negative_spike_against_the_same_hour_of_the_week() -> None:
    # Two weeks of one low rating every hour: normal. Then 11 in 55 minutes: an hour of 1.4
    # on average (one standard error above a baseline that weighs about six hours) reaches
    # 10 about once in a million, 11 less often.
    base = [feedback(i, 1, minutes=-14 * 1440 + i * 60 + 30) for i in range(14 * 24)]
    _, alerts = run(base)
    assert not [a for a in alerts if a.rule == "negative_spike"]
    burst = [feedback(5000 + i, 1, minutes=5 + i * 5) for i in range(11)]
    _, alerts = run(base + burst[:10])
    assert not [a for a in alerts if a.rule == "negative_spike"]
    _, alerts = run(base + burst)
    spikes_ = [a for a in alerts if a.rule == "negative_spike"]
    assert [a.status for a in spikes_] == ["firing"]
    assert spikes_[0].values["negatives_last_hour"] >= 5
    assert spikes_[0].values["baseline"] < 2


def test_crisis_is_one_incident_whose_severity_rises_then_resolves() -> None:
    poison = event("review", 1, 0, platform="weibo", rating=1, text="吃完食物中毒了，差")
    journalist = event("review", 2, 5, platform="weibo", rating=1, text="已联系记者")
    special = event(
        "complaint",
        3,
        6,
        complaint_id="K9",
        action="opened",
        text="我要起诉",
        customer={"tier": "regular", "tags": ["lawyer"]},
    )
    later = feedback(99, 5, minutes=6 * 60)  # six quiet hours later: hits aged out
    much_later = feedback(100, 5, minutes=30 * 60)  # the special complaint aged out too
    _, alerts = run([poison, journalist, special, later, much_later])
    inc = [a for a in alerts if a.rule == "crisis"]
    assert [(a.status, a.severity) for a in inc] == [
        ("firing", "warning"),  # 食物中毒 4 + 记者 3 = 7, from two voices
        ("firing", "critical"),  # + lawyer complaint 3 + 起诉 3 = 13
        ("resolved", "critical"),
    ]
    assert len({a.fingerprint for a in inc}) == 1
    assert len({a.alert_event_id for a in inc}) == 3
    assert "食物中毒" in inc[0].summary.zh and inc[0].values["score"] == 7
    assert inc[1].values["score"] == 13
    assert inc[2].starts_at == inc[0].starts_at


def test_crisis_score_parts() -> None:
    state, _ = run([event("review", 1, 0, platform="weibo", text="食物中毒 食物中毒 食物中毒")])
    v = crisis.view(state.stats, state.firing, now_of(state), SIG.cfg.crisis)
    assert v.hits == {"safety": 1} and v.score == 4  # one text, one hit per term found
    assert v.sources == 1


def test_one_angry_review_is_not_a_crisis_but_two_voices_are() -> None:
    one = event("review", 1, 0, platform="dianping", rating=1, text="吃完食物中毒了，差")
    _, alerts = run([one])
    assert [a for a in alerts if a.rule == "crisis"] == []
    two = event("review", 2, 10, platform="dianping", rating=1, text="我也食物中毒了，差")
    _, alerts = run([one, two])
    assert [(a.status, a.severity) for a in alerts if a.rule == "crisis"] == [
        ("firing", "warning")  # two voices, 8 points, but critical needs three
    ]


def test_two_voices_at_a_busy_store_are_what_its_week_makes_likely_three_are_not() -> None:
    # A busy store: 40 low ratings over each lunch for six days, and among them one review a
    # day mentioning food poisoning (a complaint every busy store hears now and then).
    week = []
    for d in range(6):
        start = (d - 6) * 24 * 60
        week += [feedback(1000 * d + i, 1, minutes=start + i) for i in range(40)]
        week.append(event("review", 100 + d, start + 50, platform="dianping", rating=1,
                          text="吃完食物中毒了，差"))  # fmt: skip
    lunch = [feedback(9000 + i, 1, minutes=i) for i in range(40)]
    said = "我也食物中毒了，差"
    voices = [
        event("review", 200 + i, 5 + 10 * i, platform="dianping", rating=1, text=said)
        for i in range(3)
    ]
    state, alerts = run([*week, *lunch, *voices[:2]])
    v = crisis.view(state.stats, state.firing, now_of(state), SIG.cfg.crisis)
    # 6 mentions in 246 negatives, 40 other negatives now: chance reaches 9; capped at 3.
    assert (v.sources, v.usual_bar) == (2, 3)
    assert [a for a in alerts if a.rule == "crisis"] == []
    _, alerts = run([*week, *lunch, *voices])
    assert [(a.status, a.severity) for a in alerts if a.rule == "crisis"] == [
        ("firing", "critical")  # three voices: past what chance gives, and critical's three
    ]
    # The same two voices at a quiet store (its only negatives) are an incident.
    _, alerts = run(voices[:2])
    assert [(a.status, a.severity) for a in alerts if a.rule == "crisis"] == [("firing", "warning")]


def test_a_special_customer_corroborates_only_by_saying_a_crisis_term_themselves() -> None:
    def complaint(i: int, minutes: float, text: str, tags: list[str]) -> dict[str, Any]:
        return event("complaint", i, minutes, complaint_id=f"K{i}", action="opened", text=text,
                     customer={"tier": "regular", "tags": tags})  # fmt: skip

    journalist_late = complaint(1, 0, "外卖送得太慢了", ["media"])
    smell = complaint(2, 120, "吃完食物中毒了", [])
    state, alerts = run([journalist_late, smell])
    v = crisis.view(state.stats, state.firing, now_of(state), SIG.cfg.crisis)
    assert (v.score, v.special, v.special_voices, v.sources) == (7, 1, 0, 1)
    assert [a for a in alerts if a.rule == "crisis"] == []  # one voice; 4 + the journalist's 3
    journalist_ill = complaint(3, 0, "我吃完食物中毒了", ["media"])
    state, alerts = run([journalist_ill, smell])
    v = crisis.view(state.stats, state.firing, now_of(state), SIG.cfg.crisis)
    # Outside the hour, their own words are still a voice for the day: two voices.
    assert (v.score, v.special_voices, v.sources, v.voices) == (7, 1, 1, 2)
    assert [(a.status, a.severity) for a in alerts if a.rule == "crisis"] == [("firing", "warning")]


def test_a_special_customers_own_complaint_alone_pages_once_not_twice() -> None:
    # A journalist's complaint saying a crisis term pages as special_customer_complaint
    # (critical, from the SLA engine: test_sla.py) the moment it opens; a crisis incident
    # for the same complaint says nothing more. Even at critical's score (4 + 3 + 3) one
    # voice is one voice.
    journalist = {"tier": "regular", "tags": ["media"]}
    ill = event("complaint", 1, 0, complaint_id="K1", action="opened",
                text="我吃完食物中毒了，已经联系记者", customer=journalist)  # fmt: skip
    state, alerts = run([ill])
    v = crisis.view(state.stats, state.firing, now_of(state), SIG.cfg.crisis)
    assert (v.score, v.special_voices, v.voices) == (10, 1, 1)
    assert [a for a in alerts if a.rule == "crisis"] == []


def test_a_quiet_week_does_not_prove_a_busy_store_never_hears_a_crisis_word() -> None:
    # No mention among 523 negatives last week, 7 other negatives this hour. The rate is
    # Gamma(0 + 0.01 * 100, 523 + 100); p = 623 / 630. P(0) = p, P(1) = p (1 - p), so
    # P(X >= 2) = (1 - p)^2 = 1.23e-4: above the 1e-4 tail, two voices are not enough.
    # A plug-in Poisson at 1/623 * 7 gave P(X >= 2) = 6e-5 and paged on two ordinary
    # complaints.
    assert crisis.gamma_poisson_rare(1.0, 623.0, 7, 1e-4, cap=3) == 3
    assert (1 - 623 / 630) ** 2 > 1e-4
    # 0 of 702, 8 others: P(X >= 2) = (8/810)^2 = 9.8e-5, under the tail for one window, but
    # a rolling hour meets a pair about twice as often: 2 * 9.8e-5 is over it.
    assert crisis.gamma_poisson_rare(1.0, 802.0, 8, 1e-4, cap=3) == 3
    assert (8 / 810) ** 2 < 1e-4 < 2 * (8 / 810) ** 2
    # With one other negative, two voices are beyond chance: 2 P(X >= 2) = 2 (1/624)^2.
    assert crisis.gamma_poisson_rare(1.0, 623.0, 1, 1e-4, cap=3) == 2
    # Nothing else said this hour: any voice is beyond chance (min_sources still applies).
    assert crisis.gamma_poisson_rare(1.0, 623.0, 0, 1e-4, cap=3) == 1
    # A store whose week is full of such mentions is capped at critical's three sources.
    assert crisis.gamma_poisson_rare(7.0, 346.0, 40, 1e-4, cap=3) == 3
    # P(X >= 8) = 2.2e-5 (8 times that is over 1e-4), P(X >= 9) = 3.8e-6.
    assert crisis.gamma_poisson_rare(7.0, 346.0, 40, 1e-4, cap=99) == 9


def test_one_post_seen_by_very_many_people_is_an_incident_on_its_own() -> None:
    viral = event("review", 1, 0, platform="weibo", rating=1, text="食物中毒，差", views=200_000)
    _, alerts = run([viral])
    assert [(a.status, a.severity) for a in alerts if a.rule == "crisis"] == [
        ("firing", "warning")  # 4 + log10(200) = 6.3
    ]


def test_a_satisfied_customer_mentioning_a_crisis_word_adds_nothing() -> None:
    happy = [
        event("review", i, i, platform="dianping", rating=5, text="没有食物中毒，很好")
        for i in range(5)
    ]
    state, alerts = run(happy)
    assert [a for a in alerts if a.rule == "crisis"] == []
    assert crisis.view(state.stats, state.firing, now_of(state), SIG.cfg.crisis).score == 0


def test_taboo_phrase_by_the_agent_alerts_for_coaching_never_the_customers_words() -> None:
    call = event(
        "call",
        1,
        0,
        call_id="C1",
        agent_id="A7",
        queued_at=T0.isoformat(),
        answered_at=T0.isoformat(),
        ended_at=(T0 + timedelta(minutes=3)).isoformat(),
        transcript=[
            {"speaker": "customer", "text": "你弄错了吧"},
            {"speaker": "agent", "text": "你弄错了，这是公司的规定"},
        ],
    )
    customer_only = {**call, "event_id": "call-2", "call_id": "C2"}
    customer_only["transcript"] = [{"speaker": "customer", "text": "你弄错了"}]
    _, alerts = run([call, customer_only])
    coach = [a for a in alerts if a.rule == "taboo_phrase"]
    assert len(coach) == 1 and coach[0].severity == "info" and coach[0].kind == "coaching"
    assert coach[0].labels["agent_id"] == "A7" and coach[0].labels["call_id"] == "C1"
    assert "你弄错了" in coach[0].summary.zh


def test_state_with_every_signal_survives_a_json_round_trip() -> None:
    events = [
        event("review", 1, 0, platform="weibo", rating=1, text="食物中毒 差", views=10),
        event("complaint", 2, 1, complaint_id="K1", action="opened"),
        *[feedback(10 + i, 1 + i % 5, minutes=2 + i * 70, nps=i % 11) for i in range(30)],
    ]
    state, _ = run(events)
    again = StoreState.from_json(json.loads(json.dumps(state.to_json())))
    assert again == state
    nxt = EVENT_ADAPTER.validate_python(feedback(99, 1, minutes=2200), strict=False)
    a, b = process(state, nxt, SIG), process(again, nxt, SIG)
    assert a.alerts == b.alerts and a.state == b.state


def test_snapshot_and_gauges_carry_every_signal() -> None:
    from prometheus_client import generate_latest

    from streams.core.snapshot import snapshot
    from streams.metrics import Metrics

    events = [
        *[feedback(i, 5 if i % 4 else 1, minutes=i, nps=9) for i in range(20)],
        event("review", 1, 21, platform="weibo", rating=1, text="差", views=100),
    ]
    state, _ = run(events)
    snap = snapshot(state, None, SIG)
    hour = snap.windows[0]
    assert (hour.window, hour.ratings, hour.rating_counts) == ("1h", 20, [5, 0, 0, 0, 15])
    assert hour.csat == 0.75 and hour.nps == 100.0 and hour.negatives == 6
    assert hour.reach == 5 * 12 + 12 + 100 and [w.window for w in snap.windows] == [
        "1h",
        "24h",
        "7d",
    ]
    m = Metrics()
    m.show(snap)
    text = generate_latest(m.registry).decode()
    assert 'cxpulse_store_csat_ratio{store_id="S1",window="24h"} 0.75' in text
    assert 'cxpulse_city_ratings{city="",rating="5",region="",window="1h"} 15.0' in text
    assert 'cxpulse_store_negative_reach{store_id="S1",window="1h"} 172.0' in text


def test_a_window_that_is_not_whole_buckets_still_sums_its_buckets() -> None:
    from streams.core.signals.tiers import MINUTE, Tiered

    t = Tiered(3)
    for m in range(200):  # one per minute
        t.add(m * 60.0, [(0, 1)])
    assert t.totals(11940, 5400, MINUTE)[0] == 90
    assert t.totals(11940, 5430, MINUTE)[0] == 90  # 90.5 minutes: the 90 whole ones


def test_counters_from_before_per_kind_keeping_are_read_and_aged_out() -> None:
    from streams.core.signals.tiers import LEGACY, ByKind, Tiered

    old = Tiered(F_WIDTH)
    old.add(1000.0, [(0, 2)])
    state = StoreState.from_json(
        {
            **StoreState(store_id="S1").to_json(),
            "stats": old.to_json(),
            "clocks": {"feedback": 1000.0},
        }
    )
    assert list(state.stats.kinds) == [LEGACY]
    assert state.stats.totals(1000.0, 3600)[0] == 2
    state.stats.prune({"feedback": 10 * 86400.0}, {60: 3600, 3600: 86400, 86400: 86400})
    assert state.stats.totals(10 * 86400.0, 30 * 86400)[0] == 0  # aged by the newest clock
    assert isinstance(state.stats, ByKind)


def test_sentiment_is_not_counted_but_still_decides_an_unrated_review() -> None:
    """No reader takes the comment and review sentiment counts, so they are not kept; a review
    without a rating is still negative or positive by its text."""
    from streams.core.signals import fields as F

    state, _ = run(
        [
            feedback(1, 5, minutes=0, comment="好"),
            event("review", 2, 1, platform="dianping", views=10, text="差"),
            event("review", 3, 2, platform="dianping", views=10, text="好"),
            event("review", 4, 3, platform="dianping", views=10, text="一般"),
        ]
    )
    for size in (60, 300, 3600, 86400):
        t = state.stats.totals(now_of(state), 7 * 86400, size)
        assert t[F.COMMENT_NEG] == t[F.COMMENT_NEU] == t[F.COMMENT_POS] == 0
    t = state.stats.totals(now_of(state), 3600)
    assert t[F.NEGATIVE] == 1  # the unrated "差" review
    assert t[F.POSITIVE] == 2  # the 5-star feedback and the unrated "好" review
