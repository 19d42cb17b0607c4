"""``AlertStore`` in memory: for the pure-core tests and the replay path (no database).

It copies records in and out, as a database would, so a caller that keeps mutating an alert
after saving it cannot change what is stored behind the engine's back.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime

from alerts.lifecycle.silences import is_active
from alerts.model import (
    OPEN_TABS,
    SEVERITY_RANK,
    Alert,
    AlertQuery,
    AlertState,
    Change,
    Group,
    OutboxItem,
    Silence,
    Tab,
    due_at,
    matches,
    tab_of,
)
from alerts.ports import ConcurrentUpdate


def _alert(a: Alert) -> Alert:
    # The only mutable parts are the two dicts. deepcopy (and dataclasses.replace) are ten times
    # slower, and a tick copies every open alert.
    c = copy.copy(a)
    c.labels, c.values = dict(a.labels), dict(a.values)
    return c


def _group(g: Group) -> Group:
    c = copy.copy(g)
    c.labels = dict(g.labels)
    return c


class MemoryStore:
    def __init__(self) -> None:
        self._alerts: dict[str, Alert] = {}
        # (label, value) -> fingerprints: `find` by store is what inhibition asks on every event.
        self._by_label: dict[tuple[str, str], set[str]] = {}
        self._changes: dict[str, list[Change]] = {}
        self._silences: dict[str, Silence] = {}
        self._groups: dict[str, Group] = {}
        self._outbox: dict[str, OutboxItem] = {}  # insertion order = enqueue order

    # --- alerts and their audit trail -------------------------------------------------------
    def get(self, fingerprint: str) -> Alert | None:
        a = self._alerts.get(fingerprint)
        return _alert(a) if a is not None else None

    def save(self, alerts: Sequence[Alert], changes: Sequence[Change]) -> None:
        self.commit(alerts, changes, (), ())

    def commit(
        self,
        alerts: Sequence[Alert],
        changes: Sequence[Change],
        groups: Sequence[Group],
        outbox: Sequence[OutboxItem],
    ) -> set[str]:
        by_fp = {a.fingerprint: a for a in alerts}
        for a in by_fp.values():  # checked before anything is written: all or nothing
            old = self._alerts.get(a.fingerprint)
            if a.version and (old is None or old.version != a.version):
                raise ConcurrentUpdate(a.fingerprint)
        new = {i.key for i in outbox if i.key not in self._outbox}
        self.enqueue(outbox)
        self.save_groups(groups)
        for a in by_fp.values():
            old = self._alerts.get(a.fingerprint)
            a.version = (old.version if old is not None else 0) + 1
            self._alerts[a.fingerprint] = _alert(a)
            for item in a.labels.items():
                self._by_label.setdefault(item, set()).add(a.fingerprint)
        for c in changes:
            self._changes.setdefault(c.fingerprint, []).append(c)
        return new

    def find(
        self,
        *,
        states: Sequence[AlertState] | None = None,
        labels: Mapping[str, str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Alert]:
        wanted = list((labels or {}).items())
        if wanted:
            fps = set.intersection(*(self._by_label.get(item, set()) for item in wanted))
            pool = [self._alerts[fp] for fp in fps]
        else:
            pool = list(self._alerts.values())
        hits = [
            a
            for a in pool
            if (states is None or a.state in states)
            and all(a.labels.get(k) == v for k, v in wanted)  # labels may change on re-save
        ]
        hits.sort(key=lambda a: (a.last_seen, a.fingerprint), reverse=True)
        return [_alert(a) for a in hits[offset : offset + limit]]

    def search(self, q: AlertQuery) -> list[Alert]:
        hits = [a for a in self._alerts.values() if matches(q, a)]
        hits.sort(key=lambda a: (a.last_seen, a.fingerprint), reverse=True)
        if q.tab != "resolved":  # as SqlStore: the most severe first, then newest
            hits.sort(key=lambda a: SEVERITY_RANK.get(a.severity, len(SEVERITY_RANK)))
        if q.tab != "resolved":  # as SqlStore: the most severe first, then newest
            hits.sort(key=lambda a: SEVERITY_RANK.get(a.severity, len(SEVERITY_RANK)))
        return [_alert(a) for a in hits[q.offset : q.offset + q.limit]]

    def tab_counts(self, q: AlertQuery) -> dict[Tab, int]:
        counts: dict[Tab, int] = dict.fromkeys(OPEN_TABS, 0)
        for a in self._alerts.values():
            if a.state != "resolved" and matches(q, a, tab=False):
                counts[tab_of(a)] += 1
        return counts

    def outbox_items(self, keys: Sequence[str]) -> list[OutboxItem]:
        return [copy.copy(self._outbox[k]) for k in keys if k in self._outbox]

    def open_alerts(self) -> list[Alert]:
        return [_alert(a) for a in self._alerts.values() if a.state != "resolved"]

    def due_alerts(self, now: datetime) -> list[Alert]:
        due = [(t, a) for a in self._alerts.values() if (t := due_at(a)) is not None and t <= now]
        return [_alert(a) for _, a in sorted(due, key=lambda p: p[0])]

    def count_open(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for a in self._alerts.values():
            if a.state != "resolved":
                counts[(a.state, a.severity)] = counts.get((a.state, a.severity), 0) + 1
        return counts

    def history(self, fingerprint: str) -> list[Change]:
        return list(self._changes.get(fingerprint, []))

    # --- silences -----------------------------------------------------------------------------
    def silences(self, active_at: datetime | None = None) -> list[Silence]:
        return [
            copy.copy(s)
            for s in self._silences.values()
            if active_at is None or is_active(s, active_at)
        ]

    def save_silence(self, silence: Silence) -> None:
        self._silences[silence.id] = copy.copy(silence)

    # --- aggregation groups -----------------------------------------------------------------
    def groups(self) -> list[Group]:
        return [_group(g) for g in self._groups.values()]

    def group(self, key: str) -> Group | None:
        g = self._groups.get(key)
        return _group(g) if g is not None else None

    def due_groups(self, now: datetime) -> list[Group]:
        due = [g for g in self._groups.values() if g.next_flush_at and g.next_flush_at <= now]
        return [_group(g) for g in sorted(due, key=lambda g: g.key)]

    def save_groups(self, groups: Sequence[Group]) -> None:
        for g in groups:
            self._groups[g.key] = _group(g)

    # --- outbox -------------------------------------------------------------------------------
    def enqueue(self, items: Sequence[OutboxItem]) -> int:
        new = 0
        for item in items:
            if item.key not in self._outbox:
                self._outbox[item.key] = copy.copy(item)
                new += 1
        return new

    def due(
        self, now: datetime, limit: int = 100, *, receiver: str | None = None
    ) -> list[OutboxItem]:
        ready = [
            i
            for i in self._outbox.values()
            if i.state == "pending" and i.due_at <= now and receiver in (None, i.receiver)
        ]
        ready.sort(key=lambda i: (i.due_at, i.created_at))
        return [copy.copy(i) for i in ready[:limit]]

    def claim(
        self, receiver: str, owner: str, now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        mine = [i for i in self._outbox.values() if i.receiver == receiver and i.state == "pending"]

        def free(i: OutboxItem) -> bool:
            return i.lease_until is None or i.lease_until <= now or i.lease_owner == owner

        if not all(free(i) for i in mine):
            return []
        due = sorted((i for i in mine if i.due_at <= now), key=lambda i: (i.due_at, i.created_at))
        for i in due[:limit]:
            i.lease_owner, i.lease_until = owner, until
        return [copy.copy(i) for i in due[:limit]]

    def renew(self, keys: Sequence[str], owner: str, until: datetime) -> set[str]:
        held = set()
        for k in keys:
            i = self._outbox.get(k)
            if i is not None and i.lease_owner == owner and i.state == "pending":
                i.lease_until = until
                held.add(k)
        return held

    def mark_sent(self, key: str, at: datetime) -> None:
        item = self._outbox[key]
        item.state, item.sent_at, item.attempts = "sent", at, item.attempts + 1
        item.lease_owner = item.lease_until = None

    def mark_failed(self, key: str, error: str, retry_at: datetime | None) -> None:
        item = self._outbox[key]
        item.lease_owner = item.lease_until = None
        item.attempts += 1
        item.last_error = error
        if retry_at is None:
            item.state = "failed"
        else:
            item.due_at = retry_at

    def queued(self, keys: Sequence[str]) -> set[str]:
        return {k for k in keys if k in self._outbox}

    def outbox(self, *, receiver: str | None = None, limit: int = 100) -> list[OutboxItem]:
        items = [i for i in self._outbox.values() if receiver in (None, i.receiver)]
        return [copy.copy(i) for i in reversed(items)][:limit]

    def sent_since(self, receiver: str, since: datetime, limit: int) -> list[datetime]:
        sent = sorted(
            i.sent_at
            for i in self._outbox.values()
            if i.receiver == receiver and i.sent_at is not None and i.sent_at > since
        )
        return sent[-limit:] if limit > 0 else []
