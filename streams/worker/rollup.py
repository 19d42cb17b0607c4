"""The worker's two halves of the rollup alerts (``streams/core/rollup``).

``Sender`` runs in the store agent: the contributions of applied events go to the rollup
topic, each to its brand's partition (one partition holds a brand's whole hierarchy), and each
event partition tells every rollup partition how far it has got, once per step of event time
(a mark), or that it has nothing left to read (after ``IDLE_AFTER`` wall seconds of silence
with every topic read to its end). A batch's contributions and marks go as one message per
rollup partition (``flush``), in the order they came: a message per event cost more than the
rollups' own counting, and after a backlog, whose batches cross several steps of event time
each, a message per mark made most of the rollup messages (``bench.pipeline``). ``Runner``
runs in the rollup agent: it feeds the core and sends the alerts.
``handle_in_turns`` hands it a batch a message at a time, giving the event loop back every
``TURN_SECONDS``: the rollup agent shares the loop with the store agent, and a batch read after
a backlog judges many step boundaries at once (a third of a second measured in
``bench.pipeline``), during which no event would be handled.

Its state is saved to the ``rollup-state`` table at checkpoints, every ``CHECKPOINT_SECONDS``
of wall time. The messages counted since are acknowledged only then, so
after a crash the partition's new owner reads them again onto the state they are not in, and
counts each once. A checkpoint is cut into changelog messages of at most ``CHUNK`` bytes
(a state at 10,000 stores is a few MB; the broker takes 1 MB a message) and written to one of
two slots in turn; the slot's header goes last, so a crash mid-write leaves the previous
checkpoint whole. A judged step's rows of stores never change again, and at 10,000 stores they
are most of the state (``bench.rollup_checkpoint``: 2.25 of 3.0 MB), so each goes once to keys
of its own, which the checkpoint names; they are deleted once pruned, after a header that no
longer names them. The stores' labels (brand, region, city) change only when a store comes or
goes, so they too are written only when changed, to two slots of their own in turn. And an
entity's hour, once settled (``Rollups.settled_hours``), never changes again: at a week's
baselines those hours are most of an entity's state, so each hour's rows of every entity go
once to keys of their own, like a judged step's.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka.partitioner import DefaultPartitioner

from streams.core.rollup.config import RollupConfig
from streams.core.rollup.model import Contribution, Idle, Item, Mark, decode, encode, encode_items
from streams.core.rollup.state import Rollups
from streams.worker import tables

log = logging.getLogger("cxpulse.rollups")
IDLE_AFTER = 5.0  # wall seconds: a live partition's next event is rarely further apart
CHECKPOINT_SECONDS = 10.0
CHUNK = 512 * 1024
# The longest the rollup agent keeps the event loop before the store agent may run.
TURN_SECONDS = 0.02
BUNDLE_MAX = 1000  # items a message: ~100 B each, well under the broker's 1 MB


@dataclass
class Sender:
    topic: Any  # the rollup topic
    step: float
    partitions: int  # of the rollup topic
    newest: dict[int, float] = field(default_factory=dict)  # event partition -> newest time
    marked: dict[int, int] = field(default_factory=dict)  # event partition -> step marked
    said_idle: set[int] = field(default_factory=set)
    last_event: dict[int, float] = field(default_factory=dict)  # wall time
    unsent: int = 0  # items that could not be sent
    # rollup partition -> what it is to take, in order, not yet sent
    held: dict[int, list[Contribution | Mark]] = field(default_factory=dict)
    homes: dict[str, int] = field(default_factory=dict)  # brand -> its rollup partition

    def handled(
        self, partition: int, at: float, wall: float, contribution: Contribution | None
    ) -> None:
        """An event of ``partition`` at event time ``at`` went through the step. Never raises:
        a rollup that cannot be sent must not cost the store its event. The contribution, and
        the mark of a step entered, are held until ``flush``, in the order they came: a
        rollup partition judges lateness on that order."""
        if contribution is not None:
            self.held.setdefault(self.home(contribution.brand), []).append(contribution)
        self.last_event[partition] = wall
        self.said_idle.discard(partition)
        newest = max(self.newest.get(partition, at), at)
        self.newest[partition] = newest
        step = math.floor(newest / self.step)
        if self.marked.get(partition) != step:
            self.marked[partition] = step
            mark = Mark(partition, newest)
            for p in range(self.partitions):
                self.held.setdefault(p, []).append(mark)

    def home(self, brand: str) -> int:
        """The rollup partition of ``brand``: where the producer's partitioner (aiokafka's
        default, Kafka's murmur2) places the brand as a key, so a brand's messages go where
        they went when they were keyed by it. Kept: the hash is pure Python."""
        p = self.homes.get(brand)
        if p is None:
            every = list(range(self.partitions))
            p = self.homes[brand] = DefaultPartitioner()(brand.encode(), every, every)
        return p

    def check_idle(self, owned: Iterable[int], drained: Callable[[int], bool], wall: float) -> None:
        """Say so, once, of each owned partition with nothing left to read."""
        for p in owned:
            quiet = wall - self.last_event.get(p, -math.inf) >= IDLE_AFTER
            if p not in self.said_idle and quiet and drained(p):
                self._broadcast(Idle(p))
                self.said_idle.add(p)

    def flush(self) -> None:
        """Send what is held, one message per rollup partition (and per ``BUNDLE_MAX``).
        Called at the end of every batch, before its events are acknowledged, and before an
        idle partition is announced."""
        held, self.held = self.held, {}
        for p, items in sorted(held.items()):
            for i in range(0, len(items), BUNDLE_MAX):
                part = items[i : i + BUNDLE_MAX]
                try:
                    self.topic.send_soon(key=None, value=encode_items(part), partition=p)
                except Exception:
                    log.exception("%d rollup items to partition %s not sent", len(part), p)
                    self.unsent += len(part)

    def _broadcast(self, item: Item) -> None:
        self.flush()
        try:
            raw = encode(item)
            for i in range(self.partitions):
                self.topic.send_soon(key=None, value=raw, partition=i)
        except Exception:
            log.exception("rollup item %s not sent", item)
            self.unsent += 1


@dataclass
class Runner:
    cfg: RollupConfig
    sources: int  # event partitions: every one must pass a boundary
    table: Any  # faust.Table "rollup-state"
    alerts: Any  # the alerts topic
    clock: Callable[[], float] = time.time
    states: dict[int, Rollups] = field(default_factory=dict)  # rollup partition -> state
    applied: dict[int, int] = field(default_factory=dict)  # rollup partition -> last offset
    slots: dict[int, int] = field(default_factory=dict)  # the slot the next checkpoint takes
    # rollup partition -> the parts that never change again, each written once to keys of its
    # own ((kind, start) -> chunks): a judged step's store rows ("step") and a settled hour's
    # entity rows ("hour")
    once: dict[int, dict[tuple[str, str], int]] = field(default_factory=dict)
    # rollup partition -> the stores' labels as last written (raw), the slot they went to and
    # in how many chunks: they change only when a store comes or goes
    labels: dict[int, tuple[bytes, int, int]] = field(default_factory=dict)
    pending: list[Any] = field(default_factory=list)  # counted, not yet in a checkpoint
    dirty: set[int] = field(default_factory=set)
    saved_at: float = 0.0
    on_alert: Callable[[str, str], None] = lambda rule, status: None  # (rule, status)

    def handle(self, events: Iterable[Any]) -> list[Any]:
        """Count a batch of the rollup topic; returns the events that may be acknowledged."""
        done: list[Any] = []
        for ev in events:
            msg = ev.message
            p = msg.partition
            r = self.state(p)
            if msg.offset <= self.applied.get(p, -1):
                done.append(ev)  # in the checkpoint already: read again after a restart
                continue
            items = decode(msg.value)
            if items is None:
                log.warning("ignored a malformed rollup message at %s@%s", p, msg.offset)
            for item in items or ():
                r.take(item)
                for alert in r.advance():
                    self.alerts.send_soon(
                        key=alert.fingerprint.encode(), value=alert.model_dump_json().encode()
                    )
                    self.on_alert(alert.rule, alert.status)
            self.applied[p] = msg.offset
            self.pending.append(ev)
            self.dirty.add(p)
        if self.clock() - self.saved_at >= CHECKPOINT_SECONDS:
            done += self.checkpoint()
        return done

    def due(self) -> list[Any]:
        """The timer's checkpoint of a stream gone quiet: events that may be acknowledged."""
        if self.pending and self.clock() - self.saved_at >= CHECKPOINT_SECONDS:
            return self.checkpoint()
        return []

    def checkpoint(self) -> list[Any]:
        for p in sorted(self.dirty):
            self._save(p)
        self.dirty.clear()
        self.saved_at = self.clock()
        done, self.pending = self.pending, []
        return done

    def owned(self, partitions: set[int]) -> None:
        """The rollup partitions this worker holds now: forget the others (their events are
        read again by their new owner, onto its checkpoint). An empty assignment is the group
        settling, not a loss: kept."""
        if not partitions:
            return
        for p in [p for p in self.states if p not in partitions]:
            del self.states[p]
            self.applied.pop(p, None)
            self.once.pop(p, None)
            self.labels.pop(p, None)
            self.dirty.discard(p)
        self.pending = [ev for ev in self.pending if ev.message.partition in partitions]

    def state(self, p: int) -> Rollups:
        r = self.states.get(p)
        if r is None:
            r = self.states[p] = self._load(p)
        return r

    def _key(self, p: int, *rest: int | str) -> bytes:
        """The header ``rollup:p``; a state chunk ``rollup:p:slot:i``; a judged step's chunk
        ``rollup:p:step:start:i``; a chunk of the stores' labels ``rollup:p:where:slot:i``; of the
        entities' rows of a settled hour ``rollup:p:hour:start:i``."""
        return ":".join(map(str, ("rollup", p, *rest))).encode()

    def _write_chunks(self, p: int, raw: bytes, *at: int | str) -> int:
        """``raw`` cut into changelog messages of at most CHUNK bytes under ``_key(p, *at, i)``;
        how many."""
        chunks = [raw[i : i + CHUNK] for i in range(0, len(raw), CHUNK)] or [b""]
        for i, chunk in enumerate(chunks):
            tables.write(self.table, p, self._key(p, *at, i), chunk, chunk, "raw")
        return len(chunks)

    def _read_chunks(self, p: int, n: int, *at: int | str) -> bytes:
        return b"".join(self.table.data[self._key(p, *at, i)] for i in range(n))

    def _load(self, p: int) -> Rollups:
        head = self.table.data.get(self._key(p))
        if not head:
            return Rollups(self.cfg, self.sources)
        try:
            h = orjson.loads(head)
            state = orjson.loads(self._read_chunks(p, h["chunks"], h["slot"]))
            judged: dict[str, int] = state.pop("judged_steps", {})
            for start, n in judged.items():  # in their place: the steps keep their order
                state["stores"][start] = orjson.loads(self._read_chunks(p, n, "step", start))
            if "where_at" in state:
                slot, n = state.pop("where_at")
                where = self._read_chunks(p, n, "where", slot)
                state["where"] = orjson.loads(where)
                self.labels[p] = (where, slot, n)
            settled: dict[str, int] = state.pop("settled_hours", {})
            past: dict[str, list[list[int]]] = {}
            for hour, n in settled.items():  # oldest first, as the header names them
                rows = orjson.loads(self._read_chunks(p, n, "hour", hour))
                for key, row in rows.items():
                    past.setdefault(key, []).append([int(hour), *row])
            for e in state["entities"]:
                e["hours"] = past.get(_entity(e), []) + e["hours"]
            r = Rollups.from_json(state, self.cfg, self.sources)
            self.once[p] = {
                **{("step", start): n for start, n in judged.items()},
                **{("hour", hour): n for hour, n in settled.items()},
            }
        except Exception:
            # A lost checkpoint costs the rollups' memory, never the stream: start afresh.
            log.exception("rollup checkpoint of partition %s unreadable; starting afresh", p)
            return Rollups(self.cfg, self.sources)
        self.applied[p] = int(h["offset"])
        self.slots[p] = 1 - int(h["slot"])
        return r

    def _save_labels(self, p: int, where: bytes) -> tuple[bytes, int, int]:
        """The stores' labels (a tenth of a checkpoint at 10,000 stores), written only when
        they changed, to the slot the last header does not name: a crash before the next
        header leaves that checkpoint's labels whole. Returns (raw, slot, chunks), to be
        kept once the header names them."""
        last = self.labels.get(p)
        if last is not None and last[0] == where:
            return last
        slot = 1 - last[1] if last is not None else 0
        return where, slot, self._write_chunks(p, where, "where", slot)

    def _save_hours(
        self, p: int, before: int | None, entities: list[dict[str, Any]]
    ) -> dict[str, int]:
        """Take the settled hours (before ``before``) out of the entities' JSON; an hour's rows
        of every entity go once to keys of their own (at a week's baselines they are nearly
        all of an entity's state). Returns the settled hours held, oldest first, with their
        chunks."""
        if before is None:  # nothing judged yet: nothing settled
            return {}
        once = self.once.setdefault(p, {})
        held: set[int] = set()
        fresh: dict[int, dict[str, list[int]]] = {}
        for e in entities:
            key, kept = _entity(e), []
            for row in e["hours"]:
                if row[0] >= before:
                    kept.append(row)
                    continue
                held.add(row[0])
                if ("hour", str(row[0])) not in once:
                    fresh.setdefault(row[0], {})[key] = row[1:]
            e["hours"] = kept
        for hour, rows in fresh.items():
            self._write_once(p, "hour", str(hour), rows)
        return {str(h): once[("hour", str(h))] for h in sorted(held)}

    def _write_once(self, p: int, kind: str, start: str, rows: Any) -> int:
        """A part that never changes again, to keys of its own the first time; its chunks."""
        once = self.once.setdefault(p, {})
        n = once.get((kind, start))
        if n is None:
            n = once[(kind, start)] = self._write_chunks(p, orjson.dumps(rows), kind, start)
        return n

    def _save(self, p: int) -> None:
        r = self.states.get(p)
        if r is None:
            return
        state = r.to_json()
        stores: dict[str, Any] = state["stores"]
        judged = [s for s in stores if r.judged is not None and int(s) < r.judged]
        state["judged_steps"] = {s: self._write_once(p, "step", s, stores[s]) for s in judged}
        for start in judged:
            stores[start] = None  # kept in its place, read from its own keys
        state["settled_hours"] = self._save_hours(p, r.settled_hours(), state["entities"])
        labels = self._save_labels(p, orjson.dumps(state.pop("where")))
        state["where_at"] = labels[1:]
        slot = self.slots.get(p, 0)
        n = self._write_chunks(p, orjson.dumps(state), slot)
        head = orjson.dumps({"slot": slot, "chunks": n, "offset": self.applied[p]})
        tables.write(self.table, p, self._key(p), head, head, "raw")
        self.slots[p] = 1 - slot
        self.labels[p] = labels
        # Pruned parts: the header now names a checkpoint without them, so nothing reads them.
        named = {("step", s) for s in state["judged_steps"]}
        named |= {("hour", h) for h in state["settled_hours"]}
        once = self.once.get(p, {})
        for kind, start in [part for part in once if part not in named]:
            for i in range(once.pop((kind, start))):
                tables.delete(self.table, p, self._key(p, kind, start, i))


def _entity(e: dict[str, Any]) -> str:
    """An entity's key among a settled hour's rows: its level and identifying labels."""
    return "\x1f".join([e["level"], *e["labels"].values()])


async def handle_in_turns(
    runner: Runner,
    batch: Sequence[Any],
    ack: Callable[[Any], Awaitable[Any]],
    clock: Callable[[], float] = time.monotonic,
    spent: Callable[[float], None] | None = None,
) -> None:
    """Count a batch of the rollup topic a message at a time, acknowledging what may be, and
    let the loop's other tasks run whenever a turn has taken ``TURN_SECONDS``: a quick batch
    goes in one turn, a slow one never holds the store agent longer than a turn and a
    message. A message that fails is skipped alone: a bug here must not stop the rollups, nor
    the store agent beside them. ``spent`` is handed the thread's CPU time of each message."""
    turn = clock()
    for event in batch:
        started = time.thread_time()
        try:
            done = runner.handle((event,))
        except Exception:
            msg = event.message
            log.exception("rollup message at %s@%s failed; skipped", msg.partition, msg.offset)
            done = [event]
        if spent is not None:
            spent(time.thread_time() - started)
        for acked in done:
            await ack(acked)
        if clock() - turn >= TURN_SECONDS:
            await asyncio.sleep(0)
            turn = clock()
