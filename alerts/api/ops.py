"""What the HTTP API (and through it the CLI) can do to alerts, as one small interface.

The API depends only on ``Operations``. Its one implementation, ``EngineOperations``, reads
straight from the store (``StoreReads``) and writes through the lifecycle engine, so an ack also
stops the escalation chain and a resolve queues the resolved notification: the rules live in one
place. Synchronous like the store: the API calls it in a worker thread.

Errors are ``OpsError`` subclasses carrying the HTTP status the API answers with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from alerts.model import (
    OPEN_TABS,
    Alert,
    AlertQuery,
    AlertState,
    Change,
    Matcher,
    OutboxItem,
    Silence,
    Tab,
    matches,
    tab_of,
)
from alerts.ports import AlertStore

EVERYTHING = 1_000_000  # "no limit" for store.find
# A mute longer than a month is a routing change (a route without a receiver), not a silence.
MAX_SILENCE = timedelta(days=30)


class OpsError(Exception):
    status = 400


class BadRequest(OpsError):
    status = 400


class NotFound(OpsError):
    status = 404


class Conflict(OpsError):
    """409; ``current``: the alert as it is now, so the caller can decide again."""

    status = 409

    def __init__(self, message: str, current: Alert | None = None) -> None:
        super().__init__(message)
        self.current = current


class Operations(Protocol):
    def list_alerts(
        self,
        *,
        states: Sequence[AlertState] | None,
        labels: Mapping[str, str] | None,
        limit: int,
        offset: int,
    ) -> list[Alert]: ...

    def get(self, fingerprint: str) -> Alert | None: ...

    def history(self, fingerprint: str) -> list[Change]: ...

    def ack(
        self,
        fingerprint: str,
        who: str,
        now: datetime,
        until: datetime | None,
        episode: datetime | None = None,
        version: int | None = None,
    ) -> Alert:
        """Acknowledge (``episode``: only that episode of the alert; ``version``: only if still
        the version the caller saw). NotFound; Conflict when resolved, in another episode, at
        another version, or saved by someone else meanwhile."""

    def resolve(
        self, fingerprint: str, who: str, now: datetime, version: int | None = None
    ) -> Alert:
        """NotFound; Conflict when already resolved or no longer at ``version``."""

    def silences(self, active_at: datetime | None) -> list[Silence]: ...

    def add_silence(
        self,
        matchers: Sequence[Matcher],
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
        comment: str,
        now: datetime,
    ) -> Silence: ...

    def expire_silence(self, silence_id: str, who: str, now: datetime) -> Silence:
        """End a silence now; already ended -> unchanged. NotFound."""

    def outbox(self, receiver: str | None, limit: int) -> list[OutboxItem]: ...


@runtime_checkable
class ConsoleOperations(Operations, Protocol):
    """What the web console adds: filtered pages, the alert's notifications, and the actions
    a duty manager takes beyond ack and resolve. Every write records ``who``."""

    def search(self, q: AlertQuery) -> list[Alert]: ...

    def tab_counts(self, q: AlertQuery) -> dict[Tab, int]: ...

    def notifications(self, fingerprint: str) -> list[OutboxItem]:
        """The outbox items queued for the alert (its audit trail names them), oldest first."""

    def comment(self, fingerprint: str, who: str, text: str, now: datetime) -> None: ...

    def assign(
        self, fingerprint: str, who: str, assignee: str | None, now: datetime, version: int | None
    ) -> Alert:
        """Hand the alert to ``assignee`` (None: nobody). NotFound; Conflict at another version."""

    def escalate_now(self, fingerprint: str, who: str, now: datetime, version: int | None) -> Alert:
        """Run the alert's next escalation step now. NotFound; Conflict; BadRequest when it
        is not firing, is muted, or has no step left."""

    def would_mute(self, matchers: Sequence[Matcher], now: datetime) -> list[Alert]:
        """The open alerts a silence with these matchers would mute (not yet muted ones too)."""

    def group_of(self, fingerprint: str, now: datetime) -> list[Alert]:
        """The open alerts notified together with this one (its aggregation groups), itself
        first; just the alert when it has no route."""


@runtime_checkable
class Searchable(Protocol):
    """A store with the console's queries done in the database (``SqlStore``, ``MemoryStore``)."""

    def search(self, q: AlertQuery) -> list[Alert]: ...

    def tab_counts(self, q: AlertQuery) -> dict[Tab, int]: ...

    def outbox_items(self, keys: Sequence[str]) -> list[OutboxItem]: ...


class StoreReads:
    """The read half of ``Operations``, straight from the store. Every write goes through the
    lifecycle engine (``engine_ops.EngineOperations``), so its rules live in one place."""

    def __init__(self, store: AlertStore) -> None:
        self.store = store

    def list_alerts(
        self,
        *,
        states: Sequence[AlertState] | None,
        labels: Mapping[str, str] | None,
        limit: int,
        offset: int,
    ) -> list[Alert]:
        return self.store.find(states=states, labels=labels, limit=limit, offset=offset)

    def get(self, fingerprint: str) -> Alert | None:
        return self.store.get(fingerprint)

    def history(self, fingerprint: str) -> list[Change]:
        return self.store.history(fingerprint)

    def silences(self, active_at: datetime | None) -> list[Silence]:
        return self.store.silences(active_at)

    def outbox(self, receiver: str | None, limit: int) -> list[OutboxItem]:
        return self.store.outbox(receiver=receiver, limit=limit)

    # --- the console's reads ------------------------------------------------------------------
    def search(self, q: AlertQuery) -> list[Alert]:
        if isinstance(self.store, Searchable):
            return self.store.search(q)
        hits = [a for a in self.store.find(limit=EVERYTHING) if matches(q, a)]
        return hits[q.offset : q.offset + q.limit]

    def tab_counts(self, q: AlertQuery) -> dict[Tab, int]:
        if isinstance(self.store, Searchable):
            return self.store.tab_counts(q)
        counts: dict[Tab, int] = dict.fromkeys(OPEN_TABS, 0)
        for a in self.store.find(limit=EVERYTHING):
            if a.state != "resolved" and matches(q, a, tab=False):
                counts[tab_of(a)] += 1
        return counts

    def notifications(self, fingerprint: str) -> list[OutboxItem]:
        # "notified" entries read "<receiver> <key>"; the key itself may contain spaces.
        keys = [
            c.detail.split(" ", 1)[1]
            for c in self.store.history(fingerprint)
            if c.action == "notified" and " " in c.detail
        ]
        if not keys:
            return []
        if isinstance(self.store, Searchable):
            return self.store.outbox_items(keys)
        wanted = set(keys)
        return [i for i in self.store.outbox(limit=EVERYTHING) if i.key in wanted][::-1]
