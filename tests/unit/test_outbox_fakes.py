"""In-test stand-ins shared by the outbox and API tests (no tests here): a dict-backed
``AlertStore`` with the SQL store's outbox semantics, receivers that record or fail on command,
a settable clock, and a JSON codec for notifications."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from alerts.model import Alert, AlertState, Change, Group, OutboxItem, Silence, due_at
from alerts.notify.base import AlertView, DeliveryError, Notification
from alerts.ports import AlertStore, ConcurrentUpdate
from schemas.alerts import Summary
from tests.helpers import T0


class FakeStore:
    """Thread-safe (the dispatcher and the API call it from worker threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.alerts: dict[str, Alert] = {}
        self.changes: list[Change] = []
        self.silence_list: dict[str, Silence] = {}
        self.items: dict[str, OutboxItem] = {}
        self.writes = 0  # every mutating call: "nothing changed" is checkable

    def get(self, fingerprint: str) -> Alert | None:
        with self.lock:
            a = self.alerts.get(fingerprint)
            return replace(a) if a else None

    def commit(
        self,
        alerts: Sequence[Alert],
        changes: Sequence[Change],
        groups: Sequence[Group],
        outbox: Sequence[OutboxItem],
    ) -> set[str]:
        with self.lock:
            new = {i.key for i in outbox if i.key not in self.items}
        self.save(alerts, changes)  # checks the versions before anything is written
        self.enqueue(outbox)
        self.save_groups(groups)
        return new

    def queued(self, keys: Sequence[str]) -> set[str]:
        with self.lock:
            return {k for k in keys if k in self.items}

    def save(self, alerts: Sequence[Alert], changes: Sequence[Change]) -> None:
        with self.lock:
            self.writes += 1
            for a in alerts:
                old = self.alerts.get(a.fingerprint)
                if a.version and (old is None or old.version != a.version):
                    raise ConcurrentUpdate(a.fingerprint)
            for a in alerts:
                old = self.alerts.get(a.fingerprint)
                a.version = (old.version if old else 0) + 1
                self.alerts[a.fingerprint] = replace(a)
            self.changes.extend(changes)

    def find(
        self,
        *,
        states: Sequence[AlertState] | None = None,
        labels: Mapping[str, str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Alert]:
        with self.lock:
            found = [
                a
                for a in self.alerts.values()
                if (states is None or a.state in states)
                and all(a.labels.get(k) == v for k, v in (labels or {}).items())
            ]
        found.sort(key=lambda a: a.last_seen, reverse=True)
        return found[offset : offset + limit]

    def open_alerts(self) -> list[Alert]:
        return [replace(a) for a in self.alerts.values() if a.state != "resolved"]

    def due_alerts(self, now: datetime) -> list[Alert]:
        return [
            replace(a) for a in self.alerts.values() if (t := due_at(a)) is not None and t <= now
        ]

    def count_open(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for a in self.open_alerts():
            counts[(a.state, a.severity)] = counts.get((a.state, a.severity), 0) + 1
        return counts

    def history(self, fingerprint: str) -> list[Change]:
        return [c for c in self.changes if c.fingerprint == fingerprint]

    def silences(self, active_at: datetime | None = None) -> list[Silence]:
        with self.lock:
            all_ = list(self.silence_list.values())
        if active_at is None:
            return all_
        return [
            s
            for s in all_
            if s.starts_at <= active_at < s.ends_at
            and (s.expired_at is None or s.expired_at > active_at)
        ]

    def save_silence(self, silence: Silence) -> None:
        with self.lock:
            self.writes += 1
            self.silence_list[silence.id] = silence

    def groups(self) -> list[Group]:
        return []

    def group(self, key: str) -> Group | None:
        return None

    def due_groups(self, now: datetime) -> list[Group]:
        return []

    def save_groups(self, groups: Sequence[Group]) -> None:
        self.writes += 1

    def enqueue(self, items: Sequence[OutboxItem]) -> int:
        with self.lock:
            self.writes += 1
            new = 0
            for i in items:
                if i.key not in self.items:
                    self.items[i.key] = replace(i)
                    new += 1
            return new

    def due(
        self, now: datetime, limit: int = 100, *, receiver: str | None = None
    ) -> list[OutboxItem]:
        with self.lock:
            found = [
                replace(i)
                for i in self.items.values()
                if i.state == "pending" and i.due_at <= now and receiver in (None, i.receiver)
            ]
        return sorted(found, key=lambda i: i.created_at)[:limit]

    def claim(
        self, receiver: str, owner: str, now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        with self.lock:
            mine = [
                i for i in self.items.values() if i.receiver == receiver and i.state == "pending"
            ]
            if any(i.lease_until and i.lease_until > now and i.lease_owner != owner for i in mine):
                return []
            due = sorted((i for i in mine if i.due_at <= now), key=lambda i: i.created_at)[:limit]
            for i in due:
                self.items[i.key] = replace(i, lease_owner=owner, lease_until=until)
            return [replace(self.items[i.key]) for i in due]

    def renew(self, keys: Sequence[str], owner: str, until: datetime) -> set[str]:
        with self.lock:
            held = {
                k
                for k in keys
                if k in self.items
                and self.items[k].lease_owner == owner
                and self.items[k].state == "pending"
            }
            for k in held:
                self.items[k] = replace(self.items[k], lease_until=until)
            return held

    def mark_sent(self, key: str, at: datetime) -> None:
        with self.lock:
            i = self.items[key]
            if i.state != "sent":
                self.items[key] = replace(
                    i,
                    state="sent",
                    sent_at=at,
                    attempts=i.attempts + 1,
                    last_error=None,
                    lease_owner=None,
                    lease_until=None,
                )

    def mark_failed(self, key: str, error: str, retry_at: datetime | None) -> None:
        with self.lock:
            i = self.items[key]
            if i.state == "sent":
                return
            i = replace(
                i, attempts=i.attempts + 1, last_error=error, lease_owner=None, lease_until=None
            )
            i = replace(i, state="failed") if retry_at is None else replace(i, due_at=retry_at)
            self.items[key] = i

    def outbox(self, *, receiver: str | None = None, limit: int = 100) -> list[OutboxItem]:
        with self.lock:
            found = [i for i in self.items.values() if receiver in (None, i.receiver)]
        return sorted(found, key=lambda i: i.created_at, reverse=True)[:limit]

    def sent_since(self, receiver: str, since: datetime, limit: int) -> list[datetime]:
        with self.lock:
            sent = sorted(
                i.sent_at
                for i in self.items.values()
                if i.receiver == receiver and i.sent_at is not None and i.sent_at > since
            )
        return sent[-limit:] if limit > 0 else []


def _conforms(store: FakeStore) -> AlertStore:
    return store  # mypy checks the fake against the protocol


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


# --- notifications as JSON (the lifecycle's payload codec stands in here) -----------------


def _plain(v: Any) -> Any:
    return v.model_dump() if isinstance(v, Summary) else v.isoformat()


def encode(n: Notification) -> str:
    return json.dumps(asdict(n), default=_plain, ensure_ascii=False)


def decode(text: str) -> Notification:
    d: dict[str, Any] = json.loads(text)
    alerts = tuple(
        AlertView(
            **{
                **a,
                "summary": Summary(**a["summary"]),
                "starts_at": datetime.fromisoformat(a["starts_at"]),
                "ends_at": datetime.fromisoformat(a["ends_at"]) if a["ends_at"] else None,
            }
        )
        for a in d.pop("alerts")
    )
    return Notification(**{**d, "alerts": alerts, "mention": tuple(d["mention"])})


def view(i: int, store: str = "S001", status: str = "firing") -> AlertView:
    return AlertView(
        fingerprint=f"fp{i:04d}",
        rule="csat_low",
        kind="satisfaction",
        severity="warning",
        status=status,  # type: ignore[arg-type]
        labels={"store_id": store},
        summary=Summary(zh=f"门店 {store} 满意度下降 #{i}", en=f"Store {store} CSAT dropped #{i}"),
        starts_at=T0,
    )


def item(
    i: int, receiver: str = "ding", created: datetime = T0, store: str = "S001", **kw: Any
) -> OutboxItem:
    n = Notification(
        key=f"k{i:04d}",
        receiver=receiver,
        group_key=f"g:{store}",
        group_labels={"store_id": store},
        status="firing",
        alerts=(view(i, store),),
        ack_url=f"https://cx.example.com/ack/{i}",
    )
    return OutboxItem(
        key=n.key,
        receiver=receiver,
        group_key=n.group_key,
        payload=encode(n),
        created_at=created + timedelta(milliseconds=i),
        due_at=created,
        **kw,
    )


@dataclass
class FakeReceiver:
    """Records what it took; ``failures`` holds the next errors to raise (None = take it);
    ``hang`` makes every send wait until released."""

    name: str
    rate_limit_per_minute: int | None = None
    got: list[Notification] = field(default_factory=list)
    failures: list[DeliveryError | None] = field(default_factory=list)
    hang: asyncio.Event | None = None
    calls: int = 0

    async def send(self, notification: Notification) -> None:
        self.calls += 1
        if self.hang is not None:
            await self.hang.wait()
        if self.failures:
            err = self.failures.pop(0)
            if err is not None:
                raise err
        self.got.append(notification)
