"""Builders of alert events for tests of the lifecycle (unit tests here, integration tests of
the database and the API elsewhere): one place that knows what a valid ``AlertEvent`` is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.lifecycle import payload
from alerts.lifecycle.config import AlertsConfig
from alerts.lifecycle.engine import Engine
from alerts.lifecycle.work import Effects
from alerts.memory import MemoryStore
from alerts.model import Alert
from alerts.notify.base import Notification
from schemas.alerts import AlertEvent, AlertStatus, Severity, Summary, fingerprint

T0 = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # Monday 12:00 in Shanghai


def event(
    rule: str = "csat_low",
    status: AlertStatus = "firing",
    *,
    store: str = "S001",
    kind: str = "satisfaction",
    severity: Severity = "warning",
    at: datetime = T0,
    starts_at: datetime | None = None,
    region: str | None = "east",
    **labels: str,
) -> AlertEvent:
    """An alert event for ``rule`` at ``store``; the fingerprint depends on rule and labels
    only, so the same call at another time is the same alert."""
    all_labels = {"store_id": store, **({"region": region} if region else {}), **labels}
    fp = fingerprint(rule, all_labels)
    start = starts_at or at
    return AlertEvent(
        alert_event_id=f"{fp}:{status}:{start.isoformat()}:{at.isoformat()}",
        fingerprint=fp,
        status=status,
        rule=rule,
        kind=kind,
        severity=severity,
        labels=all_labels,
        summary=Summary(zh=f"{store} {rule}", en=f"{store} {rule}"),
        values={"csat": 0.42},
        starts_at=start,
        ends_at=at if status == "resolved" else None,
        observed_at=at,
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def receivers(*names: str) -> list[dict[str, str]]:
    """Webhook receivers by name (never contacted: the engine only queues)."""
    return [{"type": "webhook", "name": n, "url": f"http://127.0.0.1:9/{n}"} for n in names]


class Run:
    """An engine over a memory store, with the outbox read back as notifications."""

    def __init__(self, cfg: AlertsConfig, store: MemoryStore | None = None) -> None:
        self.cfg = cfg
        self.store = store if store is not None else MemoryStore()
        self.engine = Engine(cfg, ack_url=lambda fp, _episode: f"https://cx.example.com/ack/{fp}")

    def apply(self, e: AlertEvent, now: datetime | None = None) -> Effects:
        return self.engine.apply_event(self.store, e, now or e.observed_at)

    def tick(self, now: datetime) -> list[Notification]:
        """Tick and return what it queued."""
        return [payload.decode(i.payload) for i in self.engine.tick(self.store, now).outbox]

    def sent(self) -> list[Notification]:
        """Everything queued so far, oldest first."""
        return [payload.decode(i.payload) for i in reversed(self.store.outbox(limit=10_000))]

    def alert(self, e: AlertEvent) -> Alert:
        a = self.store.get(e.fingerprint)
        assert a is not None
        return a
