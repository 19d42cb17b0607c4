"""Deadlines in time order: find what is due without scanning every open complaint."""

from __future__ import annotations

import heapq
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class DueQueue(Generic[K]):
    """A heap of (due, key) with lazy invalidation: re-setting a key's due time leaves the old
    entry in the heap, skipped when it surfaces; the heap is rebuilt when stale entries
    outnumber live ones, so memory stays proportional to the open complaints."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, K]] = []
        self._due: dict[K, float] = {}

    def __len__(self) -> int:
        return len(self._due)

    def __contains__(self, key: K) -> bool:
        return key in self._due

    def set(self, key: K, due: float | None) -> None:
        if due is None:
            self._due.pop(key, None)
            return
        if self._due.get(key) == due:
            return
        self._due[key] = due
        heapq.heappush(self._heap, (due, key))
        if len(self._heap) > 2 * len(self._due) + 1024:
            self._heap = [(d, k) for k, d in self._due.items()]
            heapq.heapify(self._heap)

    def peek(self) -> float | None:
        while self._heap and self._due.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def pop(self) -> tuple[float, K]:
        """The earliest (due, key); call peek() first."""
        due, key = heapq.heappop(self._heap)
        del self._due[key]
        return due, key

    def pop_due(self, now: float) -> list[tuple[float, K]]:
        out = []
        while (d := self.peek()) is not None and d <= now:
            out.append(self.pop())
        return out
