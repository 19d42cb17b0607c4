"""Aggregation groups with Alertmanager's timers, decided without I/O.

- A new group waits ``group_wait`` before its first message, so a burst arrives as one message.
- After that the group runs on a fixed cadence of ``group_interval`` from its last message: a
  change (an alert newly firing, or resolved) is sent at the next tick of that cadence.
- A group that still fires and has not changed is sent again after ``repeat_interval``
  (rounded up to the cadence, as Alertmanager does).
- Resolved alerts are announced once, also when they were silenced (Alertmanager drops those),
  but not when they were only ever inhibited: the crisis that inhibited them was the page.

What a group last said is kept in ``Group.last_digest`` as one code per member fingerprint
(``fp=f;fp=s``): f = was in a sent message as firing, s = silenced and never paged,
i = inhibited and never paged, a = acknowledged before it was ever paged. The codes make
the decisions exact across restarts without keeping a member table.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from alerts.model import Alert, Group

Code = Literal["f", "s", "i", "a"]
_CODES: frozenset[str] = frozenset("fsia")
_ANNOUNCE_RESOLVED: frozenset[str] = frozenset("fsa")


def parse_codes(digest: str | None) -> dict[str, str]:
    if not digest:
        return {}
    out: dict[str, str] = {}
    for part in digest.split(";"):
        fp, _, code = part.partition("=")
        if fp and code in _CODES:  # anything else is an old or foreign digest: forget it
            out[fp] = code
    return out


def format_codes(codes: Mapping[str, str]) -> str | None:
    return ";".join(f"{fp}={codes[fp]}" for fp in sorted(codes)) or None


def next_tick(group: Group, now: datetime, group_wait: float, group_interval: float) -> datetime:
    """When a change at ``now`` is to be sent: group_wait for a new group, else the next tick
    of its group_interval cadence (never ``now`` itself: that tick has already flushed)."""
    if group.last_flush_at is None:
        return now + timedelta(seconds=group_wait)
    elapsed = (now - group.last_flush_at).total_seconds()
    k = max(1, math.ceil(elapsed / group_interval))
    return group.last_flush_at + timedelta(seconds=k * group_interval)


def schedule(group: Group, now: datetime, group_wait: float, group_interval: float) -> Group:
    """The group with a flush due for a change at ``now``; an earlier pending flush stands."""
    due = next_tick(group, now, group_wait, group_interval)
    if group.next_flush_at is not None and group.next_flush_at <= due:
        return group
    return replace(group, next_flush_at=due)


def forget(group: Group, fingerprint: str) -> Group:
    """Make the group treat ``fingerprint`` as never paged (ack expired, unmuted, new episode)."""
    codes = parse_codes(group.last_digest)
    if codes.pop(fingerprint, None) is None:
        return group
    return replace(group, last_digest=format_codes(codes))


def muted(a: Alert) -> bool:
    return a.silenced_by is not None or a.inhibited_by is not None


@dataclass(frozen=True)
class Flush:
    send: bool
    firing: tuple[Alert, ...]  # in the message: open, not muted (acknowledged ones included)
    resolved: tuple[Alert, ...]  # in the message: announced once
    newly_paged: tuple[Alert, ...]  # firing, unacknowledged, not in the last message
    group: Group  # the group after this flush

    @property
    def digest(self) -> str:
        """What the message says, for its idempotency key."""
        said = sorted(
            [f"{a.fingerprint}:firing" for a in self.firing]
            + [f"{a.fingerprint}:resolved" for a in self.resolved]
        )
        return hashlib.sha256("\n".join(said).encode()).hexdigest()[:12]


_RANK = {"critical": 0, "warning": 1, "info": 2}


def _order(alerts: Sequence[Alert]) -> tuple[Alert, ...]:
    return tuple(sorted(alerts, key=lambda a: (_RANK[a.severity], a.starts_at, a.fingerprint)))


def plan(
    group: Group,
    members: Sequence[Alert],
    departed: Mapping[str, Alert | None],
    due: datetime,
    group_interval: float,
    repeat_interval: float,
) -> Flush:
    """Decide one flush. ``members`` are the open alerts routed to the group now; ``departed``
    are the alerts the codes remember that are no longer members (None: gone from the store)."""
    codes = parse_codes(group.last_digest)
    loud = [a for a in members if not muted(a)]
    newly = [a for a in loud if a.state == "firing" and codes.get(a.fingerprint) != "f"]
    resolved = [
        a
        for fp, a in departed.items()
        if a is not None and a.state == "resolved" and codes.get(fp) in _ANNOUNCE_RESOLVED
    ]
    repeat = (
        group.last_flush_at is not None
        and due >= group.last_flush_at + timedelta(seconds=repeat_interval)
        and any(a.state == "firing" and codes.get(a.fingerprint) == "f" for a in loud)
    )
    send = bool(newly or resolved or repeat)

    new_codes: dict[str, str] = {}
    for a in members:
        old = codes.get(a.fingerprint)
        if old == "f" or (send and not muted(a)):
            new_codes[a.fingerprint] = "f"
        elif a.silenced_by is not None:
            new_codes[a.fingerprint] = "s"
        elif a.inhibited_by is not None:
            new_codes[a.fingerprint] = "i"
        else:
            new_codes[a.fingerprint] = "a"  # loud but not sent: acknowledged, never paged

    if not members:
        # Everything is over: the next alert here starts a new group (with group_wait).
        after = replace(group, next_flush_at=None, last_flush_at=None, last_digest=None)
    else:
        anchor = due if send or group.last_flush_at is None else group.last_flush_at
        fires = any(a.state == "firing" and new_codes[a.fingerprint] == "f" for a in loud)
        # The repeat check lands on the cadence, like Alertmanager's.
        k = math.ceil(repeat_interval / group_interval)
        after = replace(
            group,
            last_flush_at=anchor,
            last_digest=format_codes(new_codes),
            next_flush_at=anchor + timedelta(seconds=k * group_interval) if fires else None,
        )
    return Flush(send, _order(loud) if send else (), _order(resolved), _order(newly), after)
