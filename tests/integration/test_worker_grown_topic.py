"""An event topic given more partitions than the deployment's count while the worker runs (an
upstream team scaling its producer): every store stays watched, nothing is lost or counted
twice, and a restart still starts."""

from __future__ import annotations

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewPartitions

from cxpulse.live import scrape
from tests.helpers import feedback, line
from tests.integration.conftest import Env
from tests.waiting import free_port, wait_for

pytestmark = pytest.mark.kafka

# Under the Java client's partitioner (murmur2, kafka-python's too), of 2 partitions then 4:
# S1 goes 1 -> 3 and S7 0 -> 2 (moved to a new partition); S2 stays on 0 and S3 on 1.
STORES = ("S1", "S7", "S2", "S3")


def send(env: Env, records: list[tuple[str, int, int]]) -> dict[str, set[int]]:
    """(store, event number, rating) as feedback, keyed by store; the partitions each store's
    events went to."""
    producer = KafkaProducer(bootstrap_servers=env.settings.kafka.bootstrap, acks="all")
    went: dict[str, set[int]] = {}
    try:
        for store, i, rating in records:
            sent = producer.send(
                env.settings.kafka.topic("feedback"),
                key=store.encode(),
                value=line(feedback(i, rating, store=store)),
            ).get(timeout=30)
            went.setdefault(store, set()).add(sent.partition)
    finally:
        producer.close()
    return went


def ratings(env: Env, store: str) -> float | None:
    return env.metric("cxpulse_store_ratings", store_id=store, window="24h")


def test_events_on_partitions_added_to_an_event_topic_are_moved_to_their_stores(
    env: Env,
) -> None:
    env.start_worker(CXPULSE_WORKER__METADATA_MAX_AGE="2")
    send(env, [(s, i, 5) for s in STORES for i in range(5)])
    wait_for(
        lambda: env.metric("cxpulse_events_consumed_total", event_type="feedback") == 20,
        what="the first 20 events counted",
        explain=env.log,
    )
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        admin.create_partitions({env.settings.kafka.topic("feedback"): NewPartitions(4)})
    finally:
        admin.close()
    # The producer learns of the new partitions at once (a fresh client): S1 and S7 go there.
    went = send(env, [(s, 10 + i, 1) for s in STORES for i in range(5)])
    assert went == {"S1": {3}, "S7": {2}, "S2": {0}, "S3": {1}}

    for store in STORES:
        wait_for(
            lambda: ratings(env, store) == 10,  # noqa: B023
            what=f"{store}'s 10 ratings",
            explain=lambda: f"{env.state()}\n{env.log()}",
        )
    # The topic's growth makes the group rebalance, and events in flight are read again then:
    # the store's event-id memory (or its saved state) counts each rating once.
    assert {s: ratings(env, s) for s in STORES} == dict.fromkeys(STORES, 10.0)
    moved = env.metric("cxpulse_events_moved_total", topic=env.settings.kafka.topic("feedback"))
    assert moved is not None and moved >= 10  # S1's and S7's 5 (again, if read again)
    assert env.health()["healthy"] is True

    # A restart meets the grown topic at start-up: it must start, and go on moving.
    env.procs[0].kill()
    env.procs[0].wait(10)
    env.start_worker(CXPULSE_WORKER__METADATA_MAX_AGE="2")
    send(env, [(s, 20, 1) for s in STORES])
    for store in STORES:
        wait_for(
            lambda: ratings(env, store) == 11,  # noqa: B023
            what=f"{store}'s 11th rating after the restart",
            explain=lambda: f"{env.state()}\n{env.log()}",
        )
    assert env.health()["healthy"] is True


def test_two_workers_started_on_a_grown_topic_each_watch_their_own_stores_once(env: Env) -> None:
    """Started together on a topic that grew, with a backlog on its old and new partitions: the
    extra partitions go with the owners of their numbers modulo the count, so every store ends
    on one worker with all its ratings (not half on each)."""
    send(env, [(s, i, 5) for s in STORES for i in range(5)])
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        admin.create_partitions({env.settings.kafka.topic("feedback"): NewPartitions(4)})
    finally:
        admin.close()
    send(env, [(s, 10 + i, 1) for s in STORES for i in range(5)])
    ports = [env.settings.worker.metrics_port, free_port()]
    env.start_worker(CXPULSE_WORKER__METADATA_MAX_AGE="2")
    env.start_worker(
        CXPULSE_WORKER__METADATA_MAX_AGE="2",
        CXPULSE_WORKER__METRICS_PORT=str(ports[1]),
        CXPULSE_WORKER__DATA_DIR=str(env.tmp / "worker-2"),
    )

    def shown() -> dict[str, list[float]] | None:
        """Each store's 24 h rating count on each worker that shows it."""
        out: dict[str, list[float]] = {}
        for port in ports:
            try:
                page = scrape(f"http://127.0.0.1:{port}/metrics?name[]=cxpulse_store_ratings")
            except OSError:
                return None  # not serving yet
            for (_, labels), value in page.items():
                if dict(labels).get("window") == "24h":
                    out.setdefault(dict(labels)["store_id"], []).append(value)
        return out

    wait_for(
        lambda: shown() == {s: [10.0] for s in STORES},
        what="every store's 10 ratings on one worker",
        explain=lambda: f"{shown()}\n{env.log()}",
    )
