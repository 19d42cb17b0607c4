"""Hand alerts to an existing Prometheus Alertmanager: ``POST /api/v2/alerts``.

Each alert becomes ``{labels, annotations, startsAt, endsAt, generatorURL}``; a resolved one
carries its ``endsAt``, which ends it in Alertmanager. A firing one has no ``endsAt``, so
Alertmanager ends it by itself after its ``resolve_timeout`` (default 5 min) unless it is
sent again: Prometheus re-sends every evaluation, so the dispatcher must re-send firing groups
(repeat interval below resolve_timeout) or the Alertmanager must run with a long one.

The label and annotation mapping is shared with the webhook receiver's ``alertmanager`` format.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from alerts.notify.base import AlertView, Lang, Notification
from alerts.notify.configs import AlertmanagerConfig
from alerts.notify.transport import HttpTransport
from schemas.mask import mask_labels, mask_text

log = logging.getLogger("alerts.notify.alertmanager")

_BAD_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_]")


def rfc3339(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def label_name(key: str) -> str:
    """Alertmanager refuses label names outside [a-zA-Z_][a-zA-Z0-9_]*."""
    name = _BAD_NAME_CHARS.sub("_", key)
    return name if name and not name[0].isdigit() else f"_{name}"


def labels_of(a: AlertView) -> dict[str, str]:
    out = {label_name(k): v for k, v in mask_labels(a.labels).items()}
    return {**out, "alertname": a.rule, "severity": a.severity, "kind": a.kind}


def annotations_of(a: AlertView, lang: Lang, ack_url: str | None) -> dict[str, str]:
    zh, en = mask_text(a.summary.zh), mask_text(a.summary.en)
    out = {"summary": zh if lang == "zh" else en, "summary_zh": zh, "summary_en": en}
    out |= {f"value_{label_name(k)}": f"{v:g}" for k, v in a.values.items()}
    out["cxpulse_fingerprint"] = a.fingerprint
    if ack_url and a.status == "firing":
        out["ack_url"] = ack_url
    return out


def postable(a: AlertView, n: Notification) -> dict[str, Any]:
    out: dict[str, Any] = {
        "labels": labels_of(a),
        "annotations": annotations_of(a, n.lang, n.ack_url),
        "startsAt": rfc3339(a.starts_at),
        "generatorURL": n.dashboard_url or "",
    }
    if a.status == "resolved":
        out["endsAt"] = rfc3339(a.ends_at or datetime.now(UTC))
    return out


class AlertmanagerReceiver:
    def __init__(self, cfg: AlertmanagerConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.rate_limit_per_minute = cfg.rate_limit_per_minute
        self._http = HttpTransport(cfg.name, cfg, ())

    def __repr__(self) -> str:
        return f"AlertmanagerReceiver(name={self.name!r})"

    def payload(self, n: Notification) -> list[dict[str, Any]]:
        return [postable(a, n) for a in n.alerts]

    async def send(self, notification: Notification) -> None:
        url = self.cfg.url.rstrip("/") + "/api/v2/alerts"
        status, body = await self._http.post_json(url, self.payload(notification))
        self._http.check_http(status, body)
        log.info("%s: sent %s", self.name, notification.key)

    async def close(self) -> None:
        await self._http.close()
