"""Publish events to their topics, keyed by store_id (the partitioning contract)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from streams.config import KafkaConfig
from streams.topics import Topics


@dataclass
class Routed:
    topic: str
    key: bytes
    value: bytes
    order: tuple[float, str] = (0.0, "")  # (event time, event_id): the publishing order


@dataclass
class Unroutable:
    lineno: int
    reason: str


@dataclass
class ProduceReport:
    sent: dict[str, int] = field(default_factory=dict)
    skipped: list[Unroutable] = field(default_factory=list)


def route(lines: Iterable[bytes], topics: Topics) -> Iterator[Routed | Unroutable]:
    """Find each line's topic and key. Only routing is checked here: the worker validates,
    so a line with a bad rating still goes out and lands on the dead-letter topic."""
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            obj: Any = json.loads(line)
        except ValueError as exc:
            yield Unroutable(lineno, f"not JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield Unroutable(lineno, "not a JSON object")
            continue
        topic = topics.events.get(str(obj.get("event_type")))
        if topic is None:
            yield Unroutable(lineno, f"unknown event_type {obj.get('event_type')!r}")
            continue
        store = obj.get("store_id")
        if not isinstance(store, str) or not store:
            yield Unroutable(lineno, "missing store_id (the message key)")
            continue
        yield Routed(topic, store.encode(), line, _order(obj))


def _order(obj: dict[str, Any]) -> tuple[float, str]:
    """Publish in event-time order, as replay processes, so both see each store's events in
    the same order."""
    try:
        ts = datetime.fromisoformat(str(obj.get("occurred_at"))).timestamp()
    except ValueError:
        ts = 0.0
    return (ts, str(obj.get("event_id")))


def sort_key(r: Routed) -> tuple[float, str]:
    return r.order


def producer(cfg: KafkaConfig) -> Any:
    from kafka import KafkaProducer

    return KafkaProducer(
        bootstrap_servers=cfg.bootstrap,
        acks="all",
        linger_ms=5,
        client_id="cxpulse-produce",
    )


def publish(
    records: Iterable[Routed], cfg: KafkaConfig, report: ProduceReport | None = None
) -> ProduceReport:
    report = report or ProduceReport()
    prod = producer(cfg)
    try:
        for r in records:
            prod.send(r.topic, key=r.key, value=r.value)
            report.sent[r.topic] = report.sent.get(r.topic, 0) + 1
        prod.flush()
    finally:
        prod.close()
    return report
