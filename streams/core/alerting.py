"""One way to build an alert event, for every processor.

The fingerprint is the rule plus the labels that *identify* the condition (the store, the
complaint and clock, the agent ...); the alert carries further labels for routing and display
(brand, region, tier ...) that must not split one condition into two alerts when they change.
"""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.alerts import AlertEvent, AlertStatus, Evidence, Severity, Summary, fingerprint


def at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def make(
    *,
    rule: str,
    kind: str,
    severity: Severity,
    status: AlertStatus,
    identity: dict[str, str],
    since: float,
    now: float,
    zh: str,
    en: str,
    labels: dict[str, str] | None = None,
    values: dict[str, float] | None = None,
    source_event_id: str | None = None,
    revision: str | None = None,
    evidence: Evidence | None = None,
) -> AlertEvent:
    """``revision`` marks an update of a firing alert (e.g. its severity rose): a new change
    with its own id, so the lifecycle sees it, under the same fingerprint, so it stays one
    alert (one incident) instead of a new page."""
    # A change is never observed before the condition began: a resolution stamped earlier than
    # its start is dropped downstream as stale, and the alert would stay open for ever.
    now = max(now, since)
    rule = str(rule)
    fp = fingerprint(rule, identity)
    change_id = f"{fp}:{status}:{int(since)}" + (f":{revision}" if revision else "")
    return AlertEvent(
        alert_event_id=change_id,
        fingerprint=fp,
        status=status,
        rule=rule,
        kind=kind,
        severity=severity,
        labels={**identity, **(labels or {})},
        summary=Summary(zh=zh, en=en),
        values=values or {},
        starts_at=at(since),
        ends_at=at(now) if status == "resolved" else None,
        observed_at=at(now),
        source_event_id=source_event_id,
        evidence=evidence,
    )
