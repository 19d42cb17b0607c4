"""Which stores a worker holds decoded, and the compressed form it holds the others in.

A decoded store (``StoreState``: arrays, dicts and numbers for a week of windows) takes about
50 KB of memory after a simulated week of chain traffic, and about 13 KB held compressed
(``bench.store_memory --chain``). Most stores of a large chain see an event every few minutes,
so holding every store decoded pays for thousands that are not in use. The ``keep`` stores
changed most recently stay decoded; the others are held compressed and decoded again when an
event or a read needs them.

The compressed form is the decoded store pickled and zstd-compressed (``Pickled``): about
0.35 ms to make and read back a week-old store, where its changelog JSON took about 0.85 ms
(each integer parsed on its own; pickle copies arrays whole). Only objects of the types below
are ever decompressed or unpickled, and only this module makes them: bytes that came from
Kafka (a changelog record, which anyone able to write that topic could forge) are always read
as JSON, so no outside bytes reach ``pickle``. Recovered and standby records are compressed as
they arrive (``compact``), as their JSON (``CompressedJson``): decoding each one there would
cost the whole recovery a decode per record.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Container, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import zstandard

from streams.core.store import StoreState

log = logging.getLogger("cxpulse.worker.compressed")
# Level 1: a week-old store in ~13 KB, ~65 µs to compress; higher levels took longer for no
# smaller result, negative ones gave 18-22 KB (measured on week-old states' JSON).
_compressor = zstandard.ZstdCompressor(level=1)
_decompressor = zstandard.ZstdDecompressor()


class Pickled(bytes):
    """A store this process pickled and compressed (``freeze``)."""

    __slots__ = ()


class CompressedJson(bytes):
    """A recovered state's JSON, compressed by this process (``compact``)."""

    __slots__ = ()


def freeze(state: StoreState) -> Pickled:
    return Pickled(_compressor.compress(pickle.dumps(state, protocol=5)))


def _frozen(key: bytes, state: StoreState) -> Pickled | None:
    """``freeze``, or None where it fails (a bug: said, and the store stays decoded)."""
    try:
        return freeze(state)
    except Exception:
        log.exception("store %r could not be held compressed", key[:64])
        return None


def thaw(stored: bytes) -> StoreState:
    """The store held as ``stored``: one this process froze, a recovered state it compressed,
    or a recovered state's JSON as Faust put it in the table. Raises on anything unreadable,
    which the caller sets aside."""
    if type(stored) is Pickled:
        state = pickle.loads(_decompressor.decompress(stored))
        if not isinstance(state, StoreState):
            raise TypeError(f"a held store unpickled as {type(state).__name__}")
        return state
    if type(stored) is CompressedJson:
        stored = _decompressor.decompress(stored)
    return StoreState.from_json(orjson.loads(stored))


def compact(data: MutableMapping[Any, Any], keys: Iterable[Any]) -> None:
    """Compress the states of ``keys`` that ``data`` holds as Faust put them (JSON bytes)."""
    for key in keys:
        value = data.get(key)
        if type(value) is bytes:
            data[key] = CompressedJson(_compressor.compress(value))


@dataclass
class Decoded:
    """The order in which the decoded stores last changed, and which of them to compress.

    ``keep``: how many stores stay decoded (None: all of them). The worker tells it of every
    store it changes (``changed``), has the ones pushed out frozen (``freeze_pushed_out``), and
    asks ``after_write`` what to hold after each changelog write."""

    keep: int | None
    # stores decoded, least recently changed first (a dict: ordered, O(1) to move a key)
    order: dict[bytes, None] = field(default_factory=dict)
    # pushed out before their changelog write: frozen after it
    due: set[bytes] = field(default_factory=set)

    def changed(self, key: bytes) -> None:
        """``key`` changed and is held decoded: the most recently changed now."""
        self.order.pop(key, None)
        self.order[key] = None
        self.due.discard(key)

    def pushed_out(self) -> list[bytes]:
        """The stores beyond ``keep``, least recently changed first, taken off the order."""
        if self.keep is None or len(self.order) <= self.keep:
            return []
        out: list[bytes] = []
        for key in self.order:
            if len(self.order) - len(out) <= self.keep:
                break
            out.append(key)
        for key in out:
            del self.order[key]
        return out

    def after_write(self, key: bytes, state: StoreState) -> StoreState | Pickled:
        """What to hold for ``key`` once written: frozen where it was pushed out while it
        waited for the write, else ``state`` as it is."""
        if key in self.due:
            self.due.discard(key)
            return _frozen(key, state) or state
        return state

    def freeze_pushed_out(
        self,
        held: Mapping[bytes, Any],
        unwritten: Container[bytes],
        repack: Callable[[bytes, Pickled], None],
    ) -> int:
        """Hold the stores pushed out compressed (``repack``): now where written already, at
        their write where still waiting for it. How many were frozen now."""
        frozen = 0
        for key in self.pushed_out():
            state = held.get(key)
            if key in unwritten:
                self.due.add(key)
            elif isinstance(state, StoreState) and (held_as := _frozen(key, state)):
                repack(key, held_as)
                frozen += 1
        return frozen

    def drop(self, key: bytes) -> None:
        """``key`` is held no more (forgotten after a quiet spell)."""
        self.order.pop(key, None)
        self.due.discard(key)

    def forget(self, held: MutableMapping[bytes, Any]) -> None:
        """Drop the stores no longer held decoded, so they take no place in ``keep``: run when
        the worker's partitions change (a store of a partition gone is dropped with it). One set
        aside meanwhile is skipped when pushed out."""
        for key in [k for k in self.order if not isinstance(held.get(k), StoreState)]:
            del self.order[key]
        self.due = {k for k in self.due if isinstance(held.get(k), StoreState)}

    def __len__(self) -> int:
        return len(self.order)
