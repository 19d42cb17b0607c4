"""Prometheus metrics of the stream worker.

Label sets stay bounded: event type, reject reason, rule and window come from our own code and
configuration; every label whose value comes from event text (store, brand, region, city, survey
channel, calendar year) passes through a ``LabelCap`` (``streams.cardinality``), so a hostile or
careless upstream cannot multiply the series. Nothing is labelled by customer or event id.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, get_args

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from schemas.alerts import RuleName
from schemas.signals import SignalSnapshot
from schemas.sla import CLOCKS, Transition
from streams.cardinality import OTHER, LabelCapsConfig, label_caps
from streams.metrics.export import ExportConfig, StoreExport

# Every rule the processors raise, so each (rule, status) series exists from the start:
# increase() cannot count a counter's first event if the series appears with it, and a wall
# panel "taboo phrases today" then reads 0 after a restart.
KNOWN_RULES = tuple(r.value for r in RuleName)
# End-to-end latency (publish -> processed), from a few ms to the point where a page is late;
# finer between 100 ms and 1 s, where a live stream's p99 and its 500 ms target lie (a p99
# read between 250 and 500 ms could be anywhere in them).
LATENCY_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60,
)  # fmt: skip
# The page is built on the worker's loop every PAGE_SECONDS while someone scrapes (a scrape in
# the last SCRAPED_WITHIN seconds); a scrape serves a build at most PAGE_FRESH seconds old and
# otherwise builds the page itself (a loop stuck that long must not blank the wall).
PAGE_SECONDS = 2.0
PAGE_FRESH = 5.0
SCRAPED_WITHIN = 120.0  # a Prometheus scrape interval is 15-60 s


class Metrics:
    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        caps: LabelCapsConfig | None = None,
        export: ExportConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry or CollectorRegistry()
        self.clock = clock
        self._scraped: float | None = None  # clock() of the last full scrape
        self._page: tuple[float, bytes] | None = None  # the last build on the loop, and when
        r = self.registry
        self.label_overflow = Counter(
            "cxpulse_label_overflow",
            "Observations whose label value came after its label's cap was full: exported as "
            '"other" (counters, store_info) or left out (per-store gauges).',
            ["label"],
            registry=r,
        )
        self.caps = label_caps(caps or LabelCapsConfig(), self.label_overflow)
        # A rating's counter child by its raw labels: ``labels()`` validates and looks up its
        # arguments on every call, a tenth of the worker's per-event shell. Only children
        # whose labels every cap kept are held (so at most the caps' product, in practice
        # the chain's brand, region and channel pairs): a value over a cap takes the full path
        # each time, so each such rating still counts one overflow.
        self._rating_children: dict[tuple[str | None, str | None, str | None, int], Any] = {}
        # process_start_time_seconds: restarts on the pipeline-health board.
        ProcessCollector(registry=r)
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
        self.released_unordered = Counter(
            "cxpulse_events_released_unordered",
            "Events handed on by a bound before their partition's other topics were read past "
            "them (arrival order, not event time), by the bound: max_wait (worker.merge_wait), "
            "behind_wait (worker.merge_wait_behind), hold_max (worker.merge_hold_max).",
            ["bound"],
            registry=r,
        )
        self.stale = Counter(
            "cxpulse_events_stale",
            "Events fetched before a rebalance and dropped unhandled: their partition's owner "
            "reads them again from the committed offset.",
            registry=r,
        )
        self.reread = Counter(
            "cxpulse_partitions_reread",
            "Partitions read again from their committed offset because offsets at its head "
            "were never handed on (the commit would otherwise stop there), by topic.",
            ["topic"],
            registry=r,
        )
        self.state_not_written = Counter(
            "cxpulse_state_not_written",
            "Store states that could not be encoded for the changelog (kept in memory; a bug).",
            registry=r,
        )
        self.state_unreadable = Counter(
            "cxpulse_state_unreadable",
            "Saved states recovered from a changelog that could not be read: each parked on the "
            "dead-letter topic, its store or complaint started afresh.",
            ["table"],
            registry=r,
        )
        self.moved = Counter(
            "cxpulse_events_moved",
            "Events read from a partition beyond kafka.partitions (the topic was given more) and "
            "sent on to their stores' partitions, where they are handled "
            "(streams/worker/grown.py).",
            ["topic"],
            registry=r,
        )
        self.too_large = Counter(
            "cxpulse_messages_too_large",
            "Messages the worker could not send because the Kafka client refused them as too "
            "large (worker.producer_batch_bytes, at least 1 MB): each dropped and logged.",
            ["topic"],
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
        # Rollups of every store and series of the few stores to look at (export.py).
        self.stores = StoreExport(self.caps, export)
        r.register(self.stores)
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
        self.stores_decoded = Gauge(
            "cxpulse_stores_decoded",
            "Stores held decoded (the most recently changed, at most worker.stores_decoded); "
            "the others are held compressed and decoded again when needed.",
            registry=r,
        )
        self.stores_compressed = Counter(
            "cxpulse_stores_compressed",
            "Decoded stores compressed because more recently changed ones took their place "
            "(worker.stores_decoded): a high rate means stores are decoded again and again.",
            registry=r,
        )
        self.stores_read_back = Counter(
            "cxpulse_stores_read_back",
            "Stores decoded from their compressed or recovered form for an event or a read "
            "(~0.25 ms each for a week-old store); one decoded only to be shown is not kept.",
            registry=r,
        )
        self.stores_forgotten = Counter(
            "cxpulse_stores_forgotten",
            "Stores dropped, with their changelog state, after intake.forget_stores_after "
            "with no event and no alert firing.",
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
        self.busy = Counter(
            "cxpulse_worker_busy_seconds",
            "CPU time of the worker's event-loop thread by part of its work: events (the "
            "store agent's batches), rollups (the rollup agent), rollup_checkpoint, housekeeping "
            "(the 0.25 s timer: quiet stores' writes and snapshots, SLA ticks), gauges, page (this "
            "page's build). The rest of the process's CPU "
            "(process_cpu_seconds_total) is Faust, the Kafka client and the HTTP servers.",
            ["part"],
            registry=r,
        )
        self.gc_pause = Histogram(
            "cxpulse_gc_pause_seconds",
            "Pauses of Python's cycle collector, by generation (2: the whole heap); every event "
            "waiting meanwhile waits that much longer (streams/heap.py).",
            ["generation"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        self.sla_detection_lag = Histogram(
            "cxpulse_sla_detection_lag_seconds",
            "From a warning or breach instant to the worker acting on it.",
            buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 60),
            registry=r,
        )
        self.clock_ahead = Gauge(
            "cxpulse_worker_clock_ahead_seconds",
            "How far this worker's clock was ahead of the broker's (negative: behind) at the "
            "last clock tick read back: when it sent the tick, less the broker's stamp on it "
            "(the send's own delay reads as a little behind). SLA deadlines fire early or late "
            "by it, and a tick moves the SLA clocks at most 30 s past the broker's stamp.",
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
        self.page_build = Gauge(
            "cxpulse_metrics_page_build_seconds",
            "CPU time of the last build of this page on the worker's loop (built every "
            f"{PAGE_SECONDS:g} s while scraped).",
            registry=r,
        )
        self._zero_start()

    def rating(
        self, brand: str | None, region: str | None, channel: str | None, value: int
    ) -> None:
        raw = (brand, region, channel, value)
        child = self._rating_children.get(raw)
        if child is None:
            cap = self.caps
            b, r, c = brand or "", region or "", channel or "unknown"
            kb, kr, kc = cap["brand"].keeps(b), cap["region"].keeps(r), cap["channel"].keeps(c)
            child = self.channel_ratings.labels(
                b if kb else OTHER, r if kr else OTHER, c if kc else OTHER, str(value)
            )
            if kb and kr and kc:
                self._rating_children[raw] = child
        child.inc()

    def uncovered(self, calendar: str, year: int) -> None:
        """Flag a year the calendar's holiday data lacks (the year comes from an event's date;
        the calendar name from the configuration)."""
        self.calendar_uncovered.labels(calendar, self.caps["year"](str(year))).set(1)

    def _zero_start(self) -> None:
        for bound in ("max_wait", "behind_wait", "hold_max"):
            self.released_unordered.labels(bound)
        for rule in KNOWN_RULES:
            for status in ("firing", "resolved"):
                self.alerts.labels(rule, status)
        for clock in CLOCKS:
            for transition in get_args(Transition):
                self.sla_events.labels(clock, transition)

    def render(self) -> bytes:
        """The whole ``/metrics`` page, for a scrape (in the metrics server's thread): the
        page ``prepare`` built on the loop moments ago, or, when there is none that fresh,
        built here and now."""
        now = self.clock()
        self._scraped = now
        page = self._page
        if page is not None and now - page[0] <= PAGE_FRESH:
            return page[1]
        return self.build()

    def prepare(self) -> None:
        """Build the page on the worker's loop, while someone scrapes. A scrape that builds the
        page in its own thread competes for the interpreter with the busy loop and holds the
        export's lock that every snapshot waits for: at 10,000 stores under load it took
        75-360 ms. Built here, between two batches, a scrape only copies bytes."""
        now = self.clock()
        if self._scraped is None or now - self._scraped > SCRAPED_WITHIN:
            self._page = None  # nobody reads it: no cost, and no stale page kept
            return
        began = time.process_time()
        page = self.build()
        self.page_build.set(time.process_time() - began)
        self._page = (now, page)

    def build(self) -> bytes:
        """The page as it is now: the store export written by its own fast writer, the rest
        by prometheus_client's (the same text ``generate_latest`` gives for all)."""
        with self.stores.written_apart():
            head = generate_latest(self.registry)
        return head + self.stores.text().encode()

    def show(self, snap: SignalSnapshot) -> None:
        """Take in a store's latest snapshot: its rollups now, its own series if it is listed."""
        self.stores.show(snap)

    def forget(self, store_ids: Iterable[str]) -> None:
        self.stores.forget(store_ids)

    def retain(self, keep: Callable[[str], bool]) -> None:
        """Keep only the stores ``keep`` says this worker still holds."""
        self.stores.retain(keep)
