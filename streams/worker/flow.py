"""Faust's flow control, made to empty its queues only when the flow actually resumes.

Faust suspends the flow into its stream and changelog queues at a rebalance and empties them
when it resumes, so nothing fetched under the old assignment is handled under the new one.
But its recovery resumes the flow twice: once to read the changelogs, and again when it is
done, after it has already let the event partitions go and sought them to their committed
offsets. Between the two the fetcher is free to deliver, and the second resume empties the
queues of what it delivered: events read from the committed offset on, which nothing reads
again, since the consumer's position has passed them. A restarted worker then sits idle
with its backlog unread until the next rebalance, and a standby copy misses changelog
messages while recording later ones. It depends on thread timing: on a busy machine about
one start in ten finds something to drop.

Messages of an older assignment need no emptying to be safe: Faust's stream skips any message
of an older consumer generation, and so does the worker (``app.Worker.handle_batch``). So a
resume while the flow is already running changes nothing here.
"""

from __future__ import annotations

from mode.utils.queues import FlowControlEvent


class FlowControl(FlowControlEvent):
    """Installed with ``app.flow_control = FlowControl()`` before any queue is made."""

    def resume(self) -> None:
        if self.is_active():
            return  # already flowing: what the queues hold was fetched for this assignment
        super().resume()
