"""The Kafka side of a bench run: the broker it needs, the records it produces, and the topics
and consumer groups it deletes once done.

Two ways to produce: ``preproduce`` fills a backlog as fast as the broker takes it, and
``paced_produce`` sends at a steady rate, as live traffic arrives. ``bench.pipeline`` and
``bench.scale`` both run on a fresh topic namespace they produce into and clean up after.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.harness import BenchError, say
from cxpulse.config import KafkaConfig
from streams.topics import delete_namespace

DEFAULT_BOOTSTRAP = "127.0.0.1:19092"

Record = tuple[str, bytes, bytes]  # topic, key, value


def kafka_producer(bootstrap: str, linger_ms: int, batch_size: int) -> Any:
    from kafka import KafkaProducer

    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=linger_ms,
        batch_size=batch_size,
        max_in_flight_requests_per_connection=5,
        client_id="cxpulse-bench",
    )


def preproduce(records: Sequence[Record], bootstrap: str, timeout: float) -> float:
    from tqdm import tqdm

    prod = kafka_producer(bootstrap, linger_ms=20, batch_size=512 * 1024)
    errors: list[BaseException] = []
    t0 = time.monotonic()
    try:
        with tqdm(
            total=len(records), unit="ev", unit_scale=True, desc="produce", file=sys.stderr
        ) as bar:
            for i, (topic, key, value) in enumerate(records, 1):
                prod.send(topic, key=key, value=value).add_errback(errors.append)
                if i % 1000 == 0:
                    bar.update(1000)
                    if errors:
                        break
            bar.update(len(records) - bar.n)
        prod.flush(timeout=timeout)
    finally:
        prod.close(timeout=10)
    if errors:
        raise BenchError(f"{len(errors)} sends failed, first: {errors[0]!r}")
    took = time.monotonic() - t0
    say(f"pre-produced {len(records):,} events in {took:.1f} s ({len(records) / took:,.0f}/s)")
    return took


def paced_produce(
    records: Sequence[Record],
    bootstrap: str,
    rate: float,
    timeout: float,
    at: tuple[float, Callable[[], None]] | None = None,
) -> float:
    """Send `records` at `rate` per second (10 ms ticks); return the achieved rate. `at`
    (seconds, call): called once that many seconds into the sending."""
    prod = kafka_producer(bootstrap, linger_ms=5, batch_size=64 * 1024)
    errors: list[BaseException] = []
    sent = 0
    t0 = time.monotonic()
    try:
        while sent < len(records):
            due = min(len(records), int((time.monotonic() - t0) * rate) + 1)
            while sent < due:
                topic, key, value = records[sent]
                prod.send(topic, key=key, value=value).add_errback(errors.append)
                sent += 1
            if errors:
                raise BenchError(f"{len(errors)} sends failed, first: {errors[0]!r}")
            if time.monotonic() - t0 > timeout:
                raise BenchError(f"paced producer: only {sent:,} sent before the deadline")
            if at is not None and time.monotonic() - t0 >= at[0]:
                at[1]()
                at = None
            time.sleep(0.01)
        elapsed = time.monotonic() - t0
        prod.flush(timeout=30)
    finally:
        prod.close(timeout=10)
    return sent / elapsed


def ensure_broker(bootstrap: str) -> None:
    host, _, port = bootstrap.rpartition(":")
    if bootstrap == DEFAULT_BOOTSTRAP:
        from cxpulse import localkafka

        try:
            localkafka.start(localkafka.Broker(), log=False)
        except Exception as exc:
            raise BenchError(
                f"could not start or reach the local broker on {bootstrap}: {exc}"
            ) from exc
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except OSError as exc:
        raise BenchError(f"Kafka broker unreachable on {bootstrap}: {exc}") from exc


def cleanup_kafka(cfg: KafkaConfig, app_ids: list[str], groups: list[str]) -> list[str]:
    deleted: list[str] = []
    for app_id in app_ids:
        try:
            deleted += delete_namespace(cfg, app_id)
        except Exception as exc:
            say(f"cleanup: deleting topics of {cfg.topic_prefix}/{app_id} failed: {exc!r}")
    try:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap, client_id="cxpulse-bench")
        try:
            # kafka-python 3 calls it delete_groups, 2.x delete_consumer_groups
            delete = getattr(admin, "delete_groups", None) or admin.delete_consumer_groups
            delete(groups)
        finally:
            admin.close()
    except Exception as exc:  # groups expire on their own; not worth failing for
        say(f"cleanup: deleting consumer groups failed (harmless): {exc!r}")
    return deleted


def stored_bytes(bootstrap: str, group: Callable[[str], str | None]) -> dict[str, int]:
    """Bytes the broker's log directories hold, summed by ``group(topic)`` (None: left out):
    what a run wrote, as stored, so after the producer's compression."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        brokers = admin.describe_log_dirs()
    finally:
        admin.close()
    out: dict[str, int] = {}
    for broker in brokers:
        for log_dir in broker["log_dirs"]:
            for topic in log_dir["topics"]:
                name = group(topic["name"])
                if name is not None:
                    size = sum(p["partition_size"] for p in topic["partitions"])
                    out[name] = out.get(name, 0) + size
    return out
