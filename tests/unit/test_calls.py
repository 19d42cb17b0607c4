"""Call-centre measures and alerts on small hand-made streams, with exact numbers."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.alerts import AlertEvent, fingerprint
from schemas.events import Call, Customer
from streams.core.rules.calls import evaluate
from streams.core.signals.calls import CallStats, add
from streams.core.signals.calls_config import CallConfig
from streams.core.signals.calls_view import CallView, totals, views
from streams.core.store import StoreState
from tests.helpers import T0

_ids = itertools.count()
CFG = CallConfig(min_offered=10)
HOUR = 3600.0


def call(
    minutes: float,
    *,
    wait: float = 5.0,
    talk: float = 60.0,
    hold: float = 0.0,
    wrap: float = 0.0,
    abandoned: bool = False,
    queue: str | None = "hotline",
    agent: str | None = "AG1",
    customer: str | None = None,
    transfers: int = 0,
    resolved: bool | None = None,
) -> Call:
    """A call that ended (and was published) `minutes` after T0."""
    ended = T0 + timedelta(minutes=minutes)
    handle = 0.0 if abandoned else talk + hold + wrap
    queued = ended - timedelta(seconds=wait + handle)
    i = next(_ids)
    return Call(
        event_id=f"call-{i}",
        event_type="call",
        occurred_at=ended,
        source="test",
        store_id="S1",
        channel=queue,
        customer=Customer(id=customer),
        call_id=f"CALL-{i}",
        queued_at=queued,
        answered_at=None if abandoned else queued + timedelta(seconds=wait),
        ended_at=ended,
        talk_seconds=0 if abandoned else talk,
        hold_seconds=0 if abandoned else hold,
        wrap_seconds=0 if abandoned else wrap,
        transfers=transfers,
        resolved=resolved,
        agent_id=None if abandoned else agent,
    )


def at(minutes: float) -> float:
    return (T0 + timedelta(minutes=minutes)).timestamp()


def feed(calls: list[Call], cfg: CallConfig = CFG, stats: CallStats | None = None) -> CallStats:
    stats = stats or CallStats()
    for c in calls:
        add(stats, c, cfg)
    return stats


def run(
    calls: list[Call], cfg: CallConfig = CFG, stats: CallStats | None = None
) -> tuple[CallStats, list[AlertEvent]]:
    """Add and evaluate call by call, the watermark being the newest call so far."""
    stats = stats or CallStats()
    alerts: list[AlertEvent] = []
    for c in calls:
        add(stats, c, cfg)
        assert stats.clock is not None
        alerts += evaluate(stats, stats.clock, "S1", {"brand": "禾风小馆"}, c.event_id, cfg)
    return stats, alerts


def ten_calls() -> list[Call]:
    waits = [5, 10, 15, 20, 25, 30, 40, 60]  # answered; 20 s is still within 20 s
    transfers = [0, 1, 2, 0, 3, 0, 0, 1]
    resolved = [True, True, False, None, True, None, True, False]
    answered = [
        call(k, wait=w, talk=100 + 10 * k, hold=5, wrap=15, transfers=t, resolved=r)
        for k, (w, t, r) in enumerate(zip(waits, transfers, resolved, strict=True))
    ]
    # Abandoned after 8 s (within 20 s: still offered, not served) and after 30 s.
    return [*answered, call(8, wait=8, abandoned=True), call(9, wait=30, abandoned=True)]


EXPECTED = CallView(
    offered=10,
    answered=8,
    abandoned=2,
    abandonment=0.2,
    asa=205 / 8,  # 25.625 s
    aht=1240 / 8,  # (120 + 130 + ... + 190) / 8 = 155 s
    service_level=0.4,  # 4 answered within 20 s / 10 offered
    transfer_rate=0.5,
    repeated_transfer_rate=0.25,
    fcr=4 / 6,  # resolved given on 6 answered calls
    repeat_rate=None,  # no identified customer
)


def test_ten_calls_give_exact_figures() -> None:
    stats = feed(ten_calls())
    got = views(stats, at(9), CFG)
    assert got[("store", "", "1h")] == EXPECTED == got[("store", "", "24h")]
    assert got[("queue", "hotline", "1h")] == EXPECTED
    # A store does not count agents unless configured to.
    assert not [k for k in got if k[0] == "agent"] and "agent" not in stats.scopes


def test_agents_are_counted_in_the_windows_configured() -> None:
    cfg = CallConfig(min_offered=10, agent_windows=("1h", "24h"))
    got = views(feed(ten_calls(), cfg), at(9), cfg)
    agent = got[("agent", "AG1", "1h")]  # abandoned calls reach no agent
    assert (agent.offered, agent.answered, agent.abandoned) == (8, 8, 0)
    assert agent.asa is None  # 8 calls < min_offered 10
    assert got[("agent", "AG1", "24h")] == agent and ("agent", "AG1", "3h") not in got
    with pytest.raises(ValidationError, match="agent_windows"):
        CallConfig(agent_windows=("2h",))


def test_a_state_with_agents_in_every_window_keeps_only_the_agents_windows() -> None:
    every = CallConfig(min_offered=10, agent_windows=("1h", "3h", "24h"))
    stats = feed(ten_calls(), every)
    assert set(stats.scopes["agent"]["AG1"]) == {"1h", "3h", "24h"}
    day = CallConfig(min_offered=10, agent_windows=("24h",))
    feed([call(70)], day, stats)  # a later bucket: the next call prunes
    assert set(stats.scopes["agent"]["AG1"]) == {"24h"}
    feed([call(71)], CFG, stats)  # agents no longer counted: dropped at the next prune
    assert stats.scopes["agent"] == {}


def test_remembered_calls_keep_one_copy_of_each_queue_and_agent_name() -> None:
    made = [call(k, customer=f"C{k}", agent="AG" + "1" * (k % 2 + 1)) for k in range(6)]
    stats = feed([Call.model_validate_json(c.model_dump_json()) for c in made])
    assert len(stats.callers) == 6
    assert sorted(stats.callers.to_json()[4]) == ["AG1", "AG11", "hotline"]
    again = CallStats.from_json(orjson.loads(orjson.dumps(stats.to_json())))
    assert again == stats and again.callers.to_json() == stats.callers.to_json()


def test_remembered_calls_written_before_rows_load_and_give_the_same_repeats() -> None:
    cfg = CallConfig(min_offered=1)
    first = [call(k * 30, customer=f"C{k % 4}", agent=f"AG{k % 3}") for k in range(10)]
    stats = feed(first, cfg)
    old = stats.to_json()
    # The form before: short hash -> that customer's [time, queue, agent] calls, oldest first.
    by_key: dict[str, list[list[object]]] = {}
    for key, t, q, a in stats.callers.rows():
        by_key.setdefault(f"{key:016x}", []).append([t, q, a])
    old["callers"] = by_key
    again = CallStats.from_json(orjson.loads(orjson.dumps(old)))
    assert again == stats
    later = [call(300 + k * 30, customer=f"C{k % 5}") for k in range(6)]
    assert feed(later, cfg, again) == feed(later, cfg, stats)


def test_out_of_order_calls_give_the_same_figures() -> None:
    calls = ten_calls()
    shuffled = [calls[i] for i in (9, 3, 0, 7, 1, 8, 5, 2, 6, 4)]
    assert views(feed(shuffled), at(9), CFG) == views(feed(calls), at(9), CFG)


def test_rates_wait_for_min_offered() -> None:
    view = views(feed(ten_calls()[:9]), at(9), CFG)[("store", "", "1h")]
    assert view.offered == 9 and view.abandoned == 1
    assert view.abandonment is None and view.asa is None and view.service_level is None


def test_a_call_two_hours_old_leaves_the_hour_but_stays_in_the_day() -> None:
    cfg = CallConfig(min_offered=1)
    stats = feed([call(0, abandoned=True), call(120)], cfg)
    got = views(stats, at(120), cfg)
    assert (got[("store", "", "1h")].offered, got[("store", "", "1h")].abandonment) == (1, 0.0)
    assert (got[("store", "", "24h")].offered, got[("store", "", "24h")].abandonment) == (2, 0.5)
    # ... and its 1-minute bucket is gone from the state, not only from the sum.
    assert len(stats.scopes["store"][""]["1h"]) == 1
    assert len(stats.scopes["store"][""]["24h"]) == 2


def test_repeat_calls_within_and_after_the_window() -> None:
    cfg = CallConfig(min_offered=1)
    calls = [
        call(0, customer="C1"),
        call(0, customer="C2"),
        call(23 * 60, customer="C1"),  # 23 h later: a repeat
        call(25 * 60, customer="C2"),  # 25 h later: a new contact
        call(25 * 60 + 1, customer=None),  # anonymous: cannot be judged
    ]
    stats = feed(calls, cfg)
    day = views(stats, at(25 * 60 + 1), cfg)[("store", "", "24h")]
    assert day.offered == 3 and day.repeat_rate == 0.5  # 1 repeat of 2 identified calls
    text = json.dumps(stats.to_json())
    assert "C1" not in text and "C2" not in text  # personal data: hashes only


def test_a_late_earlier_call_makes_the_later_one_the_repeat() -> None:
    cfg = CallConfig(min_offered=1)
    first, later = call(5, customer="C1", queue="app"), call(10, customer="C1")
    in_order, reordered = feed([first, later], cfg), feed([later, first], cfg)
    assert views(in_order, at(10), cfg) == views(reordered, at(10), cfg)
    got = views(reordered, at(10), cfg)
    assert got[("store", "", "1h")].repeat_rate == 0.5
    assert got[("queue", "hotline", "1h")].repeat_rate == 1.0  # counted on the later call
    assert got[("queue", "app", "1h")].repeat_rate == 0.0


def test_repeated_transfers_per_agent() -> None:
    cfg = CallConfig(min_offered=1, agent_windows=("24h",))
    calls = [call(0, agent="AG7", transfers=t) for t in (0, 1, 2, 4)]
    view = views(feed(calls, cfg), at(0), cfg)[("agent", "AG7", "24h")]
    assert (view.transfer_rate, view.repeated_transfer_rate) == (0.75, 0.5)


def test_agents_and_callers_are_kept_only_within_the_longest_window() -> None:
    stats = feed(
        [
            call(0, agent="AG1", customer="C1"),
            call(23 * 60, agent="AG2", customer="C2"),
            call(25 * 60, agent="AG3", customer="C3"),
        ],
        CallConfig(min_offered=10, agent_windows=("1h", "24h")),
    )
    assert sorted(stats.scopes["agent"]) == ["AG2", "AG3"]
    assert len(stats.callers) == 2  # C1's call can no longer make anything a repeat


def test_no_alert_below_min_offered() -> None:
    _, alerts = run([call(i / 10, abandoned=True) for i in range(19)], CallConfig())
    assert alerts == []


def abandonment(offered: int, abandoned: int, start: float) -> list[Call]:
    return [call(start + i / 10, abandoned=i < abandoned, customer=None) for i in range(offered)][
        ::-1
    ]  # the abandoned ones last, so the rate is at its figure when the count is reached


# The hysteresis and text tests below judge the rate itself on the last hour's 20 calls (no
# confidence bound, no longer window); the guards have their own tests in test_precision.py.
RAW = CallConfig(confidence_z=0, evidence_calls=20)


def test_abandonment_fires_at_the_threshold_holds_then_resolves() -> None:
    cfg = RAW
    fire = abandonment(20, 2, 0)  # 2 / 20 = 10 %: at the threshold
    hold = [call(3 + i / 10) for i in range(8)]  # 2/21 ... 2/28 = 9.5 % ... 7.1 %: hold
    recover = [call(4)]  # 2 / 29 = 6.9 %: <= 10 - 3 points, resolved
    stats, alerts = run(fire + hold + recover, cfg)
    assert [a.status for a in alerts] == ["firing", "resolved"]
    firing, resolved = alerts
    assert firing.source_event_id == fire[-1].event_id
    assert resolved.source_event_id == recover[0].event_id
    assert firing.rule == resolved.rule == "call_abandonment_high" and firing.kind == "calls"
    assert (
        firing.fingerprint
        == resolved.fingerprint
        == fingerprint("call_abandonment_high", {"store_id": "S1"})
    )
    assert firing.starts_at == resolved.starts_at and resolved.ends_at is not None
    assert firing.labels == {"store_id": "S1", "brand": "禾风小馆"}
    assert firing.summary.zh == "门店 S1 电话放弃率 10%（近 1 小时 20 通来电，阈值 10%）"
    assert firing.summary.en == (
        "Store S1: call abandonment 10% (20 calls in the last 1 h, threshold 10%)"
    )
    assert firing.values == {
        "abandonment": 0.1,
        "offered": 20.0,
        "abandoned": 2.0,
        "threshold": 0.1,
        "window_seconds": 3600.0,
    }
    assert resolved.summary.zh == "门店 S1 电话放弃率已恢复至 7%（近 1 小时 29 通来电）"
    assert stats.firing == {}


def test_service_level_fires_below_target_and_resolves_5_points_above() -> None:
    cfg = RAW
    slow = [call(i / 10, wait=30) for i in range(5)]
    fast = [call(1 + i / 10, wait=20) for i in range(15)]  # 15 / 20 = 75 %
    stats, alerts = run(slow + fast, cfg)
    # One page: the store's. Its only queue, hotline, carries every call and adds nothing.
    assert [(a.rule, a.labels.get("queue")) for a in alerts] == [("call_service_level_low", None)]
    assert alerts[0].summary.zh == ("门店 S1 电话 20 秒接通率 75%（近 1 小时 20 通来电，目标 80%）")
    assert alerts[0].values["answered_within"] == 15.0
    # 16/21 ... 28/33 = 84.8 % is below 85 %: held; 29/34 = 85.3 % resolves.
    more = [call(3 + i / 10, wait=1) for i in range(14)]
    stats, later = run(more[:13], cfg, stats=stats)
    assert later == [] and "store" in stats.firing
    _, last = run(more[13:], cfg, stats=stats)
    assert [a.status for a in last] == ["resolved"]


def test_exactly_on_target_is_not_an_alert() -> None:
    slow = [call(i / 10, wait=21) for i in range(4)]
    fast = [call(1 + i / 10, wait=3) for i in range(16)]  # 16 / 20 = 80 %
    assert run(slow + fast, RAW)[1] == []


def test_queue_alert_has_its_own_identity_and_closes_when_the_queue_goes_quiet() -> None:
    cfg = RAW
    hotline = abandonment(20, 4, 0)  # 20 %
    app = [call(i / 10, queue="app") for i in range(30)]  # store: 4 / 50 = 8 %, no alert
    stats, alerts = run(app + hotline, cfg)
    assert len(alerts) == 1
    (alert,) = alerts
    assert alert.labels == {"store_id": "S1", "queue": "hotline", "brand": "禾风小馆"}
    assert alert.fingerprint == fingerprint(
        "call_abandonment_high", {"store_id": "S1", "queue": "hotline"}
    )
    assert (
        alert.summary.zh == "门店 S1 hotline 队列 电话放弃率 20%（近 1 小时 20 通来电，阈值 10%）"
    )
    # A day of app calls only: the hotline's state is pruned, and its alert must not hang open.
    _, later = run([call(25 * 60, queue="app")], cfg, stats=stats)
    assert [(a.status, a.fingerprint) for a in later] == [("resolved", alert.fingerprint)]
    assert "无来电" in later[0].summary.zh and stats.firing == {}


def test_state_round_trips_through_json_mid_stream() -> None:
    cfg = RAW
    calls = abandonment(20, 3, 0) + [
        call(3 + i, customer=f"C{i % 4}", transfers=i % 3) for i in range(30)
    ]
    head, tail = calls[:25], calls[25:]
    live, alerts_head = run(head, cfg)
    restored = CallStats.from_json(json.loads(json.dumps(live.to_json())))
    assert restored == live
    live, alerts_live = run(tail, cfg, stats=live)
    restored, alerts_restored = run(tail, cfg, stats=restored)
    assert [a.status for a in alerts_head] == ["firing"]  # the firing state came along ...
    assert alerts_live == alerts_restored and [a.status for a in alerts_live] == ["resolved"]
    assert views(live, at(40), cfg) == views(restored, at(40), cfg)
    assert live.to_json() == restored.to_json()


def test_evaluated_window_is_configurable() -> None:
    cfg = CallConfig(evaluate_window="24h", confidence_z=0)
    _, alerts = run(abandonment(20, 5, 0), cfg)
    assert alerts[0].values["window_seconds"] == 86_400
    assert "近 24 小时" in alerts[0].summary.zh and "last 24 h" in alerts[0].summary.en


@pytest.mark.parametrize(
    "bad",
    [
        {"windows": [{"label": "1h", "seconds": 3600, "bucket": 600}]},  # bucket > window / 24
        {"windows": [{"label": "1h", "seconds": 3600, "bucket": 70}]},  # not a whole number
        {"evaluate_window": "2h"},
        {"abandonment_threshold": 0.02},  # below its recover margin: could never resolve
        {"service_level_target": 0.99},  # + 5 points > 100 %: could never resolve
        {"min_calls": 5},  # unknown key
    ],
)
def test_config_refuses_what_cannot_work(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CallConfig.model_validate(bad)


def test_the_changelog_encoding_of_a_store_with_calls_says_what_to_json_says() -> None:
    live, _ = run([call(i, customer=f"C{i % 3}", transfers=i % 2) for i in range(12)], RAW)
    state = StoreState(store_id="S1", calls=live)
    assert live.callers and live.scopes  # tuples and int-keyed buckets to encode
    assert orjson.loads(state.to_wire()) == json.loads(json.dumps(state.to_json()))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),  # minutes after the previous call
            st.sampled_from(("a", "b", "c")),
            st.sampled_from(("call", "call", "copy", "json")),
        ),
        max_size=40,
    )
)
def test_a_queue_shares_the_stores_buckets_only_while_it_is_the_only_queue(
    steps: list[tuple[int, str, str]],
) -> None:
    """Every window of every queue reads as if the queue's calls were a store's own, and the
    store's as their sum, through copies and the changelog; a queue whose calls are all the
    store's has the store's buckets, the same object."""
    stats, alone = CallStats(), {q: CallStats() for q in "abc"}
    minutes = 0
    for gap, queue, op in steps:
        minutes += gap
        c = call(minutes, queue=queue, wait=1.0, talk=1.0)
        add(stats, c, CFG)
        add(alone[queue], c, CFG)
        if op == "copy":
            stats = stats.copy()
        elif op == "json":
            stats = CallStats.from_json(orjson.loads(orjson.dumps(stats.to_json())))
        assert stats.clock is not None
        for w in CFG.windows:
            per_queue = [totals(alone[q], "store", "", stats.clock, w) for q in "abc"]
            assert totals(stats, "store", "", stats.clock, w) == [
                sum(n) for n in zip(*per_queue, strict=True)
            ]
            for q, want in zip("abc", per_queue, strict=True):
                assert totals(stats, "queue", q, stats.clock, w) == want
            store = stats.scopes["store"][""].get(w.label)
            holding = [ws[w.label] for ws in stats.scopes["queue"].values() if w.label in ws]
            assert (len(holding) == 1) == (store is not None and holding[0] is store)
