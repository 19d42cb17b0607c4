"""The CX event simulator: contract validity, determinism, realism and scenarios."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schemas.events import EVENT_ADAPTER
from streams.simulate import (
    CRISIS_TERMS,
    TABOO_PHRASES,
    CrisisBurst,
    SatisfactionDrop,
    SimConfig,
    Simulator,
    TabooPhrase,
    UnansweredComplaint,
    parse_scenario,
    write_jsonl,
)

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, tzinfo=TZ)  # a Monday
Events = list[dict[str, object]]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def local_hour(event: dict[str, object]) -> int:
    return datetime.fromisoformat(str(event["occurred_at"])).astimezone(TZ).hour


def when(event: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(event["occurred_at"]))


def csat(events: Events) -> float:
    ratings = [int(str(e["rating"])) for e in events if e["event_type"] == "feedback"]
    assert ratings, "no feedback to compute CSAT from"
    return sum(r >= 4 for r in ratings) / len(ratings)


def of(events: Events, kind: str, store: str | None = None) -> Events:
    return [
        e for e in events if e["event_type"] == kind and (store is None or e["store_id"] == store)
    ]


def customer(event: dict[str, object]) -> dict[str, object]:
    value = event["customer"]
    assert isinstance(value, dict)
    return value


def agent_lines(call: dict[str, object]) -> list[str]:
    transcript = call.get("transcript")
    assert isinstance(transcript, list)
    return [str(u["text"]) for u in transcript if u["speaker"] == "agent"]


@pytest.fixture(scope="module")
def week() -> Events:
    """A plain 20-store week: the baseline every realism test reads."""
    return Simulator(SimConfig()).events_between(MONDAY, MONDAY + timedelta(days=7))


SCENARIOS = (
    SatisfactionDrop("S003", at(2, 11), timedelta(hours=3)),
    CrisisBurst("S005", at(2, 19), timedelta(hours=1), reviews=30),
    UnansweredComplaint("S002", at(2, 10, 15), tier="vip"),
    TabooPhrase("S004", at(2, 15), agent_id="AG077"),
)


@pytest.fixture(scope="module")
def scenario_days() -> Events:
    """Six stores with every scenario on Wednesday, watched until Saturday so that the
    unanswered complaint has had 2.5 days in which to (wrongly) get a reply."""
    sim = Simulator(SimConfig(stores=6, scenarios=SCENARIOS))
    return sim.events_between(at(2, 0), at(5, 0))


# -- contract ---------------------------------------------------------------------------------


def test_every_event_validates_through_json(week: Events, scenario_days: Events) -> None:
    sources = {"feedback": "survey", "call": "callcenter", "review": "review-scraper"}
    sources["complaint"] = "ticketing"
    for event in week + scenario_days:
        line = json.dumps(event, ensure_ascii=False)
        model = EVENT_ADAPTER.validate_json(line)
        assert model.source == sources[model.event_type]
        assert model.brand and model.region and model.city and model.channel
        assert model.occurred_at.utcoffset() == timedelta(hours=8)
    assert len({e["event_id"] for e in week}) == len(week)
    assert {e["event_type"] for e in week} == set(sources)
    # A simulated week of 20 stores is tens of thousands of events.
    assert 10_000 <= len(week) <= 60_000


def test_output_is_sorted_and_inside_the_interval(week: Events) -> None:
    keys = [(when(e), str(e["event_id"])) for e in week]
    assert keys == sorted(keys)
    assert keys[0][0] >= MONDAY
    assert keys[-1][0] < MONDAY + timedelta(days=7)


def test_naive_datetimes_are_rejected() -> None:
    sim = Simulator(SimConfig(stores=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        sim.events_between(datetime(2026, 11, 23), datetime(2026, 11, 24))


def test_scenario_for_unknown_store_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown store 'S042'"):
        Simulator(SimConfig(stores=5, scenarios=(TabooPhrase("S042", MONDAY),)))


# -- determinism and interval splitting --------------------------------------------------------


def test_same_config_gives_identical_events() -> None:
    cfg = SimConfig(stores=5, scenarios=SCENARIOS[:2] + SCENARIOS[3:])
    first = Simulator(cfg).events_between(at(2, 8), at(2, 20))
    second = Simulator(cfg).events_between(at(2, 8), at(2, 20))
    assert first and first == second
    other_seed = Simulator(SimConfig(stores=5, seed=8)).events_between(at(2, 8), at(2, 20))
    assert other_seed != first


def test_split_intervals_give_the_same_events() -> None:
    # Many complaints, so lifecycles cross the split points and exercise the look-back.
    cfg = SimConfig(stores=4, complaint_share_of_unhappy=0.5, scenarios=SCENARIOS[3:])
    a, c = at(2, 8), at(3, 14)
    b = at(2, 15, 13) + timedelta(seconds=27)  # an odd minute and second
    whole = Simulator(cfg).events_between(a, c)

    split_sim = Simulator(cfg)  # a fresh simulator: no cache shared with `whole`
    halves = split_sim.events_between(a, b) + split_sim.events_between(b, c)
    assert halves == whole

    # Uneven pieces (17 min 3 s) starting mid-slot, as a live loop would ask.
    piece_sim = Simulator(cfg)
    pieces: Events = []
    cursor = a + timedelta(minutes=1, seconds=1)
    step = timedelta(minutes=17, seconds=3)
    while cursor < c:
        nxt = min(cursor + step, c)
        pieces += piece_sim.events_between(cursor, nxt)
        cursor = nxt
    assert pieces == [e for e in whole if when(e) >= a + timedelta(minutes=1, seconds=1)]

    # Split exactly at a later complaint step (a spilled event): it belongs to the second half.
    step_event = next(
        e for e in whole if e["event_type"] == "complaint" and e["action"] == "resolved"
    )
    exact = when(step_event)
    first_half = split_sim.events_between(a, exact)
    second_half = split_sim.events_between(exact, c)
    assert first_half + second_half == whole
    assert step_event in second_half and step_event not in first_half

    # The split really cut through complaint lifecycles (else the test proves little).
    before = {e["complaint_id"] for e in whole if e["event_type"] == "complaint" and when(e) < b}
    after = {e["complaint_id"] for e in whole if e["event_type"] == "complaint" and when(e) >= b}
    assert before & after


def test_write_jsonl_matches_events_between() -> None:
    sim = Simulator(SimConfig(stores=3))
    start, end = at(0, 10, 30), at(0, 16, 7)
    buf = io.StringIO()
    count = write_jsonl(sim, start, end, buf)
    lines = buf.getvalue().splitlines()
    assert count == len(lines) > 0
    assert [json.loads(line) for line in lines] == sim.events_between(start, end)
    assert "非常" in buf.getvalue() or "服务" in buf.getvalue()  # ensure_ascii=False


def test_returned_events_are_copies() -> None:
    sim = Simulator(SimConfig(stores=1))
    first = sim.events_between(at(0, 12), at(0, 13))
    tags = customer(first[0])["tags"]
    assert isinstance(tags, list)
    tags.append("tampered")
    first[0]["rating"] = 99
    assert sim.events_between(at(0, 12), at(0, 13))[0] != first[0]


# -- realism -----------------------------------------------------------------------------------


def test_night_is_quieter_than_lunch_and_weekend_busier(week: Events) -> None:
    feedback = of(week, "feedback")
    by_hour = Counter(local_hour(e) for e in feedback)
    assert by_hour[3] * 10 < by_hour[12]
    assert by_hour[12] > by_hour[15] and by_hour[19] > by_hour[15]
    weekday = sum(1 for e in feedback if when(e).astimezone(TZ).weekday() < 5) / 5
    weekend = sum(1 for e in feedback if when(e).astimezone(TZ).weekday() >= 5) / 2
    assert weekend > 1.1 * weekday


def test_normal_store_csat_is_healthy(week: Events) -> None:
    monday = [e for e in week if when(e) < MONDAY + timedelta(days=1)]
    assert 0.75 <= csat(of(monday, "feedback", "S001")) <= 0.95
    for store in {str(e["store_id"]) for e in week}:
        assert 0.75 <= csat(of(week, "feedback", store)) <= 0.95, store


def test_complaints_are_about_four_percent_of_unhappy_feedback(week: Events) -> None:
    unhappy = [e for e in of(week, "feedback") if int(str(e["rating"])) <= 2]
    opened = [e for e in of(week, "complaint") if e["action"] == "opened"]
    assert len(unhappy) > 500
    assert 0.025 <= len(opened) / len(unhappy) <= 0.06


def test_complaint_lifecycles_are_ordered_and_answered(week: Events) -> None:
    steps: dict[object, list[str]] = defaultdict(list)
    for event in of(week, "complaint"):
        steps[event["complaint_id"]].append(str(event["action"]))
    complete = [s for s in steps.values() if s[0] == "opened" and s[-1] == "closed"]
    assert len(complete) >= 20
    for actions in complete:
        assert actions[1] == "agent_replied"
        assert "resolved" in actions
        assert actions.index("resolved") < len(actions) - 1


def test_premium_customers_are_a_fifth(week: Events) -> None:
    tiers = Counter(customer(e)["tier"] for e in of(week, "feedback"))
    premium = (tiers["gold"] + tiers["vip"]) / sum(tiers.values())
    assert 0.17 <= premium <= 0.23
    assert tiers["vip"] < tiers["gold"]


def test_calls_meet_the_80_20_service_level(week: Events) -> None:
    calls = of(week, "call")
    answered = [c for c in calls if c["answered_at"] is not None]
    abandoned = [c for c in calls if c["answered_at"] is None]
    assert abandoned and all(not c["transcript"] and c["agent_id"] is None for c in abandoned)
    waits = [
        (
            datetime.fromisoformat(str(c["answered_at"]))
            - datetime.fromisoformat(str(c["queued_at"]))
        )
        for c in answered
    ]
    within_20s = sum(w <= timedelta(seconds=20) for w in waits) / len(waits)
    assert 0.88 <= within_20s <= 0.96  # a normal store meets the target, with room
    # Offered calls, the abandoned ones included, as the service-level rule counts them.
    assert sum(w <= timedelta(seconds=20) for w in waits) / len(calls) >= 0.82


def test_baseline_has_no_crisis_terms_or_taboo_phrases(week: Events) -> None:
    for review in of(week, "review"):
        assert not any(term in str(review["text"]) for term in CRISIS_TERMS), review["text"]
    for call in of(week, "call"):
        for line in agent_lines(call):
            assert not any(phrase in line for phrase in TABOO_PHRASES), line
    assert not [e for e in of(week, "complaint") if e["category"] == "食品安全"]


# -- scenarios ---------------------------------------------------------------------------------


def test_satisfaction_drop_lowers_only_that_store_in_its_window(scenario_days: Events) -> None:
    start, end = at(2, 11), at(2, 14)
    window = [e for e in scenario_days if start <= when(e) < end]
    assert csat(of(window, "feedback", "S003")) < 0.5
    others = [e for e in of(window, "feedback") if e["store_id"] != "S003"]
    assert csat(others) >= 0.75
    after = [e for e in scenario_days if at(3, 0) <= when(e) < at(4, 0)]
    assert csat(of(after, "feedback", "S003")) >= 0.7
    negative = [e for e in of(window, "feedback", "S003") if int(str(e["rating"])) <= 2]
    assert sum(1 for e in negative if e.get("comment")) >= len(negative) // 2 > 0


def test_crisis_burst_brings_negative_reviews_and_a_media_complaint(
    scenario_days: Events,
) -> None:
    start, end = at(2, 19), at(2, 20)
    reviews = [e for e in of(scenario_days, "review", "S005") if start <= when(e) < end]
    crisis = [
        r
        for r in reviews
        if int(str(r["rating"])) <= 2 and any(t in str(r["text"]) for t in CRISIS_TERMS)
    ]
    assert len(crisis) >= 30
    assert sum(1 for r in crisis if int(str(r["author_followers"])) >= 10_000) >= 3
    assert max(int(str(r["views"])) for r in crisis) >= 50_000
    media = [
        e
        for e in of(scenario_days, "complaint", "S005")
        if e["action"] == "opened" and "media" in str(customer(e)["tags"])
    ]
    assert len(media) == 1 and start <= when(media[0]) < end
    assert media[0]["priority"] == "urgent"


def test_unanswered_complaint_is_opened_and_never_answered(scenario_days: Events) -> None:
    opened = [
        e
        for e in of(scenario_days, "complaint", "S002")
        if e["action"] == "opened" and when(e) == at(2, 10, 15)
    ]
    assert len(opened) == 1
    assert customer(opened[0])["tier"] == "vip"
    cid = opened[0]["complaint_id"]
    assert [e["action"] for e in scenario_days if e.get("complaint_id") == cid] == ["opened"]


def test_taboo_call_has_the_agent_say_a_taboo_phrase(scenario_days: Events) -> None:
    calls = [e for e in of(scenario_days, "call", "S004") if e["agent_id"] == "AG077"]
    assert len(calls) == 1
    call = calls[0]
    assert datetime.fromisoformat(str(call["queued_at"])) == at(2, 15)
    assert any(phrase in line for line in agent_lines(call) for phrase in TABOO_PHRASES)
    transcript = call["transcript"]
    assert isinstance(transcript, list)
    customer_lines = [str(u["text"]) for u in transcript if u["speaker"] == "customer"]
    assert not any(phrase in line for line in customer_lines for phrase in TABOO_PHRASES)


# -- scenario strings --------------------------------------------------------------------------


def test_parse_scenario_good_strings() -> None:
    start = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert parse_scenario("drop:S003@2026-11-23T12:00+08:00/2h") == SatisfactionDrop(
        "S003", start, timedelta(hours=2), 0.35
    )
    assert parse_scenario("drop:S003@2026-11-23T12:00+08:00/1h30m,csat=0.2") == SatisfactionDrop(
        "S003", start, timedelta(minutes=90), 0.2
    )
    assert parse_scenario("crisis:S005@2026-11-23T04:00Z/45m,reviews=40") == CrisisBurst(
        "S005", start, timedelta(minutes=45), 40
    )
    assert parse_scenario("crisis:S005@2026-11-23T12:00+08:00") == CrisisBurst("S005", start)
    assert parse_scenario(" unanswered:S002@2026-11-23T12:00+08:00 ") == UnansweredComplaint(
        "S002", start, "vip"
    )
    gold = parse_scenario("unanswered:S002@2026-11-23T12:00+08:00,tier=gold")
    assert gold == UnansweredComplaint("S002", start, "gold")
    assert parse_scenario("taboo:S004@2026-11-23T12:00+08:00,agent=AG012") == TabooPhrase(
        "S004", start, "AG012"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected KIND:STORE@START"),
        ("drop S003 2026-11-23", "expected KIND:STORE@START"),
        ("flood:S003@2026-11-23T12:00+08:00", "unknown scenario kind 'flood'"),
        ("drop:S003@yesterday", "bad start time"),
        ("drop:S003@2026-11-23T12:00", "needs an offset"),
        ("drop:S003@2026-11-23T12:00+08:00/2x", "bad duration"),
        ("drop:S003@2026-11-23T12:00+08:00/", "bad duration"),
        ("drop:S003@2026-11-23T12:00+08:00/0m", "duration must be positive"),
        ("drop:S003@2026-11-23T12:00+08:00,csat=lots", "csat must be a float"),
        ("drop:S003@2026-11-23T12:00+08:00,csat=1.5", r"csat must be in \[0, 1\]"),
        ("drop:S003@2026-11-23T12:00+08:00,reviews=3", "unknown parameter 'reviews' for drop"),
        ("crisis:S005@2026-11-23T12:00+08:00,reviews=0", "reviews must be in"),
        ("crisis:S005@2026-11-23T12:00+08:00,reviews", "expected key=value"),
        ("unanswered:S002@2026-11-23T12:00+08:00/1h", "takes no duration"),
        ("unanswered:S002@2026-11-23T12:00+08:00,tier=platinum", "tier must be one of"),
        ("taboo:S004@2026-11-23T12:00+08:00,agent=A1,agent=A2", "given twice"),
    ],
)
def test_parse_scenario_bad_strings(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_scenario(text)
