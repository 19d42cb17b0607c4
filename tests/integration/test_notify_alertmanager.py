"""Alerts handed to a real Prometheus Alertmanager (Debian's package, installed if missing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.notify.alertmanager import AlertmanagerReceiver
from alerts.notify.base import DeliveryError
from alerts.notify.configs import AlertmanagerConfig
from tests.integration.notify_fakes import (
    Alertmanager,
    complaint_alert,
    deliver,
    notification,
)
from tests.waiting import free_port
from tests.waiting import wait_for as poll

pytest_plugins = ["tests.integration.notify_fixtures"]


def receiver(url: str) -> AlertmanagerReceiver:
    return AlertmanagerReceiver(AlertmanagerConfig(type="alertmanager", name="am", url=url))


def ours(am: Alertmanager, complaint: str) -> list[dict[str, Any]]:
    return [a for a in am.alerts() if a["labels"].get("complaint_id") == complaint]


def test_firing_shows_up_and_resolved_ends_it(alertmanager: Alertmanager) -> None:
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    firing = replace(
        complaint_alert(starts_at=started),
        labels={**complaint_alert().labels, "complaint_id": "TK-AM-1"},
    )
    rx = receiver(alertmanager.url)
    assert deliver(rx, notification(firing)) is None

    (got,) = poll(lambda: ours(alertmanager, "TK-AM-1"), 10, "the alert in Alertmanager")
    assert got["status"]["state"] == "active"
    assert got["labels"] == {
        "alertname": "sla_breach",
        "severity": "critical",
        "kind": "sla",
        "store_id": "S002",
        "brand": "禾风小馆",
        "city": "上海",
        "complaint_id": "TK-AM-1",
        "customer_tier": "vip",
        "customer_name": "王**",
        "customer_phone": "138****5678",
    }
    assert "138****5678" in got["annotations"]["summary"]
    assert got["annotations"]["ack_url"] == "https://cx.example.com/ack?t=signed-token"
    assert got["generatorURL"] == "https://cx.example.com/d/store?store=S002"
    assert datetime.fromisoformat(got["startsAt"].replace("Z", "+00:00")) == started
    # No endsAt sent: Alertmanager gives it one resolve_timeout ahead.
    assert datetime.fromisoformat(got["endsAt"].replace("Z", "+00:00")) > datetime.now(UTC)

    resolved = replace(firing, status="resolved", ends_at=datetime.now(UTC) - timedelta(seconds=1))
    assert deliver(rx, notification(resolved)) is None
    # An ended alert drops out of the API's list of current alerts.
    poll(lambda: not ours(alertmanager, "TK-AM-1"), 10, "Alertmanager to end the alert")


def test_alertmanager_refusal_is_not_retryable(alertmanager: Alertmanager) -> None:
    # Ending before it starts: Alertmanager answers 400, and would answer it to every retry.
    bad = complaint_alert(
        status="resolved", ends_at=complaint_alert().starts_at - timedelta(hours=1)
    )
    err = deliver(receiver(alertmanager.url), notification(bad))
    assert isinstance(err, DeliveryError) and not err.retryable
    assert "HTTP 400" in str(err) and "start time must be before end time" in str(err)


def test_no_alertmanager_is_retryable() -> None:
    err = deliver(receiver(f"http://127.0.0.1:{free_port()}"), notification())
    assert isinstance(err, DeliveryError) and err.retryable
