"""The lifecycle's own figures for the Alerts board: open alerts by state and severity (refreshed
after every tick), and escalation steps run."""

from __future__ import annotations

from collections import Counter as Tally

from prometheus_client import CollectorRegistry, Counter, Gauge

from alerts.lifecycle.work import Effects
from alerts.ports import AlertStore

STATES = ("firing", "acknowledged")
SEVERITIES = ("info", "warning", "critical")


class LifecycleMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.open = Gauge(
            "cxpulse_alerts_open",
            "Alerts not resolved, by state and severity (silenced and inhibited included).",
            ["state", "severity"],
            registry=registry,
        )
        self.escalations = Counter(
            "cxpulse_alert_escalations",
            "Escalation steps run (a chain step paged its next receiver), by rule and step.",
            ["rule", "step"],
            registry=registry,
        )
        for state in STATES:
            for severity in SEVERITIES:
                self.open.labels(state, severity)

    def after_tick(self, store: AlertStore, effects: Effects) -> None:
        rules = {a.fingerprint: a.rule for a in effects.alerts}
        for c in effects.changes:
            if c.action == "escalated":
                step = c.detail.split()[1] if c.detail.startswith("step ") else "?"
                self.escalations.labels(rules.get(c.fingerprint, "?"), step).inc()
        counts: Tally[tuple[str, str]] = Tally((a.state, a.severity) for a in store.open_alerts())
        for state in STATES:
            for severity in SEVERITIES:
                self.open.labels(state, severity).set(counts.get((state, severity), 0))
