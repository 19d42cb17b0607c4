"""Event-time counters at four resolutions, so one store can answer 1 h, 6 h, 24 h, 7 d and
28 d windows without keeping 40,000 one-minute buckets.

Every observation is added to a minute, a five-minute, an hour and a day bucket. A window is
read from the coarsest tier whose bucket is at most 1/24 of the window (1 h → minutes, 3 h and
6 h → five minutes, 24 h and 7 d → hours, 28 d → days), so the ragged edge of a window is at
most ~4% of it. Each tier keeps only what its longest window needs. A bucket holds a vector
of integer fields (``Field`` positions); most fields of most buckets are zero, so the JSON form
is sparse.

Every event asks for the same dozen windows again (1, 3, 6, 24 h and 7 d are 24 to 168
vectors each), so each ``Tiered`` keeps the sum of every window it was asked for and moves
it: an add or a prune inside a kept window adjusts its sum, and a read that ends later slides it
by the buckets that entered and left. The sums are derived, never serialised; whatever replaces
buckets behind this class's back (the checkpoint's undo) calls ``forget_sums``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson

from streams.core.windows import bucket_start

MINUTE, FIVE_MINUTES, HOUR, DAY = 60, 300, 3600, 86400
LEGACY = "all"  # the kind of counters read from a changelog written before ByKind
# Five-minute buckets answer the 2-23 h windows, so minutes are kept for about an hour only:
# a busy store's minute tier held six hours, the largest part of its counters.
TIERS = (MINUTE, FIVE_MINUTES, HOUR, DAY)


@cache
def tier_for(window: float) -> int:
    best = MINUTE
    for size in TIERS:
        if size * 24 <= window:
            best = size
    return best


@dataclass(slots=True)
class _WindowSum:
    first: int  # oldest bucket start in the window
    last: int  # newest bucket start in the window
    sums: list[int]


@dataclass
class Tiered:
    width: int
    buckets: dict[int, dict[int, list[int]]] = field(default_factory=lambda: {t: {} for t in TIERS})
    # tier size -> window length -> its kept sum
    kept: dict[int, dict[int, _WindowSum]] = field(default_factory=dict, compare=False, repr=False)
    # tier size -> the cut-off of its last prune: nothing older is left to drop until it moves
    pruned: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    # tier size -> bucket start -> that bucket's encoded `"start":{sparse}` member. The
    # changelog takes the whole store after every batch, but a batch changes only a few of a
    # tier's up to 1,440 buckets. Keys are always a subset of the tier's buckets.
    encoded: dict[int, dict[int, bytes]] = field(default_factory=dict, compare=False, repr=False)

    def add(self, ts: float, values: Iterable[tuple[int, int]]) -> None:
        items = [(i, v) for i, v in values if v]
        if not items:
            return
        for size, tier in self.buckets.items():
            vec = tier.get(start := bucket_start(ts, size))
            if vec is None:
                vec = tier[start] = [0] * self.width
            else:
                self.encoded.get(size, {}).pop(start, None)
            for i, v in items:
                vec[i] += v
            for w in self.kept.get(size, {}).values():
                if w.first <= start <= w.last:
                    for i, v in items:
                        w.sums[i] += v

    def forget_sums(self) -> None:
        """After buckets were replaced behind this class's back: nothing derived is kept."""
        self.kept.clear()
        self.encoded.clear()

    def totals(self, end: float, window: float, size: int | None = None) -> list[int]:
        """Sums over the window of ``window`` seconds ending with the bucket that holds ``end``."""
        size = size or tier_for(window)
        last = bucket_start(end, size)
        count = int(window) // size  # whole buckets in the window
        if count <= 0:
            return [0] * self.width
        first = last - (count - 1) * size
        kept = self.kept.setdefault(size, {})
        w = kept.get(int(window))
        if w is None or abs(last - w.last) >= count * size:  # nothing in common: sum afresh
            kept[int(window)] = w = _WindowSum(first, last, self._sum(size, first, last))
        elif last != w.last:  # slide: the windows overlap, so these are the edges only
            if last > w.last:
                entered, left = range(w.last + size, last + size, size), range(w.first, first, size)
            else:
                entered, left = range(first, w.first, size), range(last + size, w.last + size, size)
            if entered:
                self._shift(size, w.sums, entered, 1)
            if left:
                self._shift(size, w.sums, left, -1)
            w.first, w.last = first, last
        return list(w.sums)

    def _shift(self, size: int, sums: list[int], starts: range, sign: int) -> None:
        tier = self.buckets[size]
        for start in starts:
            if (vec := tier.get(start)) is not None:
                if sign > 0:
                    sums[:] = [a + b for a, b in zip(sums, vec, strict=True)]
                else:
                    sums[:] = [a - b for a, b in zip(sums, vec, strict=True)]

    def _sum(self, size: int, first: int, last: int) -> list[int]:
        tier = self.buckets[size]
        if len(tier) * size > last - first + size:  # fewer lookups by time than buckets kept
            vecs = [v for s in range(last, first - 1, -size) if (v := tier.get(s)) is not None]
        else:
            vecs = [v for start, v in tier.items() if first <= start <= last]
        if not vecs:
            return [0] * self.width
        return [sum(col) for col in zip(*vecs, strict=True)]  # column sums in C, not a loop

    def prune(self, now: float, keep: dict[int, float]) -> None:
        """Drop buckets older than ``keep[size]`` seconds before ``now``."""
        for size, tier in self.buckets.items():
            oldest = bucket_start(now - keep.get(size, 0), size)
            if self.pruned.get(size) == oldest:
                continue  # a tier is swept once per bucket step, not on every event
            self.pruned[size] = oldest
            kept = self.kept.get(size, {}).values()
            encoded = self.encoded.get(size, {})
            for start in [s for s in tier if s < oldest]:
                vec = tier.pop(start)
                encoded.pop(start, None)
                for w in kept:
                    if w.first <= start <= w.last:
                        w.sums = [a - b for a, b in zip(w.sums, vec, strict=True)]

    def to_json(self) -> dict[str, Any]:
        return {
            str(size): {str(s): {str(i): v for i, v in enumerate(vec) if v} for s, vec in t.items()}
            for size, t in self.buckets.items()
        }

    def to_wire(self) -> dict[str, orjson.Fragment]:
        """``to_json``'s content for ``orjson.dumps`` (bucket order may differ), with every
        bucket unchanged since the last call reused already encoded."""
        out: dict[str, orjson.Fragment] = {}
        for size, tier in self.buckets.items():
            encoded = self.encoded.setdefault(size, {})
            if len(encoded) != len(tier):
                for start, vec in tier.items():
                    if start not in encoded:
                        sparse = {str(i): v for i, v in enumerate(vec) if v}
                        encoded[start] = b'"%d":%s' % (start, orjson.dumps(sparse))
            out[str(size)] = orjson.Fragment(b"{" + b",".join(encoded.values()) + b"}")
        return out

    @classmethod
    def from_json(cls, width: int, d: dict[str, Any]) -> Tiered:
        out = cls(width)
        for size, tier in d.items():
            target = out.buckets.setdefault(int(size), {})
            for start, sparse in tier.items():
                vec = [0] * width
                for i, v in sparse.items():
                    vec[int(i)] = v
                target[int(start)] = vec
        if str(FIVE_MINUTES) not in d:
            # Written before the five-minute tier: its minutes hold everything it needs.
            coarse = out.buckets[FIVE_MINUTES]
            for start, vec in out.buckets[MINUTE].items():
                into = coarse.setdefault(bucket_start(start, FIVE_MINUTES), [0] * width)
                into[:] = [a + b for a, b in zip(into, vec, strict=True)]
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

    def add(self, kind: str, ts: float, values: Iterable[tuple[int, int]]) -> None:
        self.read.clear()
        tiered = self.kinds.get(kind)
        if tiered is None:
            tiered = self.kinds[kind] = Tiered(self.width)
        tiered.add(ts, values)

    def forget_sums(self) -> None:
        """After counts were changed behind this class's back (the checkpoint's undo)."""
        self.read.clear()
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
        key = (size, window, bucket_start(end, size))
        hit = self.read.get(key)
        if hit is None:
            parts = [t.totals(end, window, size) for t in self.kinds.values()]
            hit = [sum(col) for col in zip(*parts, strict=True)] if parts else [0] * self.width
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
        starts = [min(t.buckets[size]) for t in self.kinds.values() if t.buckets[size]]
        return min(starts) if starts else None

    def prune(self, clocks: dict[str, float], keep: dict[int, float]) -> None:
        self.read.clear()
        newest = max(clocks.values(), default=None)
        for kind, tiered in self.kinds.items():
            clock = clocks.get(kind, newest)
            if clock is not None:
                tiered.prune(clock, keep)

    def to_json(self) -> dict[str, Any]:
        return {kind: t.to_json() for kind, t in self.kinds.items()}

    def to_wire(self) -> dict[str, Any]:
        """``to_json``'s content for ``orjson.dumps``, cheaper to encode again and again."""
        return {kind: t.to_wire() for kind, t in self.kinds.items()}

    @classmethod
    def from_json(cls, width: int, d: dict[str, Any]) -> ByKind:
        if d and set(d) <= {str(t) for t in TIERS}:
            # Written before counters were kept per kind: one Tiered for all. Kept under a kind
            # of its own, which ages by the newest clock until its buckets are gone.
            return cls(width, {LEGACY: Tiered.from_json(width, d)})
        return cls(width, {kind: Tiered.from_json(width, t) for kind, t in d.items()})
