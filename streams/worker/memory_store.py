"""Faust's in-memory table store, made to know what it holds, so standby replicas work.

Faust's memory store says it holds no offsets (``persisted_offset`` is ``None``) and, when a
recovery completes, drops every key of a partition that is not *active* here, standby copies
included. Together that loses state at a takeover: the standby copy was cut at the last
rebalance, and recovery of the partition it becomes does not always read its changelog from
the start. A changelog message of the standby partition that was already fetched when the
partition turned active is taken as "read up to here", and recovery then seeks past
everything before it. Measured with ``bench.scale`` (two workers, one SIGKILLed): alerts the
crash-free run raised went missing and others had a different CSAT.

This store keeps, per changelog partition, the newest offset its copy reflects: the newest
changelog message applied (recovery and standby reading) or written here (Faust reports each
write's offset through ``set_persisted_offset``). Recovery then reads a partition from where
this copy is, never skipping what it lacks, and a partition that stays with this worker is
not read again from where its last recovery ended. Keys of a partition this worker neither
owns nor stands by for are dropped with their offset, so a copy is never trusted once it
stopped being kept up to date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import faust.stores
from faust.stores.memory import Store
from faust.types import TP

from streams.worker.compressed import compact

SCHEME = "cxmemory"  # the store URL's scheme: ``cxmemory://``
COMPRESSED = "cxmemory-compressed"  # ... and the store table's
# A host, though none is read: Faust takes a URL with nothing after its scheme for no URL.
COMPRESSED_URL = f"{COMPRESSED}://local"


class OffsetMemoryStore(Store[Any, Any]):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.offsets: dict[TP, int] = {}
        # Changelog partitions this worker owns or stands by for (None before the first
        # assignment), and those it owns. Only a kept partition's offset is recorded, so a
        # late acknowledgement cannot vouch for keys already dropped; and only an owned
        # partition's writes count, since there this worker is the one writer. A write to a
        # partition another worker owns may overtake that worker's messages this copy has
        # not read yet; counting it would skip them at the next recovery.
        self.kept: set[int] | None = None
        self.owned: set[int] = set()

    def persisted_offset(self, tp: TP) -> int | None:
        return self.offsets.get(tp)

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        """Faust's report of one of our changelog writes, acknowledged at ``offset``."""
        if tp.partition in self.owned:
            self._reflects(tp, offset)

    def _reflects(self, tp: TP, offset: int) -> None:
        kept = self.kept is not None and tp.partition in self.kept
        if kept and offset > self.offsets.get(tp, -1):
            self.offsets[tp] = offset

    def apply_changelog_batch(
        self,
        batch: Iterable[Any],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None:
        events = list(batch)  # Faust passes its buffer; read it twice
        super().apply_changelog_batch(events, to_key, to_value)
        for event in events:
            self._reflects(event.message.tp, event.message.offset)
        self.applied({to_key(event.key) for event in events})

    def applied(self, keys: set[Any]) -> None:
        """The keys a changelog batch just set or dropped here."""

    async def on_rebalance(
        self, assigned: set[TP], revoked: set[TP], newly_assigned: set[TP], generation_id: int = 0
    ) -> None:
        topic = self.table.changelog_topic.get_topic_name()
        actives = self.app.assignor.assigned_actives()
        self._keep(
            {tp.partition for tp in assigned if tp.topic == topic},
            {tp.partition for tp in actives if tp.topic == topic},
        )

    async def on_recovery_completed(self, active_tps: set[TP], standby_tps: set[TP]) -> None:
        self._keep(
            {tp.partition for tp in active_tps | standby_tps}, {tp.partition for tp in active_tps}
        )

    def _keep(self, partitions: set[int], owned: set[int]) -> None:
        """Drop the keys, and the offset, of every partition not in ``partitions``."""
        gone = [k for k, p in self._key_partition.items() if p not in partitions]
        for key in gone:
            self.data.pop(key, None)
            self._key_partition.pop(key, None)
        for tp in [tp for tp in self.offsets if tp.partition not in partitions]:
            del self.offsets[tp]
        self.kept, self.owned = partitions, owned & partitions


class CompressedMemoryStore(OffsetMemoryStore):
    """The store table's: each state a changelog batch leaves here is compressed as it arrives
    (``compressed.compact``), so a recovered or standby copy of a store takes the memory of
    one its owner holds compressed, not its whole JSON."""

    def applied(self, keys: set[Any]) -> None:
        compact(self.data, keys)


def register() -> str:
    """Make ``cxmemory://`` name this store for Faust, and ``cxmemory-compressed://`` the
    store table's (``COMPRESSED_URL``); returns the first URL, every table's default."""
    faust.stores.STORES.aliases[SCHEME] = f"{__name__}:OffsetMemoryStore"
    faust.stores.STORES.aliases[COMPRESSED] = f"{__name__}:CompressedMemoryStore"
    return f"{SCHEME}://"
