"""What the lifecycle, the outbox, the API and the CLI need from storage.

``alerts.db.SqlStore`` implements it with SQLAlchemy (SQLite by default, PostgreSQL in
production); ``alerts.memory.MemoryStore`` implements it in memory for the pure-core tests.
Synchronous on purpose: every call is one short transaction, and the async callers (the API,
the dispatcher) run it in a thread so a slow database never blocks the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from alerts.model import Alert, AlertState, Change, Group, OutboxItem, Silence


class ConcurrentUpdate(Exception):
    """An alert changed since it was read (another replica, or another person, saved it first):
    nothing of the save was written. Re-read and decide again, or tell the caller."""

    def __init__(self, fingerprint: str) -> None:
        super().__init__(f"alert {fingerprint} was changed by someone else; reload and retry")
        self.fingerprint = fingerprint


class AlertStore(Protocol):
    # --- alerts and their audit trail -------------------------------------------------------
    def get(self, fingerprint: str) -> Alert | None: ...

    def save(self, alerts: Sequence[Alert], changes: Sequence[Change]) -> None:
        """Upsert the alerts and append the changes, in one transaction. An alert read from the
        store (``version`` > 0) is written only if still at that version, else
        ``ConcurrentUpdate`` and nothing is written; each saved alert's ``version`` is then
        bumped in place."""

    def find(
        self,
        *,
        states: Sequence[AlertState] | None = None,
        labels: Mapping[str, str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Alert]:
        """Newest ``last_seen`` first; ``labels`` must all match exactly."""

    def commit(
        self,
        alerts: Sequence[Alert],
        changes: Sequence[Change],
        groups: Sequence[Group],
        outbox: Sequence[OutboxItem],
    ) -> set[str]:
        """One unit of lifecycle work in one transaction: new notifications (``enqueue``), the
        alerts (``save``, versions checked), their changes and the groups. On
        ``ConcurrentUpdate`` none of it is written, so a decision made on an outdated read queues
        nothing. Returns the keys of the notifications that were new."""

    def open_alerts(self) -> list[Alert]:
        """Every alert not resolved (for inhibition and silences)."""

    def due_alerts(self, now: datetime) -> list[Alert]:
        """Open alerts whose ``model.due_at`` has come (ack expiry, escalation step)."""

    def count_open(self) -> dict[tuple[str, str], int]:
        """Open alerts by (state, severity), for the gauges."""

    def history(self, fingerprint: str) -> list[Change]:
        """The audit trail, oldest first."""

    # --- silences -----------------------------------------------------------------------------
    def silences(self, active_at: datetime | None = None) -> list[Silence]: ...

    def save_silence(self, silence: Silence) -> None: ...

    # --- aggregation groups -----------------------------------------------------------------
    def groups(self) -> list[Group]: ...

    def group(self, key: str) -> Group | None: ...

    def due_groups(self, now: datetime) -> list[Group]:
        """Groups whose ``next_flush_at`` has come."""

    def save_groups(self, groups: Sequence[Group]) -> None: ...

    # --- outbox -------------------------------------------------------------------------------
    def enqueue(self, items: Sequence[OutboxItem]) -> int:
        """Store new notifications; an existing key is left as it is. Returns how many were new."""

    def queued(self, keys: Sequence[str]) -> set[str]:
        """Which of these notification keys are already in the outbox."""

    def due(
        self, now: datetime, limit: int = 100, *, receiver: str | None = None
    ) -> list[OutboxItem]:
        """Pending items whose ``due_at`` has come, oldest first (of one receiver if given)."""

    def claim(
        self, receiver: str, owner: str, now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        """Lease the receiver's due pending items to ``owner`` until ``until``, oldest first,
        and return them. Items leased to another owner whose lease still runs are skipped, and
        while another owner holds any item of this receiver nothing is claimed: one replica
        sends a receiver's messages at a time, in order and within its rate limit."""

    def renew(self, keys: Sequence[str], owner: str, until: datetime) -> set[str]:
        """Extend ``owner``'s leases of these pending items; returns the keys still held."""

    def mark_sent(self, key: str, at: datetime) -> None: ...

    def mark_failed(self, key: str, error: str, retry_at: datetime | None) -> None:
        """``retry_at`` None: give up (state ``failed``); else stay pending until then. Both
        (and ``mark_sent``) end the item's lease."""

    def outbox(self, *, receiver: str | None = None, limit: int = 100) -> list[OutboxItem]:
        """Newest first, for the API's delivery log."""

    def sent_since(self, receiver: str, since: datetime, limit: int) -> list[datetime]:
        """When the receiver's items sent after ``since`` went out, the latest ``limit``, oldest
        first (a rate limit's window after a restart)."""
