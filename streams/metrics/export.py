"""What the worker exports about its stores: rollups of every store, series of the few to look at.

Gauges for every store cost about 58 series a store: 580,000 series and seconds of CPU per
scrape at 10,000 stores. What a wall needs at that size is the figures per brand, region and
city (``rollup.py``) and the stores to call first. So a store has series of its own only when it
is among the ``worst_n`` of a ranking (lowest CSAT upper bound, most negatives, highest
abandonment, highest crisis score) or has an alert firing; a worker holding no more than
``worst_n`` stores exports them all. Every store's full detail stays on the signals topic.

The set is chosen again at the first scrape after a change: ``heapq.nsmallest`` over scores kept
per store, under a millisecond per ranking at 10,000 stores. The families are built then and
handed to the registry as they are (a custom collector), so a store that leaves the set leaves
with its series and nothing needs removing by hand.

``show`` runs on the worker's event loop and ``collect`` in the metrics server's thread: one lock.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, TypeAlias

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.signals import SignalSnapshot
from streams.cardinality import LabelCap
from streams.metrics.rollup import Rollups
from streams.metrics.text import escaped, header, number, sample

Window = Annotated[str, Field(min_length=1, max_length=16)]


class ExportConfig(BaseModel):
    """Which windows and how many stores the worker exports. Series per worker, roughly:
    (brands + regions) x (11 per window + 9 per call window + 3) + cities x (9 per window + 1)
    for the rollups, plus about 30 per listed store; with 8 brands, 30 regions and 300 cities
    and 220 listed stores, 14,000 at the defaults (``python -m bench.metrics_scale``)."""

    model_config = ConfigDict(extra="forbid")

    # Stores per ranking that get series of their own: a screen's worth of rows per list.
    worst_n: Annotated[int, Field(ge=0, le=1000)] = 50
    # Windows exported, rolled up and per store; every window stays on the signals topic. The
    # dashboards read 1 h and 24 h.
    windows: Annotated[tuple[Window, ...], Field(max_length=8)] = ("1h", "24h")
    call_windows: Annotated[tuple[Window, ...], Field(max_length=8)] = ("24h",)
    # The rankings read a day: an hour holds enough ratings for a rate at few stores.
    rank_window: Window = "24h"
    rank_call_window: Window = "24h"
    # Stores rank by the upper end of their CSAT's Wilson interval, this many standard errors
    # up, as the csat_low alert judges (satisfaction.confidence_z, 1.64 = 95 % one-sided): first
    # the stores surely worst, not those with a bad handful of ratings. With the lower end, a
    # store with 15 ratings at 60 % (0.39) would rank before one with 300 at 45 % (0.40).
    csat_z: Annotated[float, Field(ge=0, le=5)] = 1.64

    @model_validator(mode="after")
    def _distinct(self) -> ExportConfig:
        for name in ("windows", "call_windows"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                raise ValueError(f"{name}: no window twice")
        return self


RANKINGS = ("csat", "negatives", "abandonment", "crisis")
# Per-store families: (name, labels, help). Queues and agents stay on the signals topic.
WINDOW_FIGURES = {
    "csat": ("csat_ratio", "Share of 4-5 ratings in the window (absent below the minimum sample)."),
    "delight": ("delight_ratio", "Share of 5 ratings in the window."),
    "mean_rating": ("mean_rating", "Mean rating 1-5 in the window."),
    "nps": ("nps", "NPS (-100..100) in the window."),
    "ces": ("ces", "Mean customer effort score (1-7)."),
    "expectation_gap": (
        "expectation_gap",
        "Mean rating minus expectation; below 0 the store falls short of expectations.",
    ),
    "ratings": ("ratings", "Ratings in the window."),
    "negatives": (
        "negatives",
        "Negative experiences in the window: low ratings, negative reviews/calls, complaints.",
    ),
    "reach": ("negative_reach", "Estimated people who heard of the store's negatives."),
    "repair_debt": ("repair_debt", "Positive experiences still needed (12 per unhappy)."),
}
CALL_FIGURES = {
    "offered": ("call_offered", "calls offered"),
    "abandonment": ("call_abandonment_ratio", "abandoned / offered"),
    "asa": ("call_asa_seconds", "average speed of answer"),
    "aht": ("call_aht_seconds", "average handle time"),
    "service_level": ("call_service_level_ratio", "answered within the service level / offered"),
    "transfer_rate": ("call_transfer_ratio", "share of answered calls transferred"),
    "repeat_rate": ("call_repeat_ratio", "share of callers calling again within the window"),
}
STORE_FIGURES = {
    "crisis_score": ("crisis_score", "Crisis score: lexicon hits, special customers, reach."),
    "negatives_last_hour": ("negatives_last_hour", "Negative events in the last 60 minutes."),
    "negatives_baseline": (
        "negatives_baseline",
        "Normal negatives per hour at this store and hour of the week (EWMA).",
    ),
}
FAMILIES: list[tuple[str, list[str], str]] = [
    (
        "cxpulse_store_info",
        ["store_id", "brand", "region", "city"],
        "1 per listed store, labelled with its brand/region/city: join on store_id.",
    ),
    (
        "cxpulse_store_listed",
        ["store_id", "list"],
        "Why the store has series: its rank (1 = worst) in a list (csat, negatives, "
        "abandonment, crisis), or 1 in list alert while an alert fires there.",
    ),
    *((f"cxpulse_store_{n}", ["store_id", "window"], d) for n, d in WINDOW_FIGURES.values()),
    *(
        (f"cxpulse_store_{n}", ["store_id", "window"], f"Calls at the store over the window: {d}.")
        for n, d in CALL_FIGURES.values()
    ),
    *((f"cxpulse_store_{n}", ["store_id"], d) for n, d in STORE_FIGURES.values()),
]
AT = {name: i for i, (name, _, _) in enumerate(FAMILIES)}
# A listable store's series, kept compact (10,000 stores are held, a few hundred shown): its
# brand/region/city, then one code per series (family index << 5 | window index, NO_WINDOW for a
# family without one) and the values, in two arrays rather than a tuple per series.
NO_WINDOW = 31
Row: TypeAlias = "tuple[tuple[str, str, str], array[int], array[float]]"


def wilson(good: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of good / n, ``z`` standard errors each side."""
    p = good / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (centre - spread) / (1 + z2 / n), (centre + spread) / (1 + z2 / n)


class StoreExport(Collector):
    """The store figures of one worker as a Prometheus collector: rollups of every store it
    holds, series of the stores it lists."""

    def __init__(self, caps: dict[str, LabelCap], config: ExportConfig | None = None) -> None:
        self.config = c = config or ExportConfig()
        self.caps = caps
        self.rollups = Rollups(c.windows, c.call_windows)
        self._window_names = tuple(dict.fromkeys(c.windows + c.call_windows))
        self._window_at = {w: i for i, w in enumerate(self._window_names)}
        self._rows: dict[str, Row] = {}  # listable store -> its series if listed
        self._scores: dict[str, dict[str, float]] = {r: {} for r in RANKINGS}  # lower: worse
        self._alerting: set[str] = set()
        self._lock = threading.Lock()
        self._built: list[GaugeMetricFamily] | None = None
        self._page: str | None = None
        # A listed store's sample lines (family index, line), written at the first page after
        # its snapshot changed and dropped when it leaves the list.
        self._lines: dict[str, list[tuple[int, str]]] = {}
        # Series code -> its line up to its value around the store id, which sorts first of
        # its labels: ``name{store_id="`` and ``",window="1h"} ``.
        self._parts = {
            AT[name] << 5 | w: (
                f'{name}{{store_id="',
                '"} ' if w == NO_WINDOW else f'",window="{escaped(window)}"}} ',
            )
            for name, labels, _ in FAMILIES
            if labels[0] == "store_id" and labels[1:] in ([], ["window"])
            for w, window in (enumerate(self._window_names) if labels[1:] else [(NO_WINDOW, "")])
        }
        # Set in a thread that writes this export's text itself (``text``): the registry's
        # generic writer then skips it there.
        self._apart = threading.local()

    def show(self, snap: SignalSnapshot) -> None:
        sid, lb, cap = snap.store_id, snap.labels, self.caps
        brand = cap["brand"](lb.get("brand", ""))
        region = cap["region"](lb.get("region", ""))
        city = cap["city"](lb.get("city", ""))
        contribution = self.rollups.contribution(snap)
        # A store past the cap still counts in its rollups but gets no series of its own: one
        # "other" store would show whichever store wrote last.
        listable = cap["store_id"].keeps(sid)
        rows = self._row(snap, (brand, region, city)) if listable else None
        scores = self._rank(snap) if listable else {}
        with self._lock:
            self._built = self._page = None
            self.rollups.put(sid, ((brand,), (region,), (region, city)), contribution)
            if rows is None:
                return
            self._rows[sid] = rows
            self._lines.pop(sid, None)
            for ranking, table in self._scores.items():
                score = scores.get(ranking)
                if score is None:
                    table.pop(sid, None)
                else:
                    table[sid] = score
            if snap.firing:
                self._alerting.add(sid)
            else:
                self._alerting.discard(sid)

    def forget(self, store_ids: Iterable[str]) -> None:
        """Stores this worker no longer holds (their partition moved): another worker counts
        them now, so keeping them here would count them twice in every sum across workers."""
        with self._lock:
            for sid in store_ids:
                self._built = self._page = None
                self.rollups.drop(sid)
                self._rows.pop(sid, None)
                self._lines.pop(sid, None)
                self._alerting.discard(sid)
                for table in self._scores.values():
                    table.pop(sid, None)

    def retain(self, keep: Callable[[str], bool]) -> None:
        """Forget every store ``keep`` refuses."""
        with self._lock:
            gone = [sid for sid in self.rollups.stores() if not keep(sid)]
        if gone:
            self.forget(gone)

    def _row(self, snap: SignalSnapshot, info: tuple[str, str, str]) -> Row:
        c, at = self.config, self._window_at
        codes, values = array("H"), array("d")

        def add(family: str, window: str | None, value: float) -> None:
            codes.append(AT[f"cxpulse_store_{family}"] << 5 | at.get(window or "", NO_WINDOW))
            values.append(value)

        for w in snap.windows:
            if w.window not in c.windows:
                continue
            for attr, (name, _) in WINDOW_FIGURES.items():
                value = getattr(w, attr)
                if value is not None:  # a rate from too few samples is left out, not noise
                    add(name, w.window, value)
        for call in snap.calls:
            if call.scope != "store" or call.window not in c.call_windows:
                continue
            for attr, (name, _) in CALL_FIGURES.items():
                value = getattr(call, attr)
                if value is not None:
                    add(name, call.window, value)
        for attr, (name, _) in STORE_FIGURES.items():
            value = getattr(snap, attr)
            if value is not None:
                add(name, None, value)
        return info, codes, values

    def _rank(self, snap: SignalSnapshot) -> dict[str, float]:
        c = self.config
        out: dict[str, float] = {}
        for w in snap.windows:
            if w.window != c.rank_window:
                continue
            if w.csat is not None:  # enough ratings for a rate
                good = w.rating_counts[3] + w.rating_counts[4]
                out["csat"] = wilson(good, w.ratings, c.csat_z)[1]
            if w.negatives:
                out["negatives"] = -float(w.negatives)
        for call in snap.calls:
            in_window = call.scope == "store" and call.window == c.rank_call_window
            if in_window and call.abandonment:
                out["abandonment"] = -call.abandonment
        if snap.crisis_score > 0:
            out["crisis"] = -snap.crisis_score
        return out

    def listed(self) -> dict[str, list[tuple[str, int]]]:
        """The stores given series, with the lists that put them there. Hold the lock."""
        n = self.config.worst_n
        out: dict[str, list[tuple[str, int]]] = {}
        if len(self._rows) <= n:
            out = {sid: [] for sid in self._rows}
        for ranking, table in self._scores.items():
            for rank, sid in enumerate(heapq.nsmallest(n, table, key=table.__getitem__), 1):
                out.setdefault(sid, []).append((ranking, rank))
        for sid in self._alerting:
            out.setdefault(sid, []).append(("alert", 1))
        return out

    def _build(self) -> list[GaugeMetricFamily]:
        fams = [GaugeMetricFamily(name, doc, labels=labels) for name, labels, doc in FAMILIES]
        listed = fams[AT["cxpulse_store_listed"]]
        for sid, lists in self.listed().items():
            for ranking, rank in lists:
                listed.add_metric((sid, ranking), rank)
            info, codes, values = self._rows[sid]
            fams[AT["cxpulse_store_info"]].add_metric((sid, *info), 1.0)
            for code, value in zip(codes, values, strict=True):
                window = code & NO_WINDOW
                labels = (sid,) if window == NO_WINDOW else (sid, self._window_names[window])
                fams[code >> 5].add_metric(labels, value)
        return fams + self.rollups.families()

    def _families(self) -> list[GaugeMetricFamily]:
        """The families, built once per change of the stores shown."""
        with self._lock:
            if self._built is None:
                self._built = self._build()
            return list(self._built)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return [] if getattr(self._apart, "on", False) else self._families()

    @contextlib.contextmanager
    def written_apart(self) -> Iterator[None]:
        """Within it, in this thread, the registry's writer leaves this export out."""
        self._apart.on = True
        try:
            yield
        finally:
            self._apart.on = False

    def text(self) -> str:
        """This export in the exposition format: the text ``generate_latest`` writes for
        ``collect``'s families, in a tenth of the time. Lines are kept per listed store and per
        rollup group, so a page after a few snapshots rewrites only what they moved; a page
        with no change in between is the last one again."""
        with self._lock:
            if self._page is None:
                self._page = self._write()
            return self._page

    def _write(self) -> str:
        listed = self.listed()
        for sid in self._lines.keys() - listed.keys():
            del self._lines[sid]
        lines: list[list[str]] = [[] for _ in FAMILIES]
        ranks = lines[AT["cxpulse_store_listed"]]
        for sid, lists in listed.items():
            for ranking, rank in lists:
                ranks.append(
                    sample("cxpulse_store_listed", (("store_id", sid), ("list", ranking)), rank)
                )
            kept = self._lines.get(sid)
            if kept is None:
                kept = self._lines[sid] = self._store_lines(sid)
            for family, line in kept:
                lines[family].append(line)
        out = [
            header(name, doc) + "".join(samples)
            for (name, _, doc), samples in zip(FAMILIES, lines, strict=True)
        ]
        return "".join(out) + self.rollups.text()

    def _store_lines(self, sid: str) -> list[tuple[int, str]]:
        (brand, region, city), codes, values = self._rows[sid]
        info = (("store_id", sid), ("brand", brand), ("region", region), ("city", city))
        out = [(AT["cxpulse_store_info"], sample("cxpulse_store_info", info, 1.0))]
        store = escaped(sid)
        for code, value in zip(codes, values, strict=True):
            before, after = self._parts[code]
            out.append((code >> 5, f"{before}{store}{after}{number(value)}\n"))
        return out

    def describe(self) -> Iterable[GaugeMetricFamily]:
        """Every family's name, so ``/metrics?name[]=...`` finds them (restricted_registry)."""
        with self._lock:
            stores = [GaugeMetricFamily(n, d, labels=lb) for n, lb, d in FAMILIES]
            return stores + self.rollups.families(empty=True)
