"""Prometheus metrics of the stream worker.

Label sets stay bounded: event type, reject reason, rule, and store (a deployment has a known,
finite set of stores). Nothing is labelled by customer or event id.
"""

from __future__ import annotations

import contextlib

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from streams.core.store import CsatView

# End-to-end latency (publish -> processed), from a few ms to the point where a page is late.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None, window: str = "1h") -> None:
        self.registry = registry or CollectorRegistry()
        self.window = window
        r = self.registry
        self.consumed = Counter(
            "cxpulse_events_consumed",
            "Valid events taken in, by type.",
            ["event_type"],
            registry=r,
        )
        self.invalid = Counter(
            "cxpulse_events_invalid",
            "Messages rejected to the dead-letter topic, by reason code.",
            ["reason"],
            registry=r,
        )
        self.duplicates = Counter(
            "cxpulse_events_duplicate",
            "Events seen again (same event_id), not counted twice.",
            ["event_type"],
            registry=r,
        )
        self.late = Counter(
            "cxpulse_events_late",
            "Events older than the allowed lateness; kept out of the rolling windows.",
            ["event_type"],
            registry=r,
        )
        self.latency = Histogram(
            "cxpulse_event_latency_seconds",
            "From the message's Kafka timestamp to the end of its processing.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.alerts = Counter(
            "cxpulse_alert_events",
            "Alert events published, by rule and status.",
            ["rule", "status"],
            registry=r,
        )
        self.csat = Gauge(
            "cxpulse_store_csat_ratio",
            "Share of 4-5 ratings in the rolling window (absent below the minimum sample).",
            ["store_id", "window"],
            registry=r,
        )
        self.delight = Gauge(
            "cxpulse_store_delight_ratio",
            "Share of 5 ratings in the rolling window.",
            ["store_id", "window"],
            registry=r,
        )
        self.ratings = Gauge(
            "cxpulse_store_ratings",
            "Ratings in the rolling window.",
            ["store_id", "window"],
            registry=r,
        )
        self.sla_events = Counter(
            "cxpulse_sla_events",
            "SLA clock changes, by clock and transition.",
            ["clock", "transition"],
            registry=r,
        )
        self.sla_open = Gauge(
            "cxpulse_sla_open_deadlines", "Complaints with a deadline still to come.", registry=r
        )
        self.sla_detection_lag = Histogram(
            "cxpulse_sla_detection_lag_seconds",
            "From a warning or breach instant to the worker acting on it.",
            buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 60),
            registry=r,
        )
        self.calendar_uncovered = Gauge(
            "cxpulse_calendar_uncovered_year",
            "1 when a calendar met a year its holiday data does not cover (weekly hours used).",
            ["calendar", "year"],
            registry=r,
        )
        self.watermark = Gauge(
            "cxpulse_event_time_watermark_seconds",
            "Newest event time processed (Unix seconds); its distance to now is the event lag.",
            registry=r,
        )

    def show_store(self, store_id: str, view: CsatView) -> None:
        self.ratings.labels(store_id, self.window).set(view.ratings)
        if view.csat is None or view.delight is None:
            # No rate from too few ratings: drop the series instead of showing noise.
            for g in (self.csat, self.delight):
                with contextlib.suppress(KeyError):
                    g.remove(store_id, self.window)
            return
        self.csat.labels(store_id, self.window).set(view.csat)
        self.delight.labels(store_id, self.window).set(view.delight)


def window_label(seconds: float) -> str:
    if seconds % 86400 == 0:
        return f"{int(seconds // 86400)}d"
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 60)}m"
