"""Event-time counters at four resolutions, so one store can answer 1 h, 6 h, 24 h, 7 d and
28 d windows without keeping 40,000 one-minute buckets.

Every observation is added to a minute, a five-minute, an hour and a day bucket. A window is
read from the coarsest tier whose bucket is at most 1/24 of the window (1 h → minutes, 3 h and
6 h → five minutes, 24 h and 7 d → hours, 28 d → days), so the ragged edge of a window is at
most ~4% of it. Each tier keeps only what its longest window needs. A bucket holds a vector
of integer fields (``fields`` positions); most fields of most buckets are zero, so a tier keeps
only the non-zero ones, packed in arrays (``packed.py``).

Every event asks for the same dozen windows again (1, 3, 6, 24 h and 7 d are 24 to 168
vectors each), so the sum of every window asked for is kept and moved (``packed.Kept``): an add
or a prune inside a kept window adjusts its sum, and a read that ends later slides it by the
buckets that entered and left. A window read over every kind has one sum for all kinds
(``ByKind.kept``), one read of one kind its own (``Tiered.kept``). The sums are derived, never
serialised; whatever replaces buckets behind these classes' backs (the checkpoint's undo) calls
``forget_sums``.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from streams.core.signals.packed import Kept, PackedTier
from streams.core.windows import bucket_start

MINUTE, FIVE_MINUTES, HOUR, DAY = 60, 300, 3600, 86400
LEGACY = "all"  # the kind of counters read from a changelog written before ByKind
# Five-minute buckets answer the 2-23 h windows, so minutes are kept for about an hour only:
# a busy store's minute tier held six hours, the largest part of its counters.
TIERS = (MINUTE, FIVE_MINUTES, HOUR, DAY)
_AT = {size: i for i, size in enumerate(TIERS)}  # a tier's position in ``Tiered.pruned``
NEVER = -(1 << 63)  # the cut-off of a tier never pruned


@cache
def tier_for(window: float) -> int:
    best = MINUTE
    for size in TIERS:
        if size * 24 <= window:
            best = size
    return best


def first_start(last: int, window: float, size: int) -> int | None:
    """The oldest bucket start of the window of ``window`` seconds whose newest bucket starts
    at ``last`` (whole buckets only); None for a window shorter than one bucket."""
    count = int(window) // size
    return last - (count - 1) * size if count > 0 else None


@dataclass(slots=True)
class Tiered:
    width: int
    # tier size -> its buckets (``PackedTier``: start -> vector of ``width`` fields)
    buckets: dict[int, PackedTier] = field(default_factory=dict)
    # (tier size, window length) -> its kept sum, for the windows read of this kind alone
    # (``ByKind`` keeps those read over every kind)
    kept: dict[tuple[int, int], array[int]] = field(default_factory=dict, compare=False, repr=False)
    # each tier's cut-off at its last prune (in ``TIERS`` order): nothing older is left to drop
    # until it moves. An array, not a dict: a store keeps one per kind.
    pruned: array[int] = field(
        default_factory=lambda: array("q", [NEVER] * len(TIERS)), compare=False, repr=False
    )
    # (now, keep) of the last prune: the same again finds every tier at its cut-off already,
    # and most prunes are of kinds whose clock did not move (the event was of another kind)
    swept: tuple[float, dict[int, float]] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for size in TIERS:
            if size not in self.buckets:
                self.buckets[size] = PackedTier(self.width)

    @classmethod
    def of(cls, width: int, buckets: dict[int, dict[int, list[int]]]) -> Tiered:
        """Counters holding these buckets (tier size -> start -> vector)."""
        return cls(width, {s: PackedTier.from_buckets(width, t) for s, t in buckets.items()})

    def add(self, ts: float, values: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """Add the values to the bucket holding ``ts`` in every tier; the non-zero ones added."""
        items = [(i, v) for i, v in values if v]
        if not items:
            return items
        for size, tier in self.buckets.items():
            tier.add(bucket_start(ts, size), items)
        for (size, _), w in self.kept.items():
            Kept.add(w, bucket_start(ts, size), items)
        return items

    def forget_sums(self) -> None:
        """After buckets were replaced behind this class's back: nothing derived is kept."""
        self.kept.clear()

    def totals(self, end: float, window: float, size: int | None = None) -> list[int]:
        """Sums over the window of ``window`` seconds ending with the bucket that holds ``end``."""
        size = size or tier_for(window)
        return self.kept_sums(bucket_start(end, size), window, size)[: self.width].tolist()

    def kept_sums(self, last: int, window: float, size: int) -> array[int]:
        """``totals`` of the window whose newest bucket starts at ``last``, as the kept array
        itself (its ``width`` fields, then the window's first and last starts): for a reader
        of a few fields on every event. Read it before the next change, never change it."""
        first = first_start(last, window, size)
        if first is None:
            return array("q", bytes(8 * (self.width + 2)))
        key = (size, int(window))
        w = self.kept[key] = Kept.at(
            self.kept.get(key), self.width, (self.buckets[size],), first, last
        )
        return w

    def prune(
        self,
        now: float,
        keep: dict[int, float],
        outer: dict[tuple[int, int], array[int]] | None = None,
    ) -> None:
        """Drop buckets older than ``keep[size]`` seconds before ``now``; the sums kept of this
        kind and those ``outer`` keeps over several kinds ((size, window) -> sum) lose them."""
        if self.swept is not None and self.swept[0] == now and self.swept[1] is keep:
            return
        self.swept = (now, keep)
        for size, tier in self.buckets.items():
            oldest = bucket_start(now - keep.get(size, 0), size)
            if self.pruned[_AT[size]] == oldest:
                continue  # a tier is swept once per bucket step, not on every event
            self.pruned[_AT[size]] = oldest
            first = tier.oldest()
            if first is not None and first < oldest:
                for (s, _), w in [*self.kept.items(), *(outer or {}).items()]:
                    if s == size:
                        Kept.drop(w, tier, oldest)
                tier.drop_before(oldest)
            tier.flush()  # a bucket step passed: the bucket added to last is done with

    def to_json(self) -> dict[str, Any]:
        return {str(size): t.to_json() for size, t in self.buckets.items()}

    @classmethod
    def from_json(cls, width: int, d: dict[str, Any]) -> Tiered:
        out = cls(width)
        for size, tier in d.items():
            if isinstance(tier, list):
                out.buckets[int(size)] = PackedTier.from_json(width, tier)
                continue
            # Written before tiers were packed: start -> {field: value} of the non-zero fields.
            vecs: dict[int, list[int]] = {}
            for start, sparse in tier.items():
                vec = vecs[int(start)] = [0] * width
                for i, v in sparse.items():
                    vec[int(i)] = v
            out.buckets[int(size)] = PackedTier.from_buckets(width, vecs)
        if str(FIVE_MINUTES) not in d:
            # Written before the five-minute tier: its minutes hold everything it needs.
            coarse: dict[int, list[int]] = {}
            for start, vec in out.buckets[MINUTE].items():
                into = coarse.setdefault(bucket_start(start, FIVE_MINUTES), [0] * width)
                into[:] = [a + b for a, b in zip(into, vec, strict=True)]
            out.buckets[FIVE_MINUTES] = PackedTier.from_buckets(width, coarse)
        return out


def retention(windows: Iterable[float], lateness: float) -> dict[int, float]:
    """How long each tier must keep buckets to answer every window (plus lateness)."""
    keep = {size: 0.0 for size in TIERS}
    for w in windows:
        size = tier_for(w)
        keep[size] = max(keep[size], w + lateness + size)
    return keep


@dataclass
class ByKind:
    """One ``Tiered`` per event kind, read as their sum.

    Kinds arrive on separate topics, which a consumer may read hours apart (a backlog, or a
    sparse topic whose whole day comes in one fetch). Each kind's counters age by that kind's
    own clock, so a kind read ahead never prunes buckets a slower kind is still filling, and
    the per-kind figures do not depend on how the topics happened to interleave.
    """

    width: int
    kinds: dict[str, Tiered] = field(default_factory=dict)
    # (size, window, end bucket) -> the sum over kinds: several rules read the same window of
    # one event; cleared by anything that changes a count
    read: dict[tuple[int, float, int], list[int]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # (tier size, window length) -> the kept sum over every kind of a window read over all:
    # one array per window, not one per kind and window
    kept: dict[tuple[int, int], array[int]] = field(default_factory=dict, compare=False, repr=False)

    def add(self, kind: str, ts: float, values: Iterable[tuple[int, int]]) -> None:
        """Count ``values`` for ``kind``; a kind with nothing to count gets no counters (a
        call that said no crisis term adds nothing, and most calls do not)."""
        self.read.clear()
        tiered = self.kinds.get(kind)
        if tiered is None:
            items = [(i, v) for i, v in values if v]
            if not items:
                return
            tiered = self.kinds[kind] = Tiered(self.width)
            values = items
        items = tiered.add(ts, values)
        if items:
            for (size, _), w in self.kept.items():
                Kept.add(w, bucket_start(ts, size), items)

    def forget_sums(self) -> None:
        """After counts were changed behind this class's back (the checkpoint's undo)."""
        self.read.clear()
        self.kept.clear()
        for tiered in self.kinds.values():
            tiered.forget_sums()

    def totals(
        self, end: float, window: float, size: int | None = None, kind: str | None = None
    ) -> list[int]:
        """Summed over every kind, or read from one (``kind``: cheaper where only one kind
        feeds the fields asked for, e.g. ratings come from feedback only)."""
        if kind is not None:
            one = self.kinds.get(kind)
            return one.totals(end, window, size) if one else [0] * self.width
        size = size or tier_for(window)
        last = bucket_start(end, size)
        key = (size, window, last)
        hit = self.read.get(key)
        if hit is None:
            first = first_start(last, window, size)
            if first is None or not self.kinds:
                hit = [0] * self.width
            else:
                tiers = [t.buckets[size] for t in self.kinds.values()]
                at = (size, int(window))
                w = self.kept[at] = Kept.at(self.kept.get(at), self.width, tiers, first, last)
                hit = w[: self.width].tolist()
            self.read[key] = hit
        return list(hit)

    def bucket(self, size: int, start: int) -> list[int] | None:
        """The summed vector of one bucket, or None where no kind has it."""
        vecs = [v for t in self.kinds.values() if (v := t.buckets[size].get(start)) is not None]
        if not vecs:
            return None
        return [sum(col) for col in zip(*vecs, strict=True)]

    def oldest(self, size: int) -> int | None:
        """Start of the oldest bucket kept in tier ``size`` (None: no history)."""
        starts = [s for t in self.kinds.values() if (s := t.buckets[size].oldest()) is not None]
        return min(starts) if starts else None

    def prune(self, clocks: dict[str, float], keep: dict[int, float]) -> None:
        self.read.clear()
        newest = max(clocks.values(), default=None)
        for kind, tiered in self.kinds.items():
            clock = clocks.get(kind, newest)
            if clock is not None:
                tiered.prune(clock, keep, self.kept)

    def to_json(self) -> dict[str, Any]:
        return {kind: t.to_json() for kind, t in self.kinds.items()}

    @classmethod
    def from_json(cls, width: int, d: dict[str, Any]) -> ByKind:
        if d and set(d) <= {str(t) for t in TIERS}:
            # Written before counters were kept per kind: one Tiered for all. Kept under a kind
            # of its own, which ages by the newest clock until its buckets are gone.
            return cls(width, {LEGACY: Tiered.from_json(width, d)})
        return cls(width, {kind: Tiered.from_json(width, t) for kind, t in d.items()})
