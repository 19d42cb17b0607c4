"""Which offset the worker may commit: Faust's rule, made safe against a gap it records wrongly.

Faust (0.15.3) commits, per partition, one past the first run of consecutive *done* offsets,
where done means acknowledged by the agent, or inside a recorded *gap*: offsets the fetcher
never delivered (compacted or transactional topics skip offsets). A gap is recorded when the
next delivered offset is more than one past the partition's *read offset*.

After a restart with a backlog that bookkeeping goes wrong. When table recovery completes,
Faust resumes the event partitions and only then seeks them to their committed offsets; the
seek awaits one committed-offset request per partition, and meanwhile the fetcher already
delivers messages from the committed offset on. When the seek returns it sets the read offset
back to the committed one, so the next delivered message looks like a jump and every message
delivered during the seek is recorded as a gap as well. Faust then appends the gap to the
acknowledged offsets, which already hold those same offsets: each appears twice, the run of
consecutive offsets ends at the first repeat, and every commit advances by one or two offsets.
So after a crash the worker processes its whole backlog while the committed offsets creep
(a lag of tens of thousands for many minutes), and a second crash re-reads all of it. A first
start has no committed offset and no read offset to set back, so it never shows this. Whether
a restart does depends on thread timing (about half of them on this project's machine).

``advance`` counts each offset once, and fills a gap only up to the newest acknowledged offset:
a wrongly recorded gap may also cover messages still waiting in the agent's buffer, and those
must not be committed before they are processed (acknowledgements of one partition arrive in
offset order: one agent, concurrency 1).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping
from typing import Any

from aiokafka.errors import IllegalStateError
from faust.transport.drivers import aiokafka as driver
from faust.types import TP
from faust.utils.functional import consecutive_numbers
from intervaltree import IntervalTree

from streams.worker.fetch import FetchThread

log = logging.getLogger("cxpulse.worker.offsets")
# Seconds offsets may stay missing at the head of a partition, with later ones handled and
# none of them held for order, before the partition is read again from its committed offset.
# An event in flight is handled within a batch (well under a second); one held for order is
# ``held`` and never counts here.
REREAD_AFTER = 60.0


def advance(
    acked: list[int], gap: IntervalTree, committed: int | None, held: int | None = None
) -> list[int]:
    """The run of done offsets that may be committed now (empty: nothing new).

    Takes the run out of ``acked`` and the filled part out of ``gap`` (both kept in place, as
    Faust holds them); the offset to commit is one past the run's last. ``held``: the lowest
    offset delivered but not handled yet (held for event-time order). The run stops before
    it, whatever the head rule below allows: the merge hands events on in event-time order,
    so offsets after a held one are acknowledged first, and a first start has no committed
    offset to check the head against.
    """
    if held is not None:
        later = [o for o in acked if o >= held]
        acked[:] = [o for o in acked if o < held]
        before = advance(acked, gap, committed) if acked else []
        acked.extend(later)
        return before
    if not acked:
        return []
    newest = max(acked)
    done = set(acked)
    for interval in gap.overlap(0, newest):
        done.update(range(interval.begin, min(interval.end, newest)))
    gap.chop(0, newest + 1)
    ordered = sorted(done)
    # Faust's read offset after a seek is the committed offset itself (the next one to read),
    # so a hole right at the committed offset is never recorded as a gap; one missing offset
    # at the head is taken for such a hole, as Faust does. More than one: wait for them.
    if committed and ordered[0] - committed > 1:
        acked[:] = ordered
        return []
    run = next(consecutive_numbers(ordered))
    acked[:] = ordered[len(run) :]
    return list(run)


def missing_head(
    acked: list[int], gap: IntervalTree, committed: int | None, held: int | None
) -> bool:
    """True when the commit is held back by offsets nobody will hand on: missing at the head,
    later ones done, and not explained by an event held for order.

    Seen once in a takeover run, cause not pinned: a partition's commit stopped for good
    behind offsets its survivor never handled (it had left events of an older consumer
    generation unhandled, trusting the rebalance's seek to read them again), so every restart
    would re-read the whole tail. (After restarts the same look came from offsets committed
    during the seek and then set back: ``newest_committed``.) Whatever leaves such a hole,
    reading the partition again from the committed offset hands the missing events on; the
    ones after them come again too and are counted as duplicates (event ids), not applied
    twice.
    """
    if committed is None or not (acked or gap):
        return False
    first = min([*acked, *(i.begin for i in gap)])
    if first - committed <= 1:  # nothing, or Faust's one-offset hole (see ``advance``)
        return False
    return held is None or held >= first


class HeadWatch:
    """Since when each partition's head has been missing; which ones are due a re-read."""

    def __init__(self, after: float = REREAD_AFTER) -> None:
        self.after = after
        self.since: dict[TP, float] = {}

    def due(self, tp: TP, missing: bool, now: float) -> bool:
        """Whether ``tp`` has now been missing its head for ``after`` seconds (then forgotten:
        after the re-read it must go missing for as long again)."""
        if not missing:
            self.since.pop(tp, None)
            return False
        if now - self.since.setdefault(tp, now) < self.after:
            return False
        del self.since[tp]
        return True


def newest_committed(fetched: Mapping[TP, int], ours: Mapping[TP, int | None]) -> dict[TP, int]:
    """The committed offsets a seek to them should set: what the broker answered, unless this
    consumer committed further while the answer was on its way.

    After table recovery Faust resumes the event partitions, then seeks them to their
    committed offsets, and the fetcher delivers from the committed offset meanwhile: events
    are handled and acknowledged, and Faust's commit timer commits them, during the seek.
    When the broker's (older) answer arrives, Faust sets its committed offsets back to it.
    The commit rule then sees the offsets it has just committed as missing at the head and
    commits nothing more for that partition until it is read again (``REREAD_AFTER``): seen
    after about one restart on a backlog in ten here. The broker never moves a committed
    offset back, so the later of the two is the true one."""
    out = dict(fetched)
    for tp, offset in fetched.items():
        mine = ours.get(tp)
        if mine is not None and (not offset or mine > offset):  # 0 or None: never committed
            out[tp] = mine
    return out


def never_committed(committed: Mapping[TP, int | None], changelogs: Collection[str]) -> list[TP]:
    """The event partitions a seek to the committed offset leaves where they are.

    aiokafka's ``seek_to_committed`` seeks only partitions with a committed offset above 0. A
    partition this worker kept through a rebalance, with nothing committed yet, then stays at
    its read position, past the messages fetched under the old assignment and dropped at the
    rebalance (Faust empties its queues and skips messages of an older generation): nothing
    reads them again. They go back to the start, where the group's reset policy ("earliest")
    began them. Changelog partitions are not the consumer group's: recovery places them.
    """
    return [tp for tp, offset in committed.items() if not offset and tp.topic not in changelogs]


class Consumer(driver.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._heads = HeadWatch()
        self._reread: set[TP] = set()  # partitions to read again after the next commit

    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return FetchThread(self, loop=self.loop, beacon=self.beacon)

    async def seek_to_committed(self) -> Mapping[TP, int]:
        fetched = await super().seek_to_committed()
        committed = newest_committed(fetched, self._committed_offset)
        kept = {tp: o for tp, o in committed.items() if o != fetched.get(tp)}
        if kept:  # committed during the seek: the broker's answer was older
            log.info("offsets committed during the seek kept: %s", kept)
        unset = never_committed(committed, self.app.tables.changelog_topics)
        if unset:
            try:
                await self._thread.seek_to_beginning(*unset)
            except IllegalStateError:  # assigned away meanwhile: the next recovery seeks again
                log.info("partitions moved during the seek: %s", unset)
        return committed

    def _new_offset(self, tp: TP) -> int | None:
        lowest = getattr(self.app, "lowest_held", None)  # set by streams.worker.main
        held = lowest(tp.topic, tp.partition) if lowest is not None else None
        acked, gap, committed = self._acked[tp], self._gap[tp], self._committed_offset[tp]
        run = advance(acked, gap, committed, held)
        missing = not run and missing_head(acked, gap, committed, held)
        if self._heads.due(tp, missing, time.monotonic()):
            self._reread.add(tp)
        if not run:
            return None
        self._acked_index[tp].difference_update(run)
        return run[-1] + 1

    async def commit(self, *args: Any, **kwargs: Any) -> bool:
        done: bool = await super().commit(*args, **kwargs)
        while self._reread:
            tp = self._reread.pop()
            committed = self._committed_offset.get(tp)
            if committed is None or tp not in self.assignment():
                continue
            log.warning(
                "%s[%s]: offsets from %s were never handed on; reading them again",
                tp.topic,
                tp.partition,
                committed,
            )
            metric = getattr(self.app, "on_reread", None)  # set by streams.worker.main
            if metric is not None:
                metric(tp.topic, tp.partition)
            await self.seek(tp, committed)
        return done
