"""What a ``bench.scale`` run left on the broker, read back once it has settled: its alert
events and each store's final counters; and where two runs differ.

A failover loses nothing when these equal the crash-free run's. They are read from the topics
(the alerts topic, the store table's changelog), which hold the work of every worker of a run,
the killed one's included.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from cxpulse.config import KafkaConfig
from streams.topics import Topics


def read_topic(cfg: KafkaConfig, topic: str, timeout: float) -> Iterator[Any]:
    """Every message of ``topic`` from its beginning to its end as it is now."""
    from kafka import KafkaConsumer, TopicPartition

    c = KafkaConsumer(bootstrap_servers=cfg.bootstrap, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in range(cfg.partitions)]
        c.assign(tps)
        c.seek_to_beginning(*tps)
        ends = c.end_offsets(tps)
        deadline = time.monotonic() + timeout
        while any(c.position(tp) < ends[tp] for tp in tps) and time.monotonic() < deadline:
            for msgs in c.poll(timeout_ms=500).values():
                yield from msgs
    finally:
        c.close()


def alert_lines(cfg: KafkaConfig) -> list[str]:
    """Every alert event on the namespace's alerts topic, duplicates removed, sorted."""
    topic = Topics.from_config(cfg).alerts
    return sorted({m.value.decode() for m in read_topic(cfg, topic, 60)})


def final_counters(cfg: KafkaConfig, app: str) -> dict[str, Any]:
    """Each store's counters as its last changelog write left them: what every signal is
    read from. Unlike alerts they do not depend on the order kinds were read in."""
    last: dict[bytes, bytes] = {}
    for m in read_topic(cfg, f"{app}-store-state-changelog", 120):
        if m.value is not None:
            last[m.key] = m.value
    return {k.decode(): orjson.loads(v)["stats"] for k, v in last.items()}


def counter_diffs(
    one: dict[str, Any], other: dict[str, Any], limit: int = 5
) -> dict[str, dict[str, Any]]:
    """Up to ``limit`` stores whose counters differ: each differing field, as [run 1, other]
    (a store missing from one side shows as None there)."""
    out: dict[str, dict[str, Any]] = {}
    for store in sorted(one.keys() | other.keys()):
        a, b = one.get(store), other.get(store)
        if a == b:
            continue
        if not isinstance(a, dict) or not isinstance(b, dict):
            out[store] = {"stats": [a is not None, b is not None]}
        else:
            out[store] = {
                k: [a.get(k), b.get(k)] for k in a.keys() | b.keys() if a.get(k) != b.get(k)
            }
        if len(out) >= limit:
            break
    return out


def settle(cfg: KafkaConfig, quiet: float = 8.0, timeout: float = 120.0) -> list[str]:
    """The alert events once none has been added for ``quiet`` seconds. Consuming the last
    event is not the end: SLA deadlines fire on the partition clock's ticks after it, and
    stopping a worker then would lose them from one run and not the other."""
    lines, since = alert_lines(cfg), time.monotonic()
    deadline = since + timeout
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(1.0)
        now = alert_lines(cfg)
        if now != lines:
            lines, since = now, time.monotonic()
    return lines


def keep_alerts(workdir: Path, run: str, lines: list[str]) -> None:
    """A run's alert events beside the workers' logs, kept when runs differ."""
    (workdir / f"alerts-{run}.jsonl").write_text("".join(f"{a}\n" for a in lines))


def by_rule(mine: list[str], theirs: list[str]) -> dict[str, bool]:
    """Per rule: are the two runs' alert events the same?"""
    rules: dict[str, tuple[set[str], set[str]]] = {}
    for lines, side in ((mine, 0), (theirs, 1)):
        for line in lines:
            rules.setdefault(json.loads(line)["rule"], (set(), set()))[side].add(line)
    return {rule: a == b for rule, (a, b) in sorted(rules.items())}


def differing(mine: list[str], theirs: list[str]) -> list[str]:
    """Rule, status and store of the alert events only in ``mine`` (at most 10)."""
    other = set(theirs)
    out = []
    for line in mine:
        if line not in other:
            a = json.loads(line)
            out.append(f"{a.get('rule')} {a.get('status')} {a.get('labels', {}).get('store_id')}")
    return out[:10]
