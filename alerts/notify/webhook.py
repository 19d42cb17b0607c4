"""Generic webhook: a JSON body, signed so the other side can trust it.

Headers: ``X-Cxpulse-Signature: sha256=<hex HMAC-SHA256(secret, body)>`` (the raw body bytes,
GitHub style), ``X-Cxpulse-Timestamp`` (Unix seconds) and ``X-Cxpulse-Key`` (the notification's
idempotency key: the outbox may deliver a key twice after a crash, the consumer can drop it).

``format: cxpulse`` sends the notification as cxpulse sees it (with the rendered text);
``format: alertmanager`` sends Alertmanager's webhook payload (version 4), so tools written for
Alertmanager webhooks (prometheus-webhook-dingtalk, PagerDuty bridges ...) work unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

from alerts.notify import alertmanager as am
from alerts.notify import render
from alerts.notify.base import AlertView, Notification
from alerts.notify.configs import WebhookConfig
from alerts.notify.transport import HttpTransport, secrets_of
from schemas.mask import mask_labels, mask_text

log = logging.getLogger("alerts.notify.webhook")

SIGNATURE_HEADER = "X-Cxpulse-Signature"
TIMESTAMP_HEADER = "X-Cxpulse-Timestamp"
KEY_HEADER = "X-Cxpulse-Key"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _alert(a: AlertView) -> dict[str, Any]:
    return {
        "fingerprint": a.fingerprint,
        "rule": a.rule,
        "kind": a.kind,
        "severity": a.severity,
        "status": a.status,
        "labels": mask_labels(a.labels),
        "summary": {"zh": mask_text(a.summary.zh), "en": mask_text(a.summary.en)},
        "values": a.values,
        "starts_at": a.starts_at.isoformat(),
        "ends_at": a.ends_at.isoformat() if a.ends_at else None,
        "count": a.count,
        "acked_by": mask_text(a.acked_by) if a.acked_by else None,
        "evidence": _evidence(a),
    }


def _evidence(a: AlertView) -> dict[str, Any] | None:
    """The evidence as sent: its excerpts masked again (the worker masks them; a receiver is
    the last place to catch a producer that did not)."""
    if a.evidence is None:
        return None
    d = a.evidence.model_dump(mode="json", exclude_none=True)
    for e in d.get("events", ()):
        e["excerpt"] = mask_text(e.get("excerpt", ""))
    return d


def cxpulse_payload(n: Notification, tz: str) -> dict[str, Any]:
    doc = render.compose(n, tz=tz)
    return {
        "version": "1",
        "key": n.key,
        "receiver": n.receiver,
        "group_key": n.group_key,
        "group_labels": mask_labels(n.group_labels),
        "status": n.status,
        "lang": n.lang,
        "title": doc.title,
        "text": render.text(doc),
        "escalation_step": n.escalation_step,
        "folded": n.folded,
        "ack_url": n.ack_url,
        "dashboard_url": n.dashboard_url,
        "mention": list(n.mention),
        "alerts": [_alert(a) for a in n.alerts],
    }


def _common(maps: list[dict[str, str]]) -> dict[str, str]:
    if not maps:
        return {}
    return {k: v for k, v in maps[0].items() if all(m.get(k) == v for m in maps[1:])}


def alertmanager_payload(n: Notification, external_url: str | None) -> dict[str, Any]:
    """Alertmanager's webhook body, version 4 (notify/webhook in prometheus/alertmanager)."""
    alerts = []
    for a in n.alerts:
        posted = am.postable(a, n)
        alerts.append(
            {
                "status": a.status,
                "labels": posted["labels"],
                "annotations": posted["annotations"],
                "startsAt": posted["startsAt"],
                # Alertmanager writes Go's zero time for an alert that has not ended.
                "endsAt": posted.get("endsAt", "0001-01-01T00:00:00Z"),
                "generatorURL": posted["generatorURL"],
                "fingerprint": a.fingerprint,
            }
        )
    return {
        "version": "4",
        "groupKey": n.group_key,
        "truncatedAlerts": 0,
        "status": n.status,
        "receiver": n.receiver,
        "groupLabels": {am.label_name(k): v for k, v in mask_labels(n.group_labels).items()},
        "commonLabels": _common([x["labels"] for x in alerts]),
        "commonAnnotations": _common([x["annotations"] for x in alerts]),
        "externalURL": external_url or n.dashboard_url or "",
        "alerts": alerts,
    }


class WebhookReceiver:
    def __init__(self, cfg: WebhookConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.rate_limit_per_minute = cfg.rate_limit_per_minute
        self._http = HttpTransport(cfg.name, cfg, secrets_of(cfg.url, cfg.secret))

    def __repr__(self) -> str:
        return f"WebhookReceiver(name={self.name!r}, format={self.cfg.format!r})"

    def payload(self, n: Notification) -> dict[str, Any]:
        if self.cfg.format == "alertmanager":
            return alertmanager_payload(n, self.cfg.external_url)
        return cxpulse_payload(n, self.cfg.timezone)

    def request(self, n: Notification, now_s: int) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(self.payload(n), ensure_ascii=False).encode()
        headers = {TIMESTAMP_HEADER: str(now_s), KEY_HEADER: n.key}
        if self.cfg.secret is not None:
            headers[SIGNATURE_HEADER] = sign(self.cfg.secret.get_secret_value(), body)
        return body, headers

    async def send(self, notification: Notification) -> None:
        body, headers = self.request(notification, int(time.time()))
        status, answer = await self._http.post(self.cfg.url.get_secret_value(), body, headers)
        self._http.check_http(status, answer)
        log.info("%s: sent %s", self.name, notification.key)

    async def close(self) -> None:
        await self._http.close()
