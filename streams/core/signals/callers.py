"""The calls a store remembers for the repeat rate ("same customer again within a window").

Every identified caller of the last day is remembered, a few hundred at a busy store. As a
dict of customer key -> tuples of (time, queue, agent) that cost ~250 bytes a caller, the
largest part of a store's call state. Here one call is one row of parallel arrays, sorted by
customer key then event time: the key (the 64 bits of ``calls.customer_key``), the time, and
the queue and agent as positions in one list of names (a store has a few queues and agents but
hundreds of calls), two bytes each while a store has at most 32,768 names. The names are
interned: a shared call centre's agents are the same few hundred strings at every store, so
10,000 stores hold one copy of each, not 10,000. About 20 bytes a call; the same keys, times
and names, so the same repeats.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from typing import Any

Caller = tuple[float, str, str | None]  # a call's event time, queue and agent
Row = tuple[int, float, str, str | None]  # the customer key with it
NO_AGENT = -1
# Name positions: 2 bytes, 4 once a store has more names than 2 bytes count.
NARROW, WIDE = ("H", "h"), ("I", "i")


class Callers:
    __slots__ = ("_agents", "_keys", "_names", "_queues", "_times")

    def __init__(self) -> None:
        self._keys: array[int] = array("Q")
        self._times: array[float] = array("d")
        self._queues: array[int] = array(NARROW[0])
        self._agents: array[int] = array(NARROW[1])
        # Queue and agent names, interned; found by a scan, not a dict: a store has a few dozen,
        # a dict of them cost more than the rows of its calls.
        self._names: list[str] = []

    def span(self, key: str) -> tuple[int, int]:
        """The rows of one customer: [first, end)."""
        k = int(key, 16)
        first = bisect_left(self._keys, k)
        return first, bisect_right(self._keys, k, first)

    def time(self, row: int) -> float:
        return self._times[row]

    def call(self, row: int) -> Caller:
        agent = self._agents[row]
        return (
            self._times[row],
            self._names[self._queues[row]],
            None if agent == NO_AGENT else self._names[agent],
        )

    def insert(self, row: int, key: str, call: Caller) -> None:
        """Put a call at ``row``, which must keep the rows in (key, time) order."""
        ts, queue, agent = call
        q, a = self._name(queue), NO_AGENT if agent is None else self._name(agent)
        if max(q, a) > 0x7FFF and self._queues.typecode == NARROW[0]:
            self._queues, self._agents = array(WIDE[0], self._queues), array(WIDE[1], self._agents)
        self._keys.insert(row, int(key, 16))
        self._times.insert(row, ts)
        self._queues.insert(row, q)
        self._agents.insert(row, a)

    def remember(self, key: str, call: Caller, span: float) -> tuple[bool, Caller | None]:
        """Place the call among the customer's calls by event time (after an equal time: the
        later call). Returns whether it is a repeat (a call of the customer within ``span``
        before it), and the customer's next call if this (late) call turns that one into a
        repeat."""
        first, end = self.span(key)
        i = first
        while i < end and self.time(i) <= call[0]:
            i += 1
        prev = self.call(i - 1) if i > first else None
        nxt = self.call(i) if i < end else None
        self.insert(i, key, call)
        repeat = prev is not None and call[0] - prev[0] <= span
        # Out of order: the later call was counted as a first call; now it has a predecessor.
        was_first = prev is None or (nxt is not None and nxt[0] - prev[0] > span)
        fixes = nxt if nxt is not None and nxt[0] - call[0] <= span and was_first else None
        return repeat, fixes

    def prune(self, horizon: float, span: float) -> None:
        """Keep of each customer only the calls that can still count: those from ``horizon``
        on, and the newest one before it while within ``span`` of it (a call arriving late,
        at the horizon, may be a repeat of it)."""
        keys, times = self._keys, self._times
        kept: list[int] = []
        i, n = 0, len(keys)
        while i < n:
            end = bisect_right(keys, keys[i], i)
            first = max(i, bisect_left(times, horizon, i, end) - 1)
            if first < end and times[first] < horizon - span:
                first += 1
            kept.extend(range(first, end))
            i = end
        if len(kept) == n:
            return
        self._keys = array("Q", [keys[j] for j in kept])
        self._times = array("d", [times[j] for j in kept])
        queues = [self._queues[j] for j in kept]
        agents = [self._agents[j] for j in kept]
        # Names no call refers to any more are dropped: a shared call centre's agents come
        # and go.
        used = sorted({*queues, *(a for a in agents if a != NO_AGENT)})
        if len(used) < len(self._names):
            moved = {old: new for new, old in enumerate(used)}
            queues = [moved[q] for q in queues]
            agents = [NO_AGENT if a == NO_AGENT else moved[a] for a in agents]
            self._names = [self._names[old] for old in used]
        self._queues = array(self._queues.typecode, queues)
        self._agents = array(self._agents.typecode, agents)

    def rows(self) -> list[Row]:
        """Every remembered call with its customer key, in (key, time) order."""
        return [(self._keys[i], *self.call(i)) for i in range(len(self._keys))]

    def __len__(self) -> int:
        """The number of customers remembered."""
        keys, count, i = self._keys, 0, 0
        while i < len(keys):
            i = bisect_right(keys, keys[i], i)
            count += 1
        return count

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Callers):
            return NotImplemented
        return self.rows() == other.rows()

    def __repr__(self) -> str:
        return f"Callers({self.rows()})"

    def copy(self) -> Callers:
        out = Callers()
        out._keys, out._times = array("Q", self._keys), array("d", self._times)
        out._queues = array(self._queues.typecode, self._queues)
        out._agents = array(self._agents.typecode, self._agents)
        out._names = list(self._names)
        return out

    def to_json(self) -> list[list[Any]]:
        return [
            self._keys.tolist(),
            self._times.tolist(),
            self._queues.tolist(),
            self._agents.tolist(),
            list(self._names),
        ]

    @classmethod
    def from_json(cls, d: list[list[Any]] | dict[str, list[list[Any]]]) -> Callers:
        out = cls()
        if isinstance(d, dict):
            # Written before calls were rows: customer key -> its [time, queue, agent] calls,
            # oldest first.
            for key in sorted(d, key=lambda k: int(k, 16)):
                for t, q, a in d[key]:
                    out.insert(len(out._keys), key, (float(t), q, a))
            return out
        keys, times, queues, agents, names = d
        out._keys, out._times = array("Q", keys), array("d", times)
        codes = NARROW if len(names) <= 0x7FFF else WIDE
        out._queues, out._agents = array(codes[0], queues), array(codes[1], agents)
        out._names = [sys.intern(name) for name in names]
        return out

    def _name(self, name: str) -> int:
        name = sys.intern(name)
        try:
            return self._names.index(name)  # the same object: found by identity, in C
        except ValueError:
            self._names.append(name)
            return len(self._names) - 1
