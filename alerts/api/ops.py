"""What the HTTP API (and through it the CLI) can do to alerts, as one small interface.

The API depends only on ``Operations``; ``StoreOperations`` is a thin default that writes
through ``AlertStore`` directly. The service binds the lifecycle engine instead (so an ack also
stops the escalation chain and a resolve queues the resolved notification), keeping the rules in
one place. Synchronous like the store: the API calls it in a worker thread.

Errors are ``OpsError`` subclasses carrying the HTTP status the API answers with.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
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
    status = 409


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

    def ack(self, fingerprint: str, who: str, now: datetime, until: datetime | None) -> Alert:
        """Acknowledge; already acknowledged -> unchanged (a second click changes nothing).
        NotFound, Conflict when resolved."""

    def resolve(self, fingerprint: str, who: str, now: datetime) -> Alert:
        """NotFound; Conflict when already resolved."""

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


class StoreOperations:
    """Straight to the store, no lifecycle rules beyond the state machine's edges."""

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

    def _open(self, fingerprint: str) -> Alert:
        alert = self.store.get(fingerprint)
        if alert is None:
            raise NotFound(f"no alert with fingerprint {fingerprint!r}")
        if alert.state == "resolved":
            raise Conflict(f"alert {fingerprint} is already resolved")
        return alert

    def ack(self, fingerprint: str, who: str, now: datetime, until: datetime | None) -> Alert:
        alert = self._open(fingerprint)
        if alert.state == "acknowledged":
            return alert
        if until is not None and until <= now:
            raise BadRequest("until must be in the future")
        acked = replace(
            alert,
            state="acknowledged",
            acked_by=who,
            acked_at=now,
            ack_until=until,
            next_escalation_at=None,  # acknowledgement stops the chain
            updated_at=now,
        )
        detail = f"until {until.isoformat()}" if until else ""
        self.store.save([acked], [Change(fingerprint, now, "acknowledged", who, detail)])
        return acked

    def resolve(self, fingerprint: str, who: str, now: datetime) -> Alert:
        alert = self._open(fingerprint)
        done = replace(
            alert,
            state="resolved",
            resolved_by=who,
            ends_at=now,
            next_escalation_at=None,
            updated_at=now,
        )
        self.store.save([done], [Change(fingerprint, now, "resolved", who)])
        return done

    def silences(self, active_at: datetime | None) -> list[Silence]:
        return self.store.silences(active_at)

    def add_silence(
        self,
        matchers: Sequence[Matcher],
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
        comment: str,
        now: datetime,
    ) -> Silence:
        if not matchers:
            raise BadRequest("a silence needs at least one matcher")
        if ends_at <= starts_at or ends_at <= now:
            raise BadRequest("ends_at must be after starts_at and in the future")
        silence = Silence(
            id=uuid.uuid4().hex,
            matchers=tuple(matchers),
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=created_by,
            comment=comment,
        )
        self.store.save_silence(silence)
        return silence

    def expire_silence(self, silence_id: str, who: str, now: datetime) -> Silence:
        found = next((s for s in self.store.silences(None) if s.id == silence_id), None)
        if found is None:
            raise NotFound(f"no silence with id {silence_id!r}")
        if found.expired_at is not None or found.ends_at <= now:
            return found
        ended = replace(found, expired_at=now)
        self.store.save_silence(ended)
        return ended

    def outbox(self, receiver: str | None, limit: int) -> list[OutboxItem]:
        return self.store.outbox(receiver=receiver, limit=limit)
