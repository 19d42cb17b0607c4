"""The alert lifecycle's two Kafka ends, on the real broker: the alerts topic in (with bad
messages dead-lettered) and the ``kafka`` receiver out."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from alerts.notify.base import AlertView, Notification
from alerts.notify.configs import KafkaReceiverConfig
from alerts.notify.kafka import KafkaReceiver
from alerts.settings import AlertsTopic
from alerts.source import consume
from cxpulse.cli import alerts_settings
from schemas import deadletter as dl
from schemas.alerts import AlertEvent, AlertStatus, Summary, fingerprint
from tests.integration.conftest import Env

T0 = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def topic(env: Env) -> AlertsTopic:
    source = alerts_settings(env.settings).source
    assert source is not None
    return source


def alert(store: str, status: AlertStatus = "firing") -> AlertEvent:
    labels = {"store_id": store}
    fp = fingerprint("csat_low", labels)
    return AlertEvent(
        alert_event_id=f"{fp}:{status}:{int(T0.timestamp())}",
        fingerprint=fp,
        status=status,
        rule="csat_low",
        kind="satisfaction",
        severity="warning",
        labels=labels,
        summary=Summary(zh=f"门店 {store} 满意度低", en=f"Store {store} CSAT low"),
        starts_at=T0,
        observed_at=T0,
    )


def test_alert_events_are_applied_and_bad_ones_dead_lettered(env: Env) -> None:
    good = [alert("S001"), alert("S002")]
    env.produce(
        [
            ("alerts", b"k", good[0].model_dump_json().encode()),
            ("alerts", b"k", b'{"status": "firing"}'),
            ("alerts", b"k", good[1].model_dump_json().encode()),
        ]
    )
    seen: list[AlertEvent] = []

    async def run() -> None:
        stop = asyncio.Event()

        async def apply(e: AlertEvent) -> None:
            seen.append(e)
            if len(seen) == len(good):
                stop.set()

        await asyncio.wait_for(consume(topic(env), apply, stop), 60)

    asyncio.run(run())
    assert seen == good  # in order, the bad one in between skipped, not fatal
    (parked,) = env.consume("dlq", 1)
    headers = dict(parked.headers)
    assert headers[dl.HEADER_CODE] == b"invalid"
    assert b"alert_event_id" in headers[dl.HEADER_REASON]  # names the missing field
    assert parked.value == b'{"status": "firing"}'  # the original bytes, to fix and re-send
    assert dlq_size(env) == 1  # the good ones were not parked


def test_the_kafka_receiver_publishes_masked_notifications_keyed_for_dedupe(env: Env) -> None:
    topic = env.settings.kafka.topic("notifications")
    rx = KafkaReceiver(
        KafkaReceiverConfig(
            type="kafka", name="warehouse", bootstrap=env.settings.kafka.bootstrap, topic=topic
        )
    )
    a = alert("S003")
    view = AlertView(
        fingerprint=a.fingerprint,
        rule=a.rule,
        kind=a.kind,
        severity=a.severity,
        status=a.status,
        labels={"store_id": "S003", "customer_phone": "13812345678"},
        summary=Summary(zh="顾客 13812345678 投诉", en="customer 13812345678 complained"),
        starts_at=T0,
    )
    n = Notification(
        key="grp:abc:0",
        receiver="warehouse",
        group_key="grp",
        group_labels={},
        status="firing",
        alerts=(view,),
    )

    async def send() -> None:
        try:
            await rx.send(n)
        finally:
            await rx.close()

    asyncio.run(send())
    (msg,) = env.consume("notifications", 1)
    assert msg.key == b"grp:abc:0"
    body = msg.value.decode()
    assert "13812345678" not in body and "S003" in body
    assert json.loads(body)["alerts"][0]["fingerprint"] == a.fingerprint


def dlq_size(env: Env) -> int:
    """Messages ever written to the dead-letter topic (its end offsets), read without waiting."""
    from kafka import KafkaConsumer, TopicPartition

    topic = env.settings.kafka.topic("dlq")
    c = KafkaConsumer(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        parts = [TopicPartition(topic, p) for p in c.partitions_for_topic(topic) or ()]
        return int(sum(c.end_offsets(parts).values()))
    finally:
        c.close()


def test_a_database_outage_is_retried_not_dead_lettered(env: Env) -> None:
    from sqlalchemy.exc import OperationalError

    env.produce([("alerts", b"k", alert("S009").model_dump_json().encode())])
    seen: list[AlertEvent] = []

    async def down(e: AlertEvent) -> None:
        raise OperationalError("UPDATE alerts", {}, Exception("server closed the connection"))

    async def up(e: AlertEvent) -> None:
        seen.append(e)
        stop.set()

    stop = asyncio.Event()

    async def run() -> None:
        try:
            await asyncio.wait_for(consume(topic(env), down, asyncio.Event()), 60)
        except OperationalError:
            pass  # the service's loop restarts the consumer after a pause
        else:
            raise AssertionError("the outage was swallowed")
        await asyncio.wait_for(consume(topic(env), up, stop), 60)

    asyncio.run(run())
    assert [e.labels["store_id"] for e in seen] == ["S009"]  # read again, not committed past
    assert dlq_size(env) == 0  # and nothing was parked
