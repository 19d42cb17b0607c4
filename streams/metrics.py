"""Prometheus metrics of the stream worker.

Label sets stay bounded: event type, reject reason, rule and window come from our own code and
configuration; every label whose value comes from event text (store, brand, region, city, survey
channel, calendar year) passes through a ``LabelCap`` (``streams.cardinality``), so a hostile or
careless upstream cannot multiply the series. Nothing is labelled by customer or event id.
"""

from __future__ import annotations

import contextlib
from typing import get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

from schemas.alerts import RuleName
from schemas.signals import SignalSnapshot
from schemas.sla import CLOCKS, Transition
from streams.cardinality import LabelCapsConfig, label_caps

NPS_GROUPS = ("promoter", "passive", "detractor")
# Per store only: queues and agents go on the signals topic, not into label sets.
CALL_MEASURES = {
    "offered": "calls offered",
    "abandonment_ratio": "abandoned / offered",
    "asa_seconds": "average speed of answer",
    "aht_seconds": "average handle time",
    "service_level_ratio": "answered within the service-level seconds / offered",
    "transfer_ratio": "share of answered calls transferred",
    "repeat_ratio": "share of callers calling again within the repeat window",
}
CALL_FIELDS = {
    "offered": "offered",
    "abandonment_ratio": "abandonment",
    "asa_seconds": "asa",
    "aht_seconds": "aht",
    "service_level_ratio": "service_level",
    "transfer_ratio": "transfer_rate",
    "repeat_ratio": "repeat_rate",
}
# Every rule the processors raise, so each (rule, status) series exists from the start:
# increase() cannot count a counter's first event if the series appears with it, and a wall
# panel "taboo phrases today" then reads 0 after a restart.
KNOWN_RULES = tuple(r.value for r in RuleName)
# End-to-end latency (publish -> processed), from a few ms to the point where a page is late.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(
        self, registry: CollectorRegistry | None = None, caps: LabelCapsConfig | None = None
    ) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.label_overflow = Counter(
            "cxpulse_label_overflow",
            "Observations whose label value came after its label's cap was full: exported as "
            '"other" (counters, store_info) or left out (per-store gauges).',
            ["label"],
            registry=r,
        )
        self.caps = label_caps(caps or LabelCapsConfig(), self.label_overflow)
        # process_start_time_seconds: restarts on the pipeline-health board.
        ProcessCollector(registry=r)
        self._info: dict[str, tuple[str, str, str]] = {}  # store -> its store_info labels
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
        self.merge_held = Gauge(
            "cxpulse_events_held_for_order",
            "Valid events waiting for their partition's other topics (event-time order).",
            registry=r,
        )
        self.state_not_written = Counter(
            "cxpulse_state_not_written",
            "Store states that could not be encoded for the changelog (kept in memory; a bug).",
            registry=r,
        )
        self.undeliverable = Counter(
            "cxpulse_events_undeliverable",
            "Rejected messages that not even the dead-letter topic took (logged, then skipped).",
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
        self.store_info = Gauge(
            "cxpulse_store_info",
            "1 per store, labelled with its brand/region/city: join on store_id to roll up.",
            ["store_id", "brand", "region", "city"],
            registry=r,
        )
        per_window = ["store_id", "window"]
        self.csat = Gauge(
            "cxpulse_store_csat_ratio",
            "Share of 4-5 ratings in the rolling window (absent below the minimum sample).",
            per_window,
            registry=r,
        )
        self.delight = Gauge(
            "cxpulse_store_delight_ratio",
            "Share of 5 ratings in the rolling window (absent below the minimum sample).",
            per_window,
            registry=r,
        )
        self.mean_rating = Gauge(
            "cxpulse_store_mean_rating", "Mean rating 1-5 in the window.", per_window, registry=r
        )
        self.nps = Gauge(
            "cxpulse_store_nps", "NPS (-100..100) in the window.", per_window, registry=r
        )
        self.ces = Gauge(
            "cxpulse_store_ces", "Mean customer effort score (1-7).", per_window, registry=r
        )
        self.expectation_gap = Gauge(
            "cxpulse_store_expectation_gap",
            "Mean rating minus expectation; below 0 the store falls short of expectations.",
            per_window,
            registry=r,
        )
        self.ratings = Gauge(
            "cxpulse_store_ratings", "Ratings in the rolling window.", per_window, registry=r
        )
        self.ratings_by_value = Gauge(
            "cxpulse_store_ratings_by_value",
            "Ratings in the window by value 1-5 (sum these across stores to roll up CSAT).",
            ["store_id", "window", "rating"],
            registry=r,
        )
        self.nps_answers = Gauge(
            "cxpulse_store_nps_answers",
            "NPS answers in the window by group (promoter, passive, detractor).",
            ["store_id", "window", "group"],
            registry=r,
        )
        self.negatives = Gauge(
            "cxpulse_store_negatives",
            "Negative experiences in the window: low ratings, negative reviews/calls, complaints.",
            per_window,
            registry=r,
        )
        self.reach = Gauge(
            "cxpulse_store_negative_reach",
            "Estimated people who heard of the store's negatives in the window (reach model).",
            per_window,
            registry=r,
        )
        self.repair_debt = Gauge(
            "cxpulse_store_repair_debt",
            "Positive experiences still needed to make up for the negatives (12 per unhappy).",
            per_window,
            registry=r,
        )
        self.crisis_score = Gauge(
            "cxpulse_store_crisis_score",
            "Crisis score: lexicon hits, special customers, post reach, spikes.",
            ["store_id"],
            registry=r,
        )
        self.negatives_last_hour = Gauge(
            "cxpulse_store_negatives_last_hour",
            "Negative events in the last 60 minutes (the spike detector's input).",
            ["store_id"],
            registry=r,
        )
        self.negatives_baseline = Gauge(
            "cxpulse_store_negatives_baseline",
            "Normal negatives per hour at this store and hour of the week (EWMA).",
            ["store_id"],
            registry=r,
        )
        self.calls = {
            name: Gauge(
                f"cxpulse_store_call_{name}",
                f"Calls at the store over the window: {doc}.",
                per_window,
                registry=r,
            )
            for name, doc in CALL_MEASURES.items()
        }
        self.signals_published = Counter(
            "cxpulse_signal_snapshots",
            "Signal snapshots published on the signals topic.",
            registry=r,
        )
        self.channel_ratings = Counter(
            "cxpulse_channel_ratings",
            "Ratings by brand, region, survey channel and value: CSAT per channel at any "
            'rollup, e.g. sum by (channel) (increase(...{rating=~"4|5"}[1h])) / sum by '
            "(channel) (increase(...[1h])). Arrival time, not event time.",
            ["brand", "region", "channel", "rating"],
            registry=r,
        )
        self.signals_held = Gauge(
            "cxpulse_signal_snapshots_held",
            "Stores whose latest change waits for its snapshot (throttled, at most 5 s).",
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
        self._zero_start()

    def rating(
        self, brand: str | None, region: str | None, channel: str | None, value: int
    ) -> None:
        cap = self.caps
        self.channel_ratings.labels(
            cap["brand"](brand or ""),
            cap["region"](region or ""),
            cap["channel"](channel or "unknown"),
            str(value),
        ).inc()

    def uncovered(self, calendar: str, year: int) -> None:
        """Flag a year the calendar's holiday data lacks (the year comes from an event's date;
        the calendar name from the configuration)."""
        self.calendar_uncovered.labels(calendar, self.caps["year"](str(year))).set(1)

    def _zero_start(self) -> None:
        for rule in KNOWN_RULES:
            for status in ("firing", "resolved"):
                self.alerts.labels(rule, status)
        for clock in CLOCKS:
            for transition in get_args(Transition):
                self.sla_events.labels(clock, transition)

    def show(self, snap: SignalSnapshot) -> None:
        """Set a store's gauges from its snapshot. A rate from too few samples is dropped,
        not shown as noise."""
        sid, lb, cap = snap.store_id, snap.labels, self.caps
        # A store past the cap gets no gauges: one "other" store would show whichever store
        # wrote last, and its alerts still go out on the alerts topic.
        if not cap["store_id"].keeps(sid):
            return
        info = (
            cap["brand"](lb.get("brand", "")),
            cap["region"](lb.get("region", "")),
            cap["city"](lb.get("city", "")),
        )
        old = self._info.get(sid)
        if old != info:
            if old is not None:  # two info series for one store break every rollup join
                with contextlib.suppress(KeyError):
                    self.store_info.remove(sid, *old)
            self._info[sid] = info
            self.store_info.labels(sid, *info).set(1)
        for w in snap.windows:
            key = (sid, w.window)
            for gauge, value in (
                (self.csat, w.csat),
                (self.delight, w.delight),
                (self.mean_rating, w.mean_rating),
                (self.nps, w.nps),
                (self.ces, w.ces),
                (self.expectation_gap, w.expectation_gap),
            ):
                if value is None:
                    with contextlib.suppress(KeyError):
                        gauge.remove(*key)
                else:
                    gauge.labels(*key).set(value)
            self.ratings.labels(*key).set(w.ratings)
            for value, n in enumerate(w.rating_counts, start=1):
                self.ratings_by_value.labels(sid, w.window, str(value)).set(n)
            for group, n in zip(NPS_GROUPS, w.nps_counts, strict=True):
                self.nps_answers.labels(sid, w.window, group).set(n)
            self.negatives.labels(*key).set(w.negatives)
            self.reach.labels(*key).set(w.reach)
            self.repair_debt.labels(*key).set(w.repair_debt)
        for c in snap.calls:
            if c.scope != "store":
                continue
            for name, attr in CALL_FIELDS.items():
                value = getattr(c, attr)
                if value is None:
                    with contextlib.suppress(KeyError):
                        self.calls[name].remove(sid, c.window)
                else:
                    self.calls[name].labels(sid, c.window).set(value)
        self.crisis_score.labels(sid).set(snap.crisis_score)
        self.negatives_last_hour.labels(sid).set(snap.negatives_last_hour)
        if snap.negatives_baseline is not None:
            self.negatives_baseline.labels(sid).set(snap.negatives_baseline)
