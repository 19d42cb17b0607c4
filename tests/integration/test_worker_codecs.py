"""Compressed record batches on the real broker: a topic whose ``compression.type`` is zstd,
lz4 or snappy (or a producer that compresses so) is read in full; a partition the worker cannot
read is set aside, named by the health check, and the other partitions go on; once the worker
can read it, every event of it is counted, none lost."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

from tests.helpers import complaint, feedback, line, review
from tests.integration.conftest import Env
from tests.waiting import wait_for

pytestmark = pytest.mark.kafka


def compress(env: Env, codecs: dict[str, str]) -> None:
    """Set each event topic's ``compression.type`` on the broker (it re-compresses what it is
    sent) and wait until the broker reports it."""
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        admin.alter_configs(
            [
                ConfigResource(
                    ConfigResourceType.TOPIC,
                    env.settings.kafka.topic(kind),
                    {"compression.type": codec},
                )
                for kind, codec in codecs.items()
            ]
        )

        def applied() -> bool:
            wanted = {env.settings.kafka.topic(k): v for k, v in codecs.items()}
            asked = [ConfigResource(ConfigResourceType.TOPIC, t) for t in wanted]
            topics = admin.describe_configs(asked).get("topic", {})
            found = {t: c.get("compression.type", {}).get("value") for t, c in topics.items()}
            return found == wanted

        wait_for(applied, what="the topics' compression applied", timeout=30)
    finally:
        admin.close()


def events(stores: tuple[str, ...]) -> list[tuple[str, bytes | None, bytes]]:
    out: list[tuple[str, bytes | None, bytes]] = []
    for store in stores:
        key = store.encode()
        rated = [feedback(i, 1 + i % 5, store, minutes=i) for i in range(30)]
        out += [("feedback", key, line(ev)) for ev in rated]
        out += [("review", key, line(review(i, store, minutes=i))) for i in range(10)]
    out += [("complaint", b"S1", line(complaint(i))) for i in range(5)]
    return out


STORES = ("S1", "S2", "S3", "S4")  # spread over both partitions


def counted(env: Env, kind: str) -> float:
    return env.metric("cxpulse_events_consumed_total", event_type=kind) or 0.0


def test_topics_compressed_with_every_kafka_codec_are_read_in_full(env: Env) -> None:
    compress(env, {"feedback": "zstd", "review": "lz4", "complaint": "snappy"})
    env.start_worker()
    env.produce(events(STORES))
    wanted = {"feedback": 120, "review": 40, "complaint": 5}
    wait_for(
        lambda: {k: counted(env, k) for k in wanted} == wanted,
        what=f"{wanted} events counted",
        timeout=120,
        explain=env.state,
    )
    wait_for(lambda: env.health()["healthy"], what="a healthy worker", explain=env.log)
    assert env.health()["unreadable"] == []


def without_codecs(tmp: Path) -> str:
    """A PYTHONPATH on which aiokafka finds no decompressor for snappy, lz4 or zstd: what a
    worker installed without them, or a batch in a codec it does not know, looks like."""
    stub = tmp / "no-codecs" / "cramjam"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text('raise ImportError("left out for this test")\n')
    return os.pathsep.join(p for p in (str(stub.parent), os.environ.get("PYTHONPATH")) if p)


def test_a_partition_it_cannot_read_is_set_aside_named_and_read_in_full_later(
    env: Env, tmp_path: Path
) -> None:
    compress(env, {"feedback": "zstd"})
    # Without the codecs it cannot compress what it writes either.
    first = env.start_worker(
        PYTHONPATH=without_codecs(tmp_path), CXPULSE_WORKER__PRODUCER_COMPRESSION="none"
    )
    env.produce(events(STORES))
    # The reviews, on partitions of their own topic, go on, without waiting for the feedback
    # topic of their partition (a merge bound would hold them 30 s).
    wait_for(
        lambda: counted(env, "review") == 40 and counted(env, "complaint") == 5,
        what="40 reviews and 5 complaints",
        timeout=60,
        explain=env.log,
    )
    assert counted(env, "feedback") == 0

    def named() -> dict[str, Any] | None:
        h = env.health()
        return h if h["unreadable"] else None

    h = wait_for(named, what="the unreadable partitions named", explain=env.log)
    assert h["healthy"] is False
    feedback_topic = env.settings.kafka.topic("feedback")
    for entry in h["unreadable"]:
        assert entry["topic"] == feedback_topic
        assert entry["offset"] == 0
        assert "zstd" in entry["reason"]
        assert f"{feedback_topic}[{entry['partition']}] cannot be read" in h["reason"]
        gauge = env.metric(
            "cxpulse_partition_unreadable", topic=feedback_topic, partition=str(entry["partition"])
        )
        assert gauge == 1
    assert first.poll() is None, "the worker stopped"

    # With the codec back (a worker installed with it), every feedback event is read: nothing
    # of the partitions set aside was committed past, so nothing was lost.
    first.kill()
    first.wait(10)
    env.start_worker()
    wait_for(
        lambda: counted(env, "feedback") == 120,
        what="120 feedback events",
        timeout=120,
        explain=env.state,
    )
    wait_for(lambda: env.health()["healthy"], what="a healthy worker", explain=env.log)
