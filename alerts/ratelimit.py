"""Per-robot rate limits, and folding the overflow into one digest instead of dropping it.

The Chinese IM robots take about 20 messages a minute and then throttle the robot for minutes
(DingTalk: 10). During an incident that limit is hit exactly when the messages matter most, so
nothing is dropped: the outbox sends what the window allows, holds the rest back (they stay
pending in the outbox, so a restart loses nothing), and when a slot frees sends everything held
back as one digest (``Notification.folded`` = how many messages it stands for).

Pure and clock-driven: the caller passes ``now``; nothing here sleeps or reads the time.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from alerts.notify.base import AlertView, Notification

WINDOW = timedelta(minutes=1)


class SlidingWindow:
    """At most ``limit`` sends in any ``window``: a send takes a slot that frees ``window``
    after it (a sliding log, not fixed minute buckets, which would allow 2x at a boundary)."""

    def __init__(self, limit: int, window: timedelta = WINDOW) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self._sent: deque[datetime] = deque()

    def _expire(self, now: datetime) -> None:
        while self._sent and self._sent[0] + self.window <= now:
            self._sent.popleft()

    def room(self, now: datetime) -> int:
        """Sends allowed right now."""
        self._expire(now)
        return self.limit - len(self._sent)

    def record(self, at: datetime) -> None:
        self._sent.append(at)

    def seed(self, sends: Iterable[datetime]) -> None:
        """Sends made before a restart (from the delivery log), so a restart cannot burst."""
        for at in sorted(sends):
            self.record(at)

    def reset(self, sends: Iterable[datetime]) -> None:
        """Forget what was recorded and take ``sends`` (the delivery log) instead."""
        self._sent.clear()
        self.seed(sends)

    def next_free(self, now: datetime) -> datetime:
        """When the next send is allowed (``now`` if there is room)."""
        self._expire(now)
        if len(self._sent) < self.limit:
            return now
        return self._sent[len(self._sent) - self.limit] + self.window


def _merge_alerts(notifications: Sequence[Notification]) -> tuple[AlertView, ...]:
    # The latest word on each alert wins (a firing then resolved alert shows as resolved), in
    # order of first appearance so the digest reads like the messages it replaces.
    latest: dict[str, AlertView] = {}
    for n in notifications:
        for a in n.alerts:
            latest.pop(a.fingerprint, None)
            latest[a.fingerprint] = a
    return tuple(latest.values())


def _common(maps: Sequence[dict[str, str]]) -> dict[str, str]:
    first, *rest = maps
    return {k: v for k, v in first.items() if all(m.get(k) == v for m in rest)}


def digest_key(keys: Iterable[str]) -> str:
    """Stable for the same held-back set, so a retried digest carries the same key."""
    return "digest:" + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:24]


def fold(notifications: Sequence[Notification]) -> Notification:
    """One message standing for ``notifications`` (oldest first, one receiver). A single one
    is returned unchanged: folding one message into a "digest of one" only adds noise."""
    if not notifications:
        raise ValueError("nothing to fold")
    if len(notifications) == 1:
        return notifications[0]
    last = notifications[-1]
    alerts = _merge_alerts(notifications)
    groups = {n.group_key for n in notifications}
    one_group = len(groups) == 1
    mention: dict[str, None] = {}
    for n in notifications:
        mention.update(dict.fromkeys(n.mention))
    return replace(
        last,
        key=digest_key(n.key for n in notifications),
        group_key=last.group_key if one_group else "digest",
        group_labels=_common([n.group_labels for n in notifications]),
        status="firing" if any(a.status == "firing" for a in alerts) else "resolved",
        alerts=alerts,
        # An ack link acknowledges one group; across groups it would be a lie.
        ack_url=last.ack_url if one_group else None,
        dashboard_url=last.dashboard_url if one_group else None,
        escalation_step=max(n.escalation_step for n in notifications),
        folded=sum(max(n.folded, 1) for n in notifications),
        mention=tuple(mention),
    )
