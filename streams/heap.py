"""How the shells set Python's cycle collector for a stream.

Python collects its youngest generation after every 700 net allocations. A stream worker
allocates tens of objects per message and holds every message for a fraction of a second (the
consumer's fetch buffer, the batch, the order buffer), so most of them are still alive at that
first collection: they are moved to the older generations, which then fill and are collected
in turn, down to full collections of the whole heap. In a ``bench.pipeline`` run at 200 stores
that was a tenth of the worker's CPU (about 4,100 collections, 25 of them full at 110-160 ms
each: a pause every few seconds, which the latency shows too). Collected after 50,000
instead, a message's objects are freed by reference counting before the first collection
reaches them: about 150 collections, 2 full, 1% of the CPU (``bench/README.md``, "The cycle
collector").

The objects made while starting (modules, classes, schemas, the text models' weights) live as
long as the process: frozen, a full collection no longer walks them (about 20 ms each).

``Pauses`` times every collection, so that the worker's metrics show them
(``cxpulse_gc_pause_seconds``): a heap that grows with the stores a worker holds makes each full
collection longer, and a pause is latency for every event waiting.
"""

from __future__ import annotations

import gc
import time
from typing import Any


def tune_gc(young_threshold: int) -> None:
    """Collect the youngest generation after ``young_threshold`` net allocations (0: Python's
    own setting, left alone), and freeze what exists now out of every later collection. Call
    once, when the process has loaded what it will keep."""
    if young_threshold <= 0:
        return
    _, middle, old = gc.get_threshold()
    gc.collect()  # what startup left as garbage is freed, not frozen
    gc.set_threshold(young_threshold, middle, old)
    gc.freeze()


class Pauses:
    """The collector's pauses since the last ``take``: (generation, seconds). The callback only
    appends to a list: it runs inside whatever code allocated, which may hold a metric's lock,
    so the metrics are updated later, by ``take``'s caller."""

    def __init__(self) -> None:
        self._started = 0.0
        self._done: list[tuple[int, float]] = []

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self._done.append((int(info["generation"]), time.perf_counter() - self._started))

    def watch(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def stop(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)

    def take(self) -> list[tuple[int, float]]:
        done, self._done = self._done, []
        return done
