"""The real worker fed what a broken or hostile upstream sends, on the real broker: every valid
event counted once, every bad message dead-lettered with a reason, the agent never restarted."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer

from schemas import deadletter as dl
from tests.helpers import feedback, line, review
from tests.integration.conftest import Env
from tests.waiting import wait_for

pytestmark = pytest.mark.kafka


def hostile(rng: random.Random, i: int) -> tuple[str, bytes | None, bytes, str]:
    """(topic kind, key, value, the reason code it must be parked with)."""
    good = feedback(10_000 + i, 5, store="S9")
    kind = rng.randrange(8)
    if kind == 0:
        return "feedback", None, line(good), "no_key"
    if kind == 1:
        return "review", b"S9", line({**review(i, store="S9"), "views": 10**30}), "invalid"
    if kind == 2:
        far = datetime(2099, 1, 1, tzinfo=UTC).isoformat()
        return "feedback", b"S9", line({**good, "occurred_at": far}), "from_the_future"
    if kind == 3:
        return "feedback", b"S9", bytes(rng.randrange(256) for _ in range(40)), "not_json"
    if kind == 4:
        return "call", b"S9", line(good), "wrong_topic"
    if kind == 5:
        return "feedback", b"S8", line(good), "key_mismatch"
    if kind == 6:
        old = "0001-01-01T00:00:00+08:00"
        return "complaint", b"S9", line({**good, "occurred_at": old}), "invalid"
    return "feedback", b"S9", json.dumps([[[[{"a": "\U0010ffff" * 50}]]]]).encode(), "invalid"


def test_a_hostile_mix_is_parked_and_every_valid_event_counted_once(env: Env) -> None:
    rng = random.Random(11)
    valid = [("feedback", b"S1", line(feedback(i, 1 + i % 5, minutes=i / 10))) for i in range(600)]
    bad = [hostile(rng, i) for i in range(900)]
    # Hostile messages anywhere between the valid ones, which stay in their own order.
    mix: list[tuple[str, bytes | None, bytes]] = list(valid)
    for t, k, v, _ in bad:
        mix.insert(rng.randrange(len(mix) + 1), (t, k, v))
    mix += valid[-50:]  # re-sent: duplicates, not new ratings
    env.start_worker()
    env.produce(mix)
    wait_for(
        lambda: env.metric("cxpulse_events_consumed_total", event_type="feedback") == 650,
        what="650 feedback events taken in",
        timeout=120,
    )
    assert env.metric("cxpulse_events_duplicate_total", event_type="feedback") == 50
    parked = env.consume("dlq", len(bad), timeout=120)
    codes = Counter(dict(m.headers)[dl.HEADER_CODE].decode() for m in parked)
    assert codes == Counter(code for *_, code in bad)
    for code, n in codes.items():
        assert env.metric("cxpulse_events_invalid_total", reason=code) == n
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S1", window="24h") == 600,
        what="600 ratings at S1",
    )
    assert env.metric("cxpulse_state_not_written_total") == 0

    # The health thread has read the broker's offsets: nothing waits, and the worker is healthy.
    wait_for(lambda: env.health()["lag"] == 0, what="the health check to see no lag")
    # ... on the rollup topic too, which the rollup agent reports on separately.
    wait_for(lambda: env.health()["rollup_lag"] == 0, what="the health check to see no rollup lag")
    assert env.health()["healthy"] is True
    log = env.log()
    assert "Traceback" not in log and "crashed" not in log.lower(), log[-2000:]


def test_events_of_an_aborted_transaction_are_never_counted(env: Env) -> None:
    """An upstream that publishes in Kafka transactions aborts one when what it wrote did not
    happen (a rolled-back complaint, a survey answer withdrawn): those records stay in the log,
    marked aborted, and must count for nothing."""
    topic = env.settings.kafka.topic("feedback")

    async def publish() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=env.settings.kafka.bootstrap, transactional_id=f"tx-{topic}"
        )
        await producer.start()
        try:
            async with producer.transaction():
                for i in range(10):
                    await producer.send(topic, line(feedback(i, 5, minutes=i)), key=b"S1")
            await producer.begin_transaction()
            for i in range(10, 20):
                await producer.send(topic, line(feedback(i, 1, minutes=i)), key=b"S1")
            await producer.abort_transaction()
            async with producer.transaction():  # later in the log than the aborted ones
                for i in range(20, 25):
                    await producer.send(topic, line(feedback(i, 5, minutes=i)), key=b"S1")
        finally:
            await producer.stop()

    asyncio.run(publish())
    env.start_worker()
    wait_for(
        lambda: (env.metric("cxpulse_events_consumed_total", event_type="feedback") or 0) >= 15,
        what="the 15 committed events",
        timeout=90,
        explain=env.state,
    )
    # Read in offset order: by the last committed one, every aborted one was passed over.
    assert env.metric("cxpulse_events_consumed_total", event_type="feedback") == 15
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S1", window="24h") == 15,
        what="15 ratings at S1, every one a 5",
    )
    assert env.metric("cxpulse_store_csat_ratio", store_id="S1", window="24h") == 1.0


def test_a_producer_clock_years_off_does_not_read_as_pipeline_lag(env: Env) -> None:
    """The event topics are stamped by the broker (LogAppendTime), so the latency metric says
    how long the pipeline took, whatever time the producer put on the message."""
    from kafka import KafkaProducer
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

    topic = env.settings.kafka.topic("feedback")
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        ticks = env.settings.kafka.topic("sla-ticks")  # their stamps bound the SLA clocks
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t) for t in (topic, ticks)]
        )
    finally:
        admin.close()
    for t in (topic, ticks):
        assert described["topic"][t]["message.timestamp.type"]["value"] == "LogAppendTime"
    producer = KafkaProducer(bootstrap_servers=env.settings.kafka.bootstrap)
    for i, stamp in enumerate([0, 4_102_444_800_000]):  # 1970, and 2100
        producer.send(topic, key=b"S1", value=line(feedback(i, 5)), timestamp_ms=stamp)
    producer.flush()
    producer.close()
    env.start_worker()
    wait_for(
        lambda: env.metric("cxpulse_event_latency_seconds_count") == 2,
        what="two latencies observed",
        explain=env.state,
    )
    total = env.metric("cxpulse_event_latency_seconds_sum")
    assert total is not None and 0 < total < 120  # seconds since the broker took them in


def test_cxpulse_topics_moves_an_existing_event_topic_to_broker_stamps_and_keeps_its_settings(
    env: Env,
) -> None:
    """A deployment made before the event topics were stamped by the broker gets the setting
    from ``cxpulse topics`` (and a worker's start), and keeps what its operator set."""
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

    topic = env.settings.kafka.topic("review")
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)

    def config() -> dict[str, str]:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic)], config_filter="all"
        )
        return {k: v["value"] for k, v in described["topic"][topic].items()}

    try:
        old = {"message.timestamp.type": "CreateTime", "retention.ms": "123456789"}
        admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, configs=old)], incremental=True
        )
        # the broker applies a change of config a moment after it answers
        wait_for(lambda: config()["message.timestamp.type"] == "CreateTime", what="CreateTime")

        def topics() -> str:
            done = subprocess.run(
                [sys.executable, "-m", "cxpulse.cli", "topics"],
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, **env.vars},
            )
            assert done.returncode == 0, done.stderr
            return done.stdout

        out = topics()
        assert f"now stamped by the broker (LogAppendTime): {topic}\n" in out, out
        after = wait_for(
            lambda: (c := config())["message.timestamp.type"] == "LogAppendTime" and c,
            what="LogAppendTime",
        )
        assert after["retention.ms"] == "123456789"  # the operator's setting stays
        assert "stamped" not in topics()  # nothing left to change
    finally:
        admin.close()


def test_saved_states_it_cannot_read_are_parked_and_their_stores_watched_afresh(env: Env) -> None:
    """A store's saved state on the changelog that this worker cannot read (bytes that are not
    JSON, or JSON of another shape: a newer version's, or damage) must neither stop the worker
    at recovery nor leave that store unwatched."""
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic

    changelog = f"{env.settings.worker.app_id}-store-state-changelog"
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        admin.create_topics(
            [
                NewTopic(
                    changelog,
                    env.settings.kafka.partitions,
                    1,
                    topic_configs={"cleanup.policy": "compact"},
                )
            ]
        )
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=env.settings.kafka.bootstrap, acks="all")
    for store, saved in [
        ("S1", b"\xff\x00 not json"),
        ("S2", b'{"written_by": "a later version"}'),
    ]:
        producer.send(changelog, key=store.encode(), value=saved)  # the key's own partition
    producer.flush()
    producer.close()

    env.start_worker()
    env.produce(
        [
            ("feedback", s.encode(), line(feedback(i, 5, store=s)))
            for s in ("S1", "S2")
            for i in range(5)
        ]
    )
    wait_for(
        lambda: env.metric("cxpulse_events_consumed_total", event_type="feedback") == 10,
        what="every event counted",
        explain=env.log,
    )
    for store in ("S1", "S2"):
        wait_for(
            lambda: env.metric("cxpulse_store_ratings", store_id=store, window="24h") == 5,  # noqa: B023
            what=f"{store} watched afresh",
        )
    assert env.metric("cxpulse_state_unreadable_total", table="stores") == 2
    parked = env.consume("dlq", 2)
    assert sorted((m.key, dict(m.headers)["cxpulse.error.code"]) for m in parked) == [
        (b"S1", b"state_unreadable"),
        (b"S2", b"state_unreadable"),
    ]
    assert env.health()["healthy"] is True


def test_a_message_of_megabytes_is_parked_by_its_start_and_the_worker_goes_on(env: Env) -> None:
    """A topic whose max.message.bytes allows megabytes (an upstream that sends attachments)
    carries a message larger than the worker's own Kafka client sends: its dead-letter record
    keeps the start and says the size. Parked whole, it would stop the worker, and every restart
    would read it and stop again."""
    from kafka import KafkaProducer
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

    topic = env.settings.kafka.topic("feedback")
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        admin.alter_configs(
            [
                ConfigResource(
                    ConfigResourceType.TOPIC, topic, configs={"max.message.bytes": "8000000"}
                )
            ]
        )
    finally:
        admin.close()
    producer = KafkaProducer(
        bootstrap_servers=env.settings.kafka.bootstrap, max_request_size=9_000_000, acks="all"
    )
    huge = line({**feedback(1, 1), "comment": "差" * 1_000_000})  # 3 MB of UTF-8
    producer.send(topic, key=b"S1", value=huge).get(timeout=30)
    for i in range(2, 7):
        producer.send(topic, key=b"S1", value=line(feedback(i, 5))).get(timeout=30)
    producer.close()
    env.start_worker()
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S1", window="24h") == 5,
        what="the 5 ratings after it",
        explain=env.log,
    )
    (parked,) = env.consume("dlq", 1)
    assert dict(parked.headers)[dl.HEADER_CODE] == b"too_large"
    assert dict(parked.headers)[dl.HEADER_BYTES] == str(len(huge)).encode()
    assert parked.value == huge[: dl.PARKED_MAX_BYTES]
    assert env.health()["healthy"] is True


def test_a_flood_of_new_store_ids_is_parked_past_the_limit_and_the_stores_held_go_on(
    env: Env,
) -> None:
    """A producer that fills store_id with a fresh value per event would add a store per event,
    without bound. Past intake.max_stores a new store's events are parked; the stores already
    held are watched as before."""
    env.start_worker(CXPULSE_INTAKE__MAX_STORES="3")
    env.produce(
        [("feedback", s.encode(), line(feedback(1, 5, store=s))) for s in ("S1", "S2", "S3")]
    )
    wait_for(
        lambda: env.metric("cxpulse_events_consumed_total", event_type="feedback") == 3,
        what="the three stores begun",
        explain=env.log,
    )
    flood = [f"X{i:04d}" for i in range(40)]
    env.produce(
        [("feedback", s.encode(), line(feedback(2, 1, store=s))) for s in flood]
        + [("feedback", b"S1", line(feedback(3, 4, store="S1")))]
    )
    parked = env.consume("dlq", len(flood))
    assert {m.key for m in parked} == {s.encode() for s in flood}
    assert {dict(m.headers)[dl.HEADER_CODE] for m in parked} == {b"store_limit"}
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S1", window="24h") == 2,
        what="S1's second rating",
    )
    assert env.metric("cxpulse_events_invalid_total", reason="store_limit") == len(flood)
    assert env.health()["healthy"] is True


def test_topics_deleted_under_the_running_worker_are_made_again(env: Env) -> None:
    """Its own output topics deleted by hand (a clean-up gone wrong): sends to them would wait
    for their metadata in a tight loop (thousands of requests a second) and nothing would reach
    them, the wall's snapshots nor the dead letters, while the worker said it was healthy."""
    from kafka.admin import KafkaAdminClient

    env.start_worker(CXPULSE_WORKER__METADATA_MAX_AGE="2")
    env.produce([("feedback", b"S1", line(feedback(i, 5))) for i in range(5)])
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S1", window="24h") == 5,
        what="the first 5 ratings",
    )
    gone = [env.settings.kafka.topic("dlq"), env.settings.kafka.topic("signals")]
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        admin.delete_topics(gone)
    finally:
        admin.close()
    env.produce([("feedback", b"S1", b"not json"), ("feedback", b"S1", line(feedback(9, 1)))])
    (parked,) = env.consume("dlq", 1)  # sent once the topic was back
    assert dict(parked.headers)[dl.HEADER_CODE] == b"not_json"
    assert env.consume("signals", 1)  # the wall's snapshots flow again
    assert all(env.metric("cxpulse_topics_remade_total", topic=t) == 1 for t in gone)
    assert env.metric("cxpulse_store_ratings", store_id="S1", window="24h") == 6
    assert env.health()["healthy"] is True
