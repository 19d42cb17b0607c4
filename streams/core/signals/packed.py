"""One counter tier's buckets, packed: what a store's counters cost is mostly these.

A bucket is a vector of ``width`` integer fields, and most fields of most buckets are zero (a
feedback hour sets a dozen of 29). Kept as a Python list, a bucket cost ~300 bytes plus its
dict entry and key, and a store keeps ~400 of them for a week. Here a tier is three arrays:
the bucket starts in ascending order, where each bucket's entries end, and the entries, one
int per non-zero field, ``value << SHIFT | field``. An entry is 2 bytes while every value of
the tier is within ±511 (most are counts of one hour's ratings), 4 while they fit 26 bits, 8
beyond: the tier turns to the wider entries the first time a value needs them.

Adds go to one bucket at a time, so the bucket last added to (``hot``) is a plain list until
another bucket is added to or the tier is pruned (encoding reads it where it stands): an
event's adds cost what they did with lists, and a bucket is packed once per bucket step, not
per event or per changelog write.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, MutableSequence, Sequence
from itertools import compress

SHIFT = 6  # field bits of an entry: fields 0..63 (a wider vector needs another format)
MASK = (1 << SHIFT) - 1
# One tier's JSON form: bucket starts, each bucket's end offset into the entries, the entries.
Packed = list[list[int]]
# A tier holds a few hundred buckets at most, so each bucket's start (epoch seconds) and end
# offset take 4 and 2 bytes; a start before 1970 or past 2106, or an end past 65,535, turns the
# tier's array to the wider type, as a value too wide for its entries does the entries.
STARTS, ENDS = ("I", "q"), ("H", "I")
ENTRIES = ("h", "i", "q")  # narrowest first
COLD: list[int] = []  # the hot vector of a tier with no hot bucket: shared, never written to


class PackedTier:
    __slots__ = (
        "_ends",
        "_entries",
        "_hot",
        "_hot_start",
        "_starts",
        "_window",
        "width",
    )

    # ``width`` has a default only for pickle, which makes the object before setting every
    # attribute (a worker holds its idle stores pickled: streams/worker/compressed.py).
    def __init__(self, width: int = 0) -> None:
        if width > MASK + 1:
            raise ValueError(f"a packed bucket holds at most {MASK + 1} fields, not {width}")
        self.width = width
        self._starts: array[int] = array(STARTS[0])
        self._ends: array[int] = array(ENDS[0])
        self._entries: array[int] = array(ENTRIES[0])
        self._hot_start: int | None = None
        self._hot: list[int] = COLD
        # The last window ``window_sum`` read, kept through every add and drop; None: none.
        self._window: array[int] | None = None  # ``Kept``

    # --- what the counters do with a tier -------------------------------------------------

    def add(self, start: int, items: list[tuple[int, int]]) -> None:
        """Add ``(field, value)`` pairs to the bucket at ``start`` (created if absent)."""
        if start != self._hot_start:
            self._heat(start)
        vec = self._hot
        for i, v in items:
            vec[i] += v
        if self._window is not None:
            Kept.add(self._window, start, items)

    def get(self, start: int) -> list[int] | None:
        """A copy of the bucket at ``start``, or None where there is none."""
        if start == self._hot_start:
            return list(self._hot)
        i = self._index(start)
        if i < 0:
            return None
        vec = [0] * self.width
        for x in self._entries[self._begin(i) : self._ends[i]]:
            vec[x & MASK] += x >> SHIFT
        return vec

    def put(self, start: int, vec: list[int] | None) -> None:
        """Make the bucket at ``start`` exactly ``vec`` (None: no bucket): the checkpoint's undo."""
        self._window = None  # rare: summed afresh next time
        if start == self._hot_start:
            self._hot_start, self._hot = None, COLD
        else:
            i = self._index(start)
            if i >= 0:
                self._remove(i)
        if vec is not None:
            self._insert(start, vec)

    def accumulate(self, sums: MutableSequence[int], first: int, last: int, sign: int) -> None:
        """Add (``sign`` 1) or subtract (-1) every bucket from ``first`` to ``last`` (starts,
        inclusive) into ``sums``: a window slides by a range of buckets, most of them absent,
        so the range is found once, not looked up bucket by bucket."""
        starts = self._starts
        lo = bisect_left(starts, first)
        hi = bisect_right(starts, last, lo)
        if hi > lo:
            for x in self._entries[self._begin(lo) : self._ends[hi - 1]]:
                sums[x & MASK] += sign * (x >> SHIFT)
        hot = self._hot_start
        if hot is not None and first <= hot <= last:
            vec = self._hot
            for i in compress(range(len(vec)), vec):
                sums[i] += sign * vec[i]

    def sum(self, first: int, last: int) -> list[int]:
        """Field sums of every bucket from ``first`` to ``last`` (starts, inclusive)."""
        sums = [0] * self.width
        self.accumulate(sums, first, last, 1)
        return sums

    def window_sum(self, first: int, last: int) -> list[int]:
        """``sum``, for a reader that asks for one window again and again as it moves (the call
        rules read each window on every call): the last window's sums are kept (``Kept``)."""
        if first > last:
            return [0] * self.width
        self._window = kept = Kept.at(self._window, self.width, (self,), first, last)
        return kept[:-2].tolist()

    def drop_before(self, oldest: int) -> None:
        """Drop every bucket older than ``oldest``."""
        if self._window is not None:
            Kept.drop(self._window, self, oldest)
        if self._hot_start is not None and self._hot_start < oldest:
            self._hot_start, self._hot = None, COLD
        n = bisect_left(self._starts, oldest)
        if n:
            # New arrays of the exact size: deleting in place keeps an array's allocation.
            cut = self._ends[n - 1]
            self._starts = self._starts[n:]
            self._entries = self._entries[cut:]
            self._ends = array(self._ends.typecode, [e - cut for e in self._ends[n:]])

    def oldest(self) -> int | None:
        """The start of the oldest bucket, None where there is none."""
        first = self._starts[0] if self._starts else None
        if self._hot_start is None:
            return first
        return self._hot_start if first is None else min(first, self._hot_start)

    def __len__(self) -> int:
        # The hot bucket is never also packed: heating one takes it out of the arrays.
        return len(self._starts) + int(self._hot_start is not None)

    def items(self) -> Iterator[tuple[int, list[int]]]:
        """Every bucket as (start, vector), oldest first."""
        self.flush()
        for s in self._starts:
            vec = self.get(s)
            assert vec is not None
            yield s, vec

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PackedTier):
            return NotImplemented
        return self.width == other.width and self.to_json() == other.to_json()

    def __repr__(self) -> str:
        return f"PackedTier({dict(self.items())})"

    def copy(self) -> PackedTier:
        out = PackedTier(self.width)
        out._starts = array(self._starts.typecode, self._starts)
        out._ends = array(self._ends.typecode, self._ends)
        out._entries = array(self._entries.typecode, self._entries)
        if self._hot_start is not None:
            out._hot_start, out._hot = self._hot_start, list(self._hot)
        return out

    # --- the changelog form -----------------------------------------------------------------

    def to_json(self) -> Packed:
        """The hot bucket is encoded as packing would place it, but left hot: packed here, it
        would be unpacked again by the next event's add to the same bucket, on every changelog
        write."""
        hot = self._hot_start
        if hot is not None and self._starts and hot < self._starts[-1]:
            self.flush()  # a late bucket is hot (rare): packed in its place
            hot = None
        starts, ends, entries = self._starts.tolist(), self._ends.tolist(), self._entries.tolist()
        if hot is not None:
            vec = self._hot
            entries += [vec[f] << SHIFT | f for f in compress(range(len(vec)), vec)]
            starts.append(hot)
            ends.append(len(entries))
        return [starts, ends, entries]

    @classmethod
    def from_json(cls, width: int, d: Packed) -> PackedTier:
        out = cls(width)
        starts, ends, entries = d
        out._starts = _fit(STARTS, starts)
        out._ends = _fit(ENDS, ends)
        out._extend(entries)
        return out

    @classmethod
    def from_buckets(cls, width: int, buckets: dict[int, list[int]]) -> PackedTier:
        out = cls(width)
        for start in sorted(buckets):
            out._insert(start, buckets[start])
        return out

    # --- inside -----------------------------------------------------------------------------

    def flush(self, before: int | None = None) -> None:
        """Pack the hot bucket (only if it starts before ``before``, where given)."""
        if self._hot_start is not None and (before is None or self._hot_start < before):
            start, vec = self._hot_start, self._hot
            self._hot_start, self._hot = None, COLD
            self._insert(start, vec)

    def _heat(self, start: int) -> None:
        if self._hot_start is not None:
            self._insert(self._hot_start, self._hot)
        starts = self._starts
        if not starts or start > starts[-1]:  # the usual case: a new newest bucket
            self._hot_start, self._hot = start, [0] * self.width
            return
        i = self._index(start)
        if i < 0:
            vec = [0] * self.width
        else:
            vec = [0] * self.width
            for x in self._entries[self._begin(i) : self._ends[i]]:
                vec[x & MASK] += x >> SHIFT
            self._remove(i)
        self._hot_start, self._hot = start, vec

    def _index(self, start: int) -> int:
        starts = self._starts
        i = bisect_left(starts, start)
        return i if i < len(starts) and starts[i] == start else -1

    def _begin(self, i: int) -> int:
        return self._ends[i - 1] if i else 0

    def _remove(self, i: int) -> None:
        begin, end = self._begin(i), self._ends[i]
        del self._starts[i]
        del self._entries[begin:end]
        del self._ends[i]
        if end > begin and i < len(self._ends):
            self._ends[i:] = array(self._ends.typecode, [e - (end - begin) for e in self._ends[i:]])

    def _insert(self, start: int, vec: list[int]) -> None:
        # The non-zero fields picked in C: most of a vector is zero, and this runs once per
        # bucket per tier, several times an event at a quiet store.
        entries = [vec[f] << SHIFT | f for f in compress(range(len(vec)), vec)]
        i = bisect_left(self._starts, start)
        if i == len(self._starts):  # the usual case: the newest bucket
            self._put(i, start, len(self._entries) + len(entries), 0)
            self._extend(entries)
            return
        at = self._begin(i)
        tail = self._entries[at:]
        del self._entries[at:]
        self._extend(entries)
        self._entries.extend(array(self._entries.typecode, tail))
        self._put(i, start, at + len(entries), len(entries))

    def _put(self, i: int, start: int, end: int, shift: int) -> None:
        """Insert a bucket's start and end at ``i``, every later end moved by ``shift``."""
        try:
            self._starts.insert(i, start)
        except OverflowError:
            self._starts = array(STARTS[1], self._starts)
            self._starts.insert(i, start)
        ends = self._ends
        tail = [end, *(e + shift for e in ends[i:])] if shift else [end, *ends[i:]]
        if ends.typecode == ENDS[0] and max(tail) > 0xFFFF:
            self._ends = ends = array(ENDS[1], ends)
        ends[i:] = array(ends.typecode, tail)

    def _extend(self, entries: list[int]) -> None:
        code = self._entries.typecode
        try:
            self._entries.extend(array(code, entries))
            return
        except OverflowError:  # a value beyond the entry size: every entry of the tier widens
            pass
        for wider in ENTRIES[ENTRIES.index(code) + 1 :]:
            try:
                added = array(wider, entries)
            except OverflowError:
                continue
            self._entries = array(wider, self._entries)
            self._entries.extend(added)
            return
        raise OverflowError("a counter value beyond 57 bits")


class Kept:
    """The field sums of one window over one or more tiers (one kind's, or every kind's at one
    resolution), kept as the window moves: a reader that asks for the same window on every
    event pays for the buckets that entered and left it, not for the whole window. Whoever adds
    to or drops from a summed tier tells it (``add``, ``drop``); whatever replaces buckets
    behind its back must throw it away. One array of 8-byte ints (a week's reach outgrows 4
    bytes): the sums, then the window's first and last bucket starts, so a store's dozen kept
    windows are a dozen arrays and nothing else."""

    __slots__ = ()

    @staticmethod
    def over(width: int, tiers: Iterable[PackedTier], first: int, last: int) -> array[int]:
        """The sums of ``first`` to ``last`` (starts, inclusive), summed afresh."""
        kept = array("q", bytes(8 * width))
        for tier in tiers:
            tier.accumulate(kept, first, last, 1)
        kept.append(first)
        kept.append(last)
        return kept

    @staticmethod
    def at(
        kept: array[int] | None, width: int, tiers: Sequence[PackedTier], first: int, last: int
    ) -> array[int]:
        """The kept sum of the window from ``first`` to ``last``: ``kept`` slid there, or
        summed afresh where there is none yet."""
        if kept is None:
            return Kept.over(width, tiers, first, last)
        Kept.slide(kept, tiers, first, last)
        return kept

    @staticmethod
    def slide(kept: array[int], tiers: Iterable[PackedTier], first: int, last: int) -> None:
        """``kept`` moved to the window from ``first`` to ``last``: by the ranges that entered
        and left it where the two overlap, afresh where they do not. Starts are integers, so
        what entered and left are the ranges between the edges."""
        a, b = kept[-2], kept[-1]
        if (a, b) != (first, last):
            if first > b or last < a:  # nothing in common
                kept[:] = Kept.over(len(kept) - 2, tiers, first, last)
            else:
                for tier in tiers:
                    if last > b:
                        tier.accumulate(kept, b + 1, last, 1)
                    elif last < b:
                        tier.accumulate(kept, last + 1, b, -1)
                    if first < a:
                        tier.accumulate(kept, first, a - 1, 1)
                    elif first > a:
                        tier.accumulate(kept, a, first - 1, -1)
                kept[-2], kept[-1] = first, last

    @staticmethod
    def add(kept: array[int], start: int, items: list[tuple[int, int]]) -> None:
        """``(field, value)`` pairs added to a summed tier's bucket at ``start``."""
        if kept[-2] <= start <= kept[-1]:
            for i, v in items:
                kept[i] += v

    @staticmethod
    def drop(kept: array[int], tier: PackedTier, oldest: int) -> None:
        """Before ``tier`` (one of those summed) drops its buckets older than ``oldest``."""
        if oldest > kept[-2]:
            tier.accumulate(kept, kept[-2], min(kept[-1], oldest - 1), -1)


def _fit(codes: tuple[str, str], values: list[int]) -> array[int]:
    """``values`` in the narrower array type if they fit it, else the wider."""
    try:
        return array(codes[0], values)
    except OverflowError:
        return array(codes[1], values)
