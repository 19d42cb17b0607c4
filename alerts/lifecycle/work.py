"""One unit of engine work: the records it touched, written back in a safe order.

Everything a unit of work decided is written in one transaction (``AlertStore.commit``): the
notifications, the alerts (their versions checked), the audit trail and the groups. A crash
writes all or nothing; a decision made on an alert another replica changed meanwhile is refused
whole (``ConcurrentUpdate``), so it queues no page either. A notification's idempotency key is
recomputed the same when the decision is made again, and the outbox ignores a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from alerts.lifecycle import messages
from alerts.model import Action, Alert, Change, Group, OutboxItem
from alerts.notify.base import Notification
from alerts.ports import AlertStore


@dataclass
class Effects:
    """What a call changed: audit entries, newly queued notifications, and the alerts saved."""

    changes: list[Change] = field(default_factory=list)
    outbox: list[OutboxItem] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    def __iadd__(self, other: Effects) -> Effects:
        self.changes.extend(other.changes)
        self.outbox.extend(other.outbox)
        known = {a.fingerprint: i for i, a in enumerate(self.alerts)}
        for a in other.alerts:
            if a.fingerprint in known:
                self.alerts[known[a.fingerprint]] = a
            else:
                self.alerts.append(a)
        return self

    def actions(self, fingerprint: str | None = None) -> list[str]:
        """The audit actions in order (optionally for one alert): handy for tests and logs."""
        return [c.action for c in self.changes if fingerprint in (None, c.fingerprint)]


class Work:
    def __init__(self, store: AlertStore, now: datetime) -> None:
        self.store = store
        self.now = now
        self.alerts: dict[str, Alert] = {}
        self.changes: list[Change] = []
        self.outbox: list[OutboxItem] = []
        self._groups: dict[str, Group] = {}  # read (or made) so far, with unsaved changes
        self._queued: set[str] = set()
        self._dirty_groups: set[str] = set()

    # --- alerts ----------------------------------------------------------------------------
    def get(self, fingerprint: str) -> Alert | None:
        return self.alerts.get(fingerprint) or self.store.get(fingerprint)

    def touch(self, alert: Alert) -> None:
        alert.updated_at = self.now
        self.alerts[alert.fingerprint] = alert

    def change(self, alert: Alert, action: Action, actor: str, detail: str = "") -> None:
        self.touch(alert)
        self.changes.append(Change(alert.fingerprint, self.now, action, actor, detail))

    # --- groups ----------------------------------------------------------------------------
    def due_groups(self) -> list[Group]:
        """Groups due to flush now: the stored ones with this work's unsaved changes."""
        for g in self.store.due_groups(self.now):
            self._groups.setdefault(g.key, g)
        due = [g for g in self._groups.values() if g.next_flush_at and g.next_flush_at <= self.now]
        return sorted(due, key=lambda g: g.key)

    def group(self, key: str, receiver: str, labels: dict[str, str]) -> Group:
        found = self._groups.get(key) or self.store.group(key)
        return found if found is not None else Group(key, receiver, labels, next_flush_at=None)

    def put_group(self, group: Group) -> None:
        self._groups[group.key] = group
        self._dirty_groups.add(group.key)

    # --- outbox ----------------------------------------------------------------------------
    def enqueue(self, n: Notification) -> bool:
        """Queue with the commit; False when the key is already queued (nothing to do)."""
        if n.key in self._queued or self.store.queued([n.key]):
            return False
        self._queued.add(n.key)
        self.outbox.append(messages.outbox_item(n, self.now))
        return True

    def commit(self) -> Effects:
        alerts = list(self.alerts.values())
        groups = [self._groups[k] for k in sorted(self._dirty_groups)]
        new: set[str] = set()
        if alerts or self.changes or groups or self.outbox:
            new = self.store.commit(alerts, self.changes, groups, self.outbox)
        # Another replica may have queued the same key in between: only ours count as new.
        return Effects(list(self.changes), [i for i in self.outbox if i.key in new], alerts)
