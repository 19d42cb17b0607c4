"""Rollups per brand, region and city as partial sums of counts.

Every figure here is a count or a sum (ratings of each value, NPS answers by group, negatives,
calls offered, seconds waited, ...), never a ratio. A ratio is computed at query time from two
sums: ``sum by (region) (cxpulse_region_ratings{rating=~"4|5"}) / sum by (region)
(cxpulse_region_ratings)``. That is what makes the export correct with several workers: each
worker holds some of a region's stores and exports the sums of those; Prometheus adds the
workers' sums up. An averaged ratio would weigh a store with 3 ratings like one with 300, and
an average of the workers' averages would be wrong again.

Sums are kept incrementally: each store's last contribution is remembered, and a new snapshot
takes the old one out before it puts the new one in, so showing a store costs a few dozen
additions whatever the chain's size.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily

from schemas.signals import SignalSnapshot
from streams.metrics.text import header, labelled, number

NPS_GROUPS = ("promoter", "passive", "detractor")
# The levels and their group labels. A city is labelled with its region too, so a region picked
# on a dashboard narrows the cities without a join.
LEVELS = {"brand": ("brand",), "region": ("region",), "city": ("region", "city")}
# A chain has ten times as many cities as regions and brands together, so cities carry only what
# their table on the wall shows (CSAT, delight, NPS, negatives); reach, repair debt, hourly
# negatives and calls roll up per region and brand. This keeps a 10,000-store chain's export
# under 20,000 series.
CITY_FIGURES = frozenset({"stores", "ratings", "nps_answers", "negatives"})
# Call sums. The snapshot carries rates, each of them an exact count divided by its denominator
# (rounded to 4 places), so rate x denominator gives the count back. Rates exist only from
# `min_offered` calls on, so the rated stores' calls are summed apart as the denominators.
CALL_SUMS = {
    "offered": "calls offered",
    "answered": "calls answered",
    "abandoned": "calls abandoned",
    "rated_offered": "calls offered at stores with enough calls for rates (the rates' base)",
    "rated_answered": "calls answered at stores with enough calls for rates",
    "in_service_level": "calls answered within the service-level seconds (base: rated_offered)",
    "wait_seconds": "seconds answered callers waited (ASA = this / rated_answered)",
    "handle_seconds": "talk + hold + wrap-up seconds (AHT = this / rated_answered)",
    "transferred": "answered calls transferred at least once (base: rated_answered)",
}
DOCS = {
    "stores": "Stores this worker holds in the group (sum across workers).",
    "ratings": "Ratings in the window by value 1-5: CSAT = ratings 4|5 / all, summed.",
    "nps_answers": "NPS answers in the window by group: NPS = 100 (promoters - detractors) / all.",
    "negatives": "Negative experiences in the window (low ratings, negative reviews and calls, "
    "complaints).",
    "negative_reach": "Estimated people who heard of the negatives in the window.",
    "repair_debt": "Positive experiences still needed to make up for the negatives.",
    "negatives_last_hour": "Negative events in the last 60 minutes.",
    "negatives_baseline": "Normal negatives per hour for this hour of the week, summed over "
    "the stores that have a baseline.",
    **{f"call_{name}": f"Calls over the window: {doc}." for name, doc in CALL_SUMS.items()},
}


@dataclass(frozen=True)
class Slot:
    """One figure of a contribution: the family it goes to and its own labels."""

    figure: str
    labels: tuple[str, ...]
    values: tuple[str, ...]


def slots(windows: tuple[str, ...], call_windows: tuple[str, ...]) -> list[Slot]:
    out = [Slot("stores", (), ())]
    for w in windows:
        out += [Slot("ratings", ("window", "rating"), (w, str(r))) for r in range(1, 6)]
        out += [Slot("nps_answers", ("window", "group"), (w, g)) for g in NPS_GROUPS]
        out += [Slot(f, ("window",), (w,)) for f in ("negatives", "negative_reach", "repair_debt")]
    out += [Slot("negatives_last_hour", (), ()), Slot("negatives_baseline", (), ())]
    for w in call_windows:
        out += [Slot(f"call_{name}", ("window",), (w,)) for name in CALL_SUMS]
    return out


class Rollups:
    """Per-level sums of the stores shown, kept up to date one store at a time."""

    def __init__(self, windows: tuple[str, ...], call_windows: tuple[str, ...]) -> None:
        self.slots = slots(windows, call_windows)
        self._index = {(s.figure, s.values): i for i, s in enumerate(self.slots)}
        self._windows = set(windows)
        self._call_windows = set(call_windows)
        # level -> group labels -> summed contribution
        self.sums: dict[str, dict[tuple[str, ...], array[float]]] = {lv: {} for lv in LEVELS}
        # store -> (its group of each level, its contribution)
        self._stores: dict[str, tuple[tuple[tuple[str, ...], ...], array[float]]] = {}
        # level -> its (slot index, slot) columns: a city has fewer figures
        self._columns = {
            lv: [
                (i, s) for i, s in enumerate(self.slots) if lv != "city" or s.figure in CITY_FIGURES
            ]
            for lv in LEVELS
        }
        # level -> its figures, one family each, in the order they are written
        self._figures = {
            lv: tuple(dict.fromkeys(s.figure for _, s in cols))
            for lv, cols in self._columns.items()
        }
        # level -> group -> its sample lines per figure, written at the first page after the
        # group's sums changed: a page then rewrites the few groups a snapshot moved, not all;
        # and the lines up to their values, which stay while the group lives.
        self._lines: dict[str, dict[tuple[str, ...], dict[str, list[str]]]] = {
            lv: {} for lv in LEVELS
        }
        self._labelled: dict[str, dict[tuple[str, ...], list[str]]] = {lv: {} for lv in LEVELS}

    def __len__(self) -> int:
        return len(self._stores)

    def contribution(self, snap: SignalSnapshot) -> array[float]:
        v = array("d", bytes(8 * len(self.slots)))
        at = self._index
        v[0] = 1.0
        for w in snap.windows:
            if w.window not in self._windows:
                continue
            for r, n in enumerate(w.rating_counts, start=1):
                v[at["ratings", (w.window, str(r))]] = n
            for g, n in zip(NPS_GROUPS, w.nps_counts, strict=True):
                v[at["nps_answers", (w.window, g)]] = n
            v[at["negatives", (w.window,)]] = w.negatives
            v[at["negative_reach", (w.window,)]] = w.reach
            v[at["repair_debt", (w.window,)]] = w.repair_debt
        v[at["negatives_last_hour", ()]] = snap.negatives_last_hour
        v[at["negatives_baseline", ()]] = snap.negatives_baseline or 0.0
        for c in snap.calls:
            if c.scope != "store" or c.window not in self._call_windows:
                continue
            key = (c.window,)
            v[at["call_offered", key]] = c.offered
            v[at["call_answered", key]] = c.answered
            v[at["call_abandoned", key]] = c.abandoned
            if c.service_level is not None:  # every rate exists from min_offered calls on
                v[at["call_rated_offered", key]] = c.offered
                v[at["call_rated_answered", key]] = c.answered
                v[at["call_in_service_level", key]] = round(c.service_level * c.offered)
                v[at["call_wait_seconds", key]] = (c.asa or 0.0) * c.answered
                v[at["call_handle_seconds", key]] = (c.aht or 0.0) * c.answered
                v[at["call_transferred", key]] = round((c.transfer_rate or 0.0) * c.answered)
        return v

    def put(self, store_id: str, groups: tuple[tuple[str, ...], ...], vec: array[float]) -> None:
        """Replace the store's contribution (``groups``: its brand, region, city keys)."""
        self.drop(store_id)
        self._stores[store_id] = (groups, vec)
        for level, group in zip(LEVELS, groups, strict=True):
            self._lines[level].pop(group, None)
            total = self.sums[level].setdefault(group, array("d", bytes(8 * len(vec))))
            for i, x in enumerate(vec):
                if x:
                    total[i] += x

    def drop(self, store_id: str) -> None:
        old = self._stores.pop(store_id, None)
        if old is None:
            return
        groups, vec = old
        for level, group in zip(LEVELS, groups, strict=True):
            self._lines[level].pop(group, None)
            total = self.sums[level][group]
            for i, x in enumerate(vec):
                if x:
                    total[i] -= x
            if total[0] <= 0.5:  # its last store left: the group's series go with it
                del self.sums[level][group]
                self._labelled[level].pop(group, None)

    def stores(self) -> Iterator[str]:
        return iter(self._stores)

    def families(self, empty: bool = False) -> list[GaugeMetricFamily]:
        """The rollup families, filled unless ``empty`` (their names and help only)."""
        out: list[GaugeMetricFamily] = []
        for level, group_labels in LEVELS.items():
            fams: dict[str, GaugeMetricFamily] = {}
            for _, s in self._columns[level]:
                if s.figure not in fams:
                    fams[s.figure] = GaugeMetricFamily(
                        f"cxpulse_{level}_{s.figure}",
                        f"Per {level}: {DOCS[s.figure]}",
                        labels=[*group_labels, *s.labels],
                    )
            for group, total in [] if empty else self.sums[level].items():
                for i, s in self._columns[level]:
                    fams[s.figure].add_metric([*group, *s.values], round(total[i], 6))
            out += fams.values()
        return out

    def text(self) -> str:
        """The families' exposition text (as ``families`` would be written), from the lines
        kept per group."""
        out: list[str] = []
        for level in LEVELS:
            groups = [self._group_lines(level, g, t) for g, t in self.sums[level].items()]
            for figure in self._figures[level]:
                out.append(header(f"cxpulse_{level}_{figure}", f"Per {level}: {DOCS[figure]}"))
                for lines in groups:
                    out += lines[figure]
        return "".join(out)

    def _group_lines(
        self, level: str, group: tuple[str, ...], total: array[float]
    ) -> dict[str, list[str]]:
        lines = self._lines[level].get(group)
        if lines is not None:
            return lines
        columns = self._columns[level]
        starts = self._labelled[level].get(group)
        if starts is None:
            names = LEVELS[level]
            starts = self._labelled[level][group] = [
                labelled(
                    f"cxpulse_{level}_{s.figure}",
                    [*zip(names, group, strict=True), *zip(s.labels, s.values, strict=True)],
                )
                for _, s in columns
            ]
        lines = {}
        for (i, s), start in zip(columns, starts, strict=True):
            lines.setdefault(s.figure, []).append(f"{start}{number(round(total[i], 6))}\n")
        self._lines[level][group] = lines
        return lines
