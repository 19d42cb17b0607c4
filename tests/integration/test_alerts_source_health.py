"""``cxpulse alerts serve`` says whether alerts from the stream reach it: ``/healthz`` is
``degraded`` with the consumer's error while the alerts topic cannot be read (the API and the
console still answer), ``ok`` once it reads, and its metrics count what it took."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

from cxpulse.live import scrape
from tests.integration.alerts_process import ServeProcess
from tests.integration.conftest import Env
from tests.integration.test_alerts_kafka import alert
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
