"""What the HTTP API (and through it the CLI) can do to alerts, as one small interface.

The API depends only on ``Operations``. Its one implementation, ``EngineOperations``, reads
straight from the store (``StoreReads``) and writes through the lifecycle engine, so an ack also
stops the escalation chain and a resolve queues the resolved notification: the rules live in one
place. Synchronous like the store: the API calls it in a worker thread.

Errors are ``OpsError`` subclasses carrying the HTTP status the API answers with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from alerts.model import Alert, AlertState, Change, Matcher, OutboxItem, Silence
from alerts.ports import AlertStore


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
