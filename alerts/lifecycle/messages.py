"""Turning alerts into the ``Notification`` a receiver renders, and into outbox items.

The engine decides who is told what; this module only assembles the record: alert views, the
one-click ack link (signed by an injected callable, so the pure core holds no secret), the
dashboard link and the mentions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from urllib.parse import quote, urlencode

from alerts.lifecycle import payload
from alerts.model import Alert, OutboxItem
from alerts.notify.base import AlertView, Lang, Notification
from schemas.alerts import Evidence, Summary

# (fingerprint, episode starts_at) -> a signed, expiring link that acknowledges that episode
# (None: no link)
AckUrl = Callable[[str, datetime], str | None]


def view(a: Alert) -> AlertView:
    return AlertView(
        fingerprint=a.fingerprint,
        rule=a.rule,
        kind=a.kind,
        severity=a.severity,
        status="resolved" if a.state == "resolved" else "firing",
        labels=dict(a.labels),
        summary=Summary(zh=a.summary_zh, en=a.summary_en),
        starts_at=a.starts_at,
        values=dict(a.values),
        ends_at=a.ends_at,
        count=a.count,
        acked_by=a.acked_by,
        evidence=None if a.evidence is None else Evidence.model_validate(a.evidence),
    )


def dashboard_url(
    public_url: str | None, group_labels: Mapping[str, str], one: str | None
) -> str | None:
    """``/alerts/<fingerprint>`` for one alert, else ``/alerts?store_id=S003`` for the group."""
    if not public_url:
        return None
    base = public_url.rstrip("/") + "/alerts"
    if one is not None:
        return f"{base}/{quote(one)}"
    return f"{base}?{urlencode(sorted(group_labels.items()))}" if group_labels else base


def notification(
    *,
    key: str,
    receiver: str,
    group_key: str,
    group_labels: Mapping[str, str],
    firing: Sequence[Alert],
    resolved: Sequence[Alert],
    lang: Lang,
    public_url: str | None,
    ack_url: AckUrl | None,
    mention: tuple[str, ...] = (),
    escalation_step: int = 0,
) -> Notification:
    alerts = (*firing, *resolved)
    # The ack link acknowledges the first (worst) alert still waiting for someone; a group of
    # one crisis is the common case. No link once nothing is left to acknowledge.
    waiting = next((a for a in firing if a.state == "firing"), None)
    one = alerts[0].fingerprint if len(alerts) == 1 else None
    return Notification(
        key=key,
        receiver=receiver,
        group_key=group_key,
        group_labels=dict(group_labels),
        status="firing" if firing else "resolved",
        alerts=tuple(view(a) for a in alerts),
        lang=lang,
        ack_url=ack_url(waiting.fingerprint, waiting.starts_at) if ack_url and waiting else None,
        dashboard_url=dashboard_url(public_url, group_labels, one),
        escalation_step=escalation_step,
        mention=mention,
    )


def outbox_item(n: Notification, now: datetime) -> OutboxItem:
    return OutboxItem(
        key=n.key,
        receiver=n.receiver,
        group_key=n.group_key,
        payload=payload.encode(n),
        created_at=now,
        due_at=now,
    )
