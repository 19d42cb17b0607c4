"""The Faust worker against the real broker: metrics, dead letters, dedupe, restart, alerts."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from urllib.request import urlopen

import pytest

from schemas import deadletter as dl
from streams.replay import ReplayResult, read_events, replay
from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl
from tests.helpers import feedback, line, slipping_region
from tests.integration.conftest import Env
from tests.waiting import wait_for

pytestmark = pytest.mark.kafka


def fb(
    i: int, rating: int, store: str = "S1", minutes: float | None = None
) -> tuple[str, bytes, bytes]:
    return ("feedback", store.encode(), line(feedback(i, rating, store=store, minutes=minutes)))


def test_events_change_the_metrics(env: Env) -> None:
    env.start_worker()
    env.produce([fb(i, 5 if i < 8 else 2) for i in range(10)] + [fb(0, 5, store="S2")])
    wait_for(
        lambda: (
            env.metric("cxpulse_events_consumed_total", event_type="feedback") == 11
            and env.metric("cxpulse_signal_snapshots_held") == 0
        ),  # gauges show the last change
        what="11 consumed feedback events",
    )
    assert env.metric("cxpulse_store_ratings", store_id="S1", window="1h") == 10
    assert env.metric("cxpulse_store_csat_ratio", store_id="S1", window="1h") == 0.8
    # S2 has one rating: below the minimum sample, so no CSAT series at all
    assert env.metric("cxpulse_store_csat_ratio", store_id="S2", window="1h") is None
    assert env.metric("cxpulse_event_latency_seconds_count") == 11
    per_channel = {
        k[1]: v for k, v in env.metrics().items() if k[0] == "cxpulse_channel_ratings_total"
    }
    assert sum(per_channel.values()) == 11
    # Where the worker's time goes: its batches were timed (the counter is in seconds of CPU).
    handled = env.metric("cxpulse_worker_busy_seconds_total", part="events")
    assert handled is not None and handled > 0


def test_each_store_s_latest_signals_reach_the_signals_topic(env: Env) -> None:
    """Snapshots are throttled per store; the last change of a store that then goes quiet is
    still published (by the worker's timer), so the topic ends on the store's true state."""
    env.start_worker()
    env.produce([fb(0, 5)])
    wait_for(lambda: env.metric("cxpulse_signal_snapshots_total") == 1, what="first snapshot")
    env.produce([fb(i, 4) for i in range(1, 20)])  # within the throttle of S1's first snapshot

    def latest() -> int | None:
        from kafka import KafkaConsumer

        c = KafkaConsumer(
            env.settings.kafka.topic("signals"),
            bootstrap_servers=env.settings.kafka.bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=500,
        )
        try:
            snaps = [json.loads(m.value) for m in c]
        finally:
            c.close()
        hour = [w for w in snaps[-1]["windows"] if w["window"] == "1h"] if snaps else []
        return hour[0]["ratings"] if hour else None

    wait_for(lambda: latest() == 20, what="a snapshot with all 20 ratings")


def test_metric_names_pass_promtool(env: Env) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (./dev test installs Debian's prometheus)")
    env.start_worker()
    env.produce([fb(i, 4) for i in range(10)] + [("feedback", b"S1", b"{bad")])
    wait_for(
        lambda: env.metric("cxpulse_events_invalid_total", reason="not_json") == 1,
        what="metrics of every family",
    )
    text = urlopen(env.metrics_url, timeout=5).read()
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()


def test_bad_messages_go_to_the_dead_letter_topic_with_the_reason(env: Env) -> None:
    env.start_worker()
    bad_rating = line(feedback(1, 9))
    wrong_key = line(feedback(2, 5, store="S7"))
    env.produce(
        [
            ("feedback", b"S1", b"{not json"),
            ("feedback", b"S1", bad_rating),
            ("feedback", b"S1", wrong_key),
            ("review", b"S1", line(feedback(3, 5))),
            fb(4, 5),
        ]
    )
    dead = env.consume("dlq", 4)
    by_code = {dict(m.headers)[dl.HEADER_CODE].decode(): m for m in dead}
    assert set(by_code) == {"not_json", "invalid", "key_mismatch", "wrong_topic"}
    m = by_code["invalid"]
    headers = dict(m.headers)
    assert m.value == bad_rating  # the original bytes, untouched
    assert b"rating" in headers[dl.HEADER_REASON]
    assert headers[dl.HEADER_TOPIC] == env.settings.kafka.topic("feedback").encode()
    assert int(headers[dl.HEADER_OFFSET]) >= 0
    wait_for(
        lambda: env.metric("cxpulse_events_consumed_total", event_type="feedback") == 1,
        what="the one valid event to be processed",
    )
    assert env.metric("cxpulse_events_invalid_total", reason="not_json") == 1
    assert env.procs[0].poll() is None, "the worker must survive bad input"


def test_a_duplicate_is_counted_once(env: Env) -> None:
    env.start_worker()
    batch = [fb(i, 5) for i in range(10)]
    env.produce(batch + batch[:3])
    wait_for(
        lambda: (
            env.metric("cxpulse_events_duplicate_total", event_type="feedback") == 3
            and env.metric("cxpulse_signal_snapshots_held") == 0
        ),  # gauges show the last change
        what="3 duplicates",
    )
    assert env.metric("cxpulse_store_ratings", store_id="S1", window="1h") == 10


def test_killed_worker_recovers_rolling_csat(env: Env) -> None:
    first = env.start_worker()
    env.produce([fb(i, 5 if i < 15 else 1) for i in range(20)])  # 15 of 20 happy
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S1", window="1h") == 20,
        what="20 ratings before the kill",
    )
    first.send_signal(signal.SIGKILL)  # no graceful shutdown: offsets may be uncommitted
    first.wait(10)
    env.start_worker()
    env.produce([fb(100 + i, 5, minutes=20 + i) for i in range(5)])
    # Without recovered state this would be 5 ratings and no CSAT; re-delivered events from
    # before the kill must not be counted twice either. The takeover waits for the broker to
    # drop the killed member, a rebalance and the changelog's recovery: on two shared cores
    # late in a long test run that has passed a minute, hence the longer deadline.
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S1", window="1h") == 25,
        timeout=150,
        what="25 ratings after the restart",
        explain=lambda: (
            f"S1 ratings now: {env.metric('cxpulse_store_ratings', store_id='S1', window='1h')}"
            f"\n{env.state()}\n{env.log(tail=12000)}"
        ),
    )
    assert env.metric("cxpulse_store_csat_ratio", store_id="S1", window="1h") == 20 / 25


def test_the_rollups_checkpoint_is_read_back_after_a_restart(env: Env) -> None:
    """The rollup state is checkpointed in chunks cut at any byte; a restart must read them
    back as they were written, not start the rollups afresh."""
    from kafka import KafkaConsumer

    def event(i: int) -> tuple[str, bytes, bytes]:
        store = f"S{i % 3}"
        body = feedback(i, 2 + i % 4, store=store, minutes=i, brand="禾风", region="华东")
        return ("feedback", store.encode(), line(body))

    changelog = f"{env.vars['CXPULSE_WORKER__APP_ID']}-rollup-state-changelog"

    def checkpointed() -> bool:
        c = KafkaConsumer(
            changelog,
            bootstrap_servers=env.settings.kafka.bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=500,
        )
        try:
            return any(m.key and m.key.count(b":") == 1 for m in c)  # a checkpoint's header
        finally:
            c.close()

    first = env.start_worker()
    env.produce([event(i) for i in range(40)])
    wait_for(checkpointed, timeout=90, what="a rollup checkpoint", explain=env.log)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    env.start_worker()
    env.produce([event(i) for i in range(40, 60)])  # the rollups read their state again
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S0", window="1h") == 20,
        timeout=150,
        what="S0's 20 ratings after the restart",
        explain=env.log,
    )
    assert "unreadable" not in env.log(tail=None), env.log()


@pytest.mark.parametrize(
    ("scenarios", "kinds"),
    [
        (("drop:S002@2026-11-23T11:00+08:00/3h", "drop:S005@2026-11-23T18:00+08:00/2h"),
         {"satisfaction"}),
        # crisis and word of mouth read several topics: the worker orders them as replay does
        (("crisis:S002@2026-11-23T12:00+08:00/1h,reviews=30",
          "drop:S003@2026-11-23T18:00+08:00/2h"), {"crisis", "word_of_mouth"}),
    ],
)  # fmt: skip
def test_worker_and_replay_raise_the_same_alerts(
    env: Env, scenarios: tuple[str, ...], kinds: set[str]
) -> None:
    shanghai = timezone(timedelta(hours=8))
    start = datetime(2026, 11, 23, 0, 0, tzinfo=shanghai)
    sim = Simulator(SimConfig(stores=6, scenarios=tuple(parse_scenario(s) for s in scenarios)))
    buf = io.StringIO()
    write_jsonl(sim, start, start + timedelta(hours=24), buf)
    lines = [ln.encode() for ln in buf.getvalue().splitlines()]

    expected = replay(read_events(lines, ReplayResult()), env.settings).alerts
    assert kinds <= {a.kind for a in expected}

    env.start_worker()
    env.produce(
        [(json.loads(ln)["event_type"], json.loads(ln)["store_id"].encode(), ln) for ln in lines]
    )
    got = env.consume("alerts", len(expected), timeout=120)
    assert sorted(m.value.decode() for m in got) == sorted(a.model_dump_json() for a in expected)


def test_unanswered_vip_complaint_warns_then_breaches_like_replay(env: Env) -> None:
    shanghai = timezone(timedelta(hours=8))
    start = datetime(2026, 10, 12, 0, 0, tzinfo=shanghai)  # a Monday, deadlines long past
    scenario = parse_scenario("unanswered:S002@2026-10-12T10:15+08:00,tier=vip")
    sim = Simulator(SimConfig(stores=4, scenarios=(scenario,)))
    buf = io.StringIO()
    write_jsonl(sim, start, start + timedelta(hours=24), buf)
    lines = [ln.encode() for ln in buf.getvalue().splitlines()]
    until = datetime.now(UTC).timestamp()
    expected = replay(
        read_events(lines, ReplayResult()),
        env.settings,
        until=until,
    )
    vip = [
        e
        for e in expected.sla_events
        if e.store_id == "S002" and e.customer_tier == "vip" and e.clock == "first_response"
    ]
    assert [(e.transition, e.at.astimezone(shanghai).strftime("%H:%M")) for e in vip] == [
        ("activated", "10:15"),
        ("warned", "11:03"),
        ("breached", "11:15"),
    ]

    env.start_worker()
    env.produce(
        [(json.loads(ln)["event_type"], json.loads(ln)["store_id"].encode(), ln) for ln in lines]
    )
    got = env.consume("sla", len(expected.sla_events))
    got_ids = {json.loads(m.value)["sla_event_id"] for m in got}
    want_ids = {e.sla_event_id for e in expected.sla_events}
    assert got_ids == want_ids, (sorted(got_ids - want_ids), sorted(want_ids - got_ids))
    assert sorted(m.value.decode() for m in got) == sorted(
        e.model_dump_json() for e in expected.sla_events
    )
    alerts = [json.loads(m.value) for m in env.consume("alerts", len(expected.alerts))]
    breach = [
        a
        for a in alerts
        if a["rule"] == "sla_breach"
        and a["labels"]["store_id"] == "S002"
        and a["labels"]["clock"] == "first_response"
    ]
    assert breach and breach[0]["status"] == "firing"
    assert "首次响应超时" in breach[0]["summary"]["zh"]


def test_a_slipping_region_pages_once_through_the_rollup_topic_like_replay(env: Env) -> None:
    # 20 stores over both partitions: the region's page needs every partition's marks, and
    # the end of the stream (nothing left to read) lets the last steps be judged.
    lines = slipping_region()
    expected = replay(read_events(lines, ReplayResult()), env.settings).alerts
    # These tests' settings judge stores on 10 ratings with no confidence bound, so the stores
    # page too; the region's page must come out the same through the rollup topic.
    rollups = [(a.rule, a.labels["level"]) for a in expected if "level" in a.labels]
    assert rollups == [("rollup_csat_low", "region")]

    env.start_worker()
    env.produce([("feedback", json.loads(ln)["store_id"].encode(), ln) for ln in lines])
    got = env.consume("alerts", len(expected), timeout=120)
    assert sorted(m.value.decode() for m in got) == sorted(a.model_dump_json() for a in expected)
