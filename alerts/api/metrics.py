"""The lifecycle's own figures for the Alerts board: open alerts by state and severity (refreshed
after every tick), and escalation steps run."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge

from alerts.lifecycle.work import Effects

STATES = ("firing", "acknowledged")
SEVERITIES = ("info", "warning", "critical")


class LifecycleMetrics:
    def __init__(self, registry: CollectorRegistry, steps: int = 0) -> None:
        """``steps``: the longest chain's step count."""
        self.open = Gauge(
            "cxpulse_alerts_open",
            "Alerts not resolved, by state and severity (silenced and inhibited included).",
            ["state", "severity"],
            registry=registry,
        )
        self.escalations = Counter(
            "cxpulse_alert_escalations",
            "Escalation steps run (a chain step paged its next receiver), by step number.",
            ["step"],
            registry=registry,
        )
        for step in range(1, steps + 1):  # series from the start, so increase() counts the first
            self.escalations.labels(str(step))
        for state in STATES:
            for severity in SEVERITIES:
                self.open.labels(state, severity)

    def after_tick(self, effects: Effects, open_counts: Mapping[tuple[str, str], int]) -> None:
        """``open_counts``: the store's open alerts by (state, severity)."""
        for c in effects.changes:
            if c.action == "escalated":
                step = c.detail.split()[1] if c.detail.startswith("step ") else "?"
                self.escalations.labels(step).inc()
        for state in STATES:
            for severity in SEVERITIES:
                self.open.labels(state, severity).set(open_counts.get((state, severity), 0))
