"""A ``Notification`` as the outbox stores it: JSON, and back to the same dataclass.

The outbox keeps the rendered-to-be message, not a reference to alert rows, so what is sent
after a restart or a retry is exactly what was decided at the time, even if the alerts have
moved on since.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from alerts.notify.base import AlertView, Notification
from schemas.alerts import Evidence, Summary

VERSION = 1


def _view(a: AlertView) -> dict[str, Any]:
    return {
        "fingerprint": a.fingerprint,
        "rule": a.rule,
        "kind": a.kind,
        "severity": a.severity,
        "status": a.status,
        "labels": a.labels,
        "summary": {"zh": a.summary.zh, "en": a.summary.en},
        "starts_at": a.starts_at.isoformat(),
        "values": a.values,
        "ends_at": a.ends_at.isoformat() if a.ends_at else None,
        "count": a.count,
        "acked_by": a.acked_by,
        "evidence": a.evidence.model_dump(mode="json", exclude_none=True) if a.evidence else None,
    }


def encode(n: Notification) -> str:
    data = {
        "v": VERSION,
        "key": n.key,
        "receiver": n.receiver,
        "group_key": n.group_key,
        "group_labels": n.group_labels,
        "status": n.status,
        "alerts": [_view(a) for a in n.alerts],
        "lang": n.lang,
        "ack_url": n.ack_url,
        "dashboard_url": n.dashboard_url,
        "escalation_step": n.escalation_step,
        "folded": n.folded,
        "mention": list(n.mention),
    }
    # sort_keys: the same notification is always the same bytes (tests, dedupe by content).
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _unview(d: dict[str, Any]) -> AlertView:
    return AlertView(
        fingerprint=d["fingerprint"],
        rule=d["rule"],
        kind=d["kind"],
        severity=d["severity"],
        status=d["status"],
        labels=dict(d["labels"]),
        summary=Summary(**d["summary"]),
        starts_at=datetime.fromisoformat(d["starts_at"]),
        values={k: float(v) for k, v in d["values"].items()},
        ends_at=datetime.fromisoformat(d["ends_at"]) if d["ends_at"] else None,
        count=int(d["count"]),
        acked_by=d["acked_by"],
        # absent from items written before alerts carried evidence
        evidence=Evidence.model_validate(d["evidence"]) if d.get("evidence") else None,
    )


def decode(text: str) -> Notification:
    d = json.loads(text)
    if d.get("v") != VERSION:
        raise ValueError(f"outbox payload version {d.get('v')!r} is not {VERSION}")
    return Notification(
        key=d["key"],
        receiver=d["receiver"],
        group_key=d["group_key"],
        group_labels=dict(d["group_labels"]),
        status=d["status"],
        alerts=tuple(_unview(a) for a in d["alerts"]),
        lang=d["lang"],
        ack_url=d["ack_url"],
        dashboard_url=d["dashboard_url"],
        escalation_step=int(d["escalation_step"]),
        folded=int(d["folded"]),
        mention=tuple(d["mention"]),
    )
