"""``cxpulse alerts serve`` says whether alerts from the stream reach it: ``/healthz`` is
``degraded`` with the consumer's error while the alerts topic cannot be read (the API and the
console still answer), ``ok`` once it reads, and its metrics count what it took."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import pytest

from cxpulse.live import scrape
from tests.integration.alerts_process import TOKEN, ServeProcess
from tests.integration.conftest import Env
from tests.integration.test_alerts_kafka import alert
from tests.integration.test_worker_codecs import without_codecs
from tests.waiting import wait_for


def health(svc: ServeProcess) -> dict[str, Any]:
    with urlopen(f"{svc.url}/healthz") as page:  # 200 either way: the console stays reachable
        answer: dict[str, Any] = json.load(page)
    return answer


def test_health_is_degraded_with_the_error_while_the_alerts_topic_cannot_be_read(
    tmp_path: Path,
) -> None:
    svc = ServeProcess(tmp_path, "serve", {})  # its broker address has nothing listening
    try:
        svc.wait_ready()

        def failing() -> dict[str, Any] | None:
            h = health(svc)
            return h if h["source"]["error"] not in (None, "starting") else None

        h = wait_for(failing, what="the consumer's failure in /healthz", explain=svc.output)
        assert h["status"] == "degraded" and h["source"]["up"] is False
        assert "Kafka" in h["source"]["error"], h
        samples = scrape(f"{svc.url}/metrics")
        assert samples[("cxpulse_alerts_source_up", ())] == 0
        assert samples[("cxpulse_alerts_source_failures_total", ())] >= 1
    finally:
        svc.kill()


@pytest.mark.kafka
def test_health_is_ok_once_the_alerts_topic_is_read_and_what_it_took_is_counted(
    env: Env, tmp_path: Path
) -> None:
    env.produce(
        [
            ("alerts", b"S001", alert("S001").model_dump_json().encode()),
            ("alerts", b"S001", b'{"status": "firing"}'),  # not an alert event: parked
        ]
    )
    svc = ServeProcess(tmp_path, "serve", dict(env.vars))
    try:
        svc.wait_ready()

        def took_both() -> bool:
            samples = scrape(f"{svc.url}/metrics")
            return (
                samples.get(("cxpulse_alerts_source_events_total", (("outcome", "applied"),))) == 1
                and samples.get(
                    ("cxpulse_alerts_source_events_total", (("outcome", "dead_lettered"),))
                )
                == 1
            )

        wait_for(took_both, timeout=60, what="one alert applied and one parked", explain=svc.output)

        # The counts move as each event is taken; the source is "up" only after the batch's
        # commit, a moment later.
        def ok() -> dict[str, Any] | None:
            h = health(svc)
            return h if h["status"] == "ok" else None

        h = wait_for(ok, timeout=30, what="/healthz ok", explain=svc.output)
        assert h["source"]["up"] is True and h["source"]["error"] is None
        samples = scrape(f"{svc.url}/metrics")
        assert samples[("cxpulse_alerts_source_up", ())] == 1
    finally:
        svc.kill()


def stores_alerted(svc: ServeProcess) -> set[str]:
    asked = Request(f"{svc.url}/api/alerts", headers={"Authorization": f"Bearer {TOKEN}"})
    with urlopen(asked) as page:
        listed: Any = json.load(page)
    return {row["labels"]["store_id"] for row in listed["alerts"]}


def applied(svc: ServeProcess) -> float | None:
    samples = scrape(f"{svc.url}/metrics")
    return samples.get(("cxpulse_alerts_source_events_total", (("outcome", "applied"),)))


@pytest.mark.kafka
def test_a_partition_of_the_alerts_topic_it_cannot_read_is_set_aside_and_the_others_still_page(
    env: Env, tmp_path: Path
) -> None:
    """One partition's batch it cannot decode (here: zstd, for a service installed without the
    codec) must not stop the alerts of every other partition from reaching a duty manager."""
    from kafka import KafkaProducer

    topic = env.settings.kafka.topic("alerts")
    for partition, store, codec in [(0, "S001", "zstd"), (1, "S002", None)]:
        producer = KafkaProducer(
            bootstrap_servers=env.settings.kafka.bootstrap, compression_type=codec
        )
        value = alert(store).model_dump_json().encode()
        producer.send(topic, key=store.encode(), value=value, partition=partition)
        producer.flush()
        producer.close()

    blind = ServeProcess(tmp_path, "blind", {**env.vars, "PYTHONPATH": without_codecs(tmp_path)})
    try:
        blind.wait_ready()
        wait_for(
            lambda: applied(blind) == 1, what="the readable partition's alert", explain=blind.output
        )
        assert stores_alerted(blind) == {"S002"}

        def set_aside() -> dict[str, Any] | None:
            h = health(blind)
            return h if h["source"]["unreadable"] else None

        h = wait_for(set_aside, what="the partition set aside", explain=blind.output)
        assert h["status"] == "degraded" and h["source"]["up"] is False
        [entry] = h["source"]["unreadable"]
        assert (entry["topic"], entry["partition"], entry["offset"]) == (topic, 0, 0)
        assert "zstd" in entry["reason"] and f"{topic}[0] cannot be read" in h["source"]["error"]
        assert scrape(f"{blind.url}/metrics")[("cxpulse_alerts_source_up", ())] == 0
        assert blind.proc.poll() is None
    finally:
        blind.kill()

    # Installed with the codec (the same database), the alert that waited is read: none lost.
    able = ServeProcess(tmp_path, "able", dict(env.vars))
    try:
        able.wait_ready()
        wait_for(lambda: applied(able) == 1, what="the waiting alert", explain=able.output)
        assert stores_alerted(able) == {"S001", "S002"}

        def ok() -> dict[str, Any] | None:
            h = health(able)
            return h if h["status"] == "ok" else None

        h = wait_for(ok, what="/healthz ok", explain=able.output)
        assert h["source"]["unreadable"] == []
    finally:
        able.kill()
