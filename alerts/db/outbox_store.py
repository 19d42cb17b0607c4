"""The outbox half of ``SqlStore``: idempotent enqueue, leased claims for several replicas, and
the delivery log."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    Select,
    exists,
    func,
    not_,
    or_,
    select,
    update,
)

from alerts.db.rows import OUTBOX, _chunks, _insert, _outbox, _outbox_row
from alerts.model import OutboxItem


class OutboxStore:
    """Mixed into ``SqlStore``, which provides the engine and the transactions."""

    engine: Engine

    def _read(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _rows(self, q: Select[Any]) -> list[RowMapping]:
        raise NotImplementedError

    # --- outbox -------------------------------------------------------------------------------
    def enqueue(self, items: Sequence[OutboxItem]) -> int:
        with self._write() as c:
            return len(self._enqueue(c, items))

    def _enqueue(self, c: Connection, items: Sequence[OutboxItem]) -> set[str]:
        # First one wins within a batch, as it would across batches.
        rows = [_outbox_row(i) for i in {i.key: i for i in reversed(items)}.values()]
        rows.reverse()
        new: set[str] = set()
        for chunk in _chunks(rows):
            # RETURNING names the rows really inserted on both backends (rowcount of a
            # multi-row INSERT .. ON CONFLICT is not reliable across drivers).
            stmt = (
                _insert(self.engine, OUTBOX)
                .values(chunk)
                .on_conflict_do_nothing(index_elements=[OUTBOX.c.key])
                .returning(OUTBOX.c.key)
            )
            new.update(c.execute(stmt).scalars())
        return new

    def queued(self, keys: Sequence[str]) -> set[str]:
        with self._read() as c:
            return set(
                c.execute(select(OUTBOX.c.key).where(OUTBOX.c.key.in_(list(keys)))).scalars()
            )

    def due(
        self, now: datetime, limit: int = 100, *, receiver: str | None = None
    ) -> list[OutboxItem]:
        where = [OUTBOX.c.state == "pending", OUTBOX.c.due_at <= now]
        if receiver is not None:
            where.append(OUTBOX.c.receiver == receiver)
        q = (
            select(OUTBOX)
            .where(*where)
            # Longest due first (as MemoryStore), straight off the (state, due_at) index.
            .order_by(OUTBOX.c.due_at, OUTBOX.c.created_at, OUTBOX.c.id)
            .limit(limit)
        )
        return [_outbox(r) for r in self._rows(q)]

    def claim(
        self, receiver: str, owner: str, now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        cand, other = OUTBOX.alias("cand"), OUTBOX.alias("other")
        pick = (
            select(cand.c.id)
            .where(
                cand.c.receiver == receiver,
                cand.c.state == "pending",
                cand.c.due_at <= now,
                or_(
                    cand.c.lease_until.is_(None),
                    cand.c.lease_until <= now,
                    cand.c.lease_owner == owner,
                ),
            )
            .order_by(cand.c.due_at, cand.c.created_at, cand.c.id)
            .limit(limit)
        )
        with self._read() as c:
            if c.execute(pick.limit(1)).first() is None:
                return []  # nothing due: no write transaction (this runs every second)
        # Another replica is working this receiver while it holds a live lease on any item.
        busy = exists().where(
            other.c.receiver == receiver,
            other.c.state == "pending",
            other.c.lease_until > now,
            other.c.lease_owner != owner,
        )
        stmt = (
            update(OUTBOX)
            .where(
                OUTBOX.c.id.in_(pick.with_for_update(skip_locked=True).scalar_subquery()),
                not_(busy),
            )
            .values(lease_owner=owner, lease_until=until)
            .returning(*OUTBOX.c)
        )
        with self._write() as c:
            if self.engine.dialect.name == "postgresql":
                # Claims of one receiver queue up here, so the statement below sees the other
                # replica's committed leases. On SQLite one statement is atomic already (one
                # writer); FOR UPDATE SKIP LOCKED is PostgreSQL's and SQLite renders none.
                c.execute(select(func.pg_advisory_xact_lock(_lock_key(receiver))))
            rows = c.execute(stmt).mappings().all()
        got = sorted(rows, key=lambda r: (r["due_at"], r["created_at"], r["id"]))
        return [_outbox(r) for r in got]

    def renew(self, keys: Sequence[str], owner: str, until: datetime) -> set[str]:
        held: set[str] = set()
        with self._write() as c:
            for chunk in _chunks(list(keys)):
                stmt = (
                    update(OUTBOX)
                    .where(
                        OUTBOX.c.key.in_(chunk),
                        OUTBOX.c.lease_owner == owner,
                        OUTBOX.c.state == "pending",
                    )
                    .values(lease_until=until)
                    .returning(OUTBOX.c.key)
                )
                held.update(c.execute(stmt).scalars())
        return held

    def mark_sent(self, key: str, at: datetime) -> None:
        # A sent item stays as first recorded: a late duplicate report changes nothing.
        self._update_outbox(
            key,
            {
                "state": "sent",
                "sent_at": at,
                "attempts": OUTBOX.c.attempts + 1,
                "last_error": None,
                **_NO_LEASE,
            },
        )

    def mark_failed(self, key: str, error: str, retry_at: datetime | None) -> None:
        values: dict[str, Any] = {
            "attempts": OUTBOX.c.attempts + 1,
            "last_error": error,
            **_NO_LEASE,
        }
        if retry_at is None:
            values["state"] = "failed"
        else:
            values["due_at"] = retry_at
        # Never on a sent item: a failure reported after a success must not send it again.
        self._update_outbox(key, values)

    def _update_outbox(self, key: str, values: dict[str, Any]) -> None:
        stmt = update(OUTBOX).where(OUTBOX.c.key == key, OUTBOX.c.state != "sent").values(**values)
        with self._write() as c:
            if (
                c.execute(stmt).rowcount == 0
                and not c.execute(select(OUTBOX.c.id).where(OUTBOX.c.key == key)).first()
            ):
                raise KeyError(f"no outbox item with key {key!r}")

    def outbox(self, *, receiver: str | None = None, limit: int = 100) -> list[OutboxItem]:
        q = select(OUTBOX)
        if receiver is not None:
            q = q.where(OUTBOX.c.receiver == receiver)
        q = q.order_by(OUTBOX.c.created_at.desc(), OUTBOX.c.id.desc()).limit(limit)
        return [_outbox(r) for r in self._rows(q)]

    def sent_since(self, receiver: str, since: datetime, limit: int) -> list[datetime]:
        # Straight off the (receiver, sent_at) index, however many items wait unsent.
        q = (
            select(OUTBOX.c.sent_at)
            .where(OUTBOX.c.receiver == receiver, OUTBOX.c.sent_at > since)
            .order_by(OUTBOX.c.sent_at.desc())
            .limit(limit)
        )
        with self._read() as c:
            return sorted(t for t in c.execute(q).scalars() if t is not None)


_NO_LEASE = {"lease_owner": None, "lease_until": None}


def _lock_key(receiver: str) -> int:
    """A stable signed 64-bit advisory-lock key per receiver (Python's hash() is salted)."""
    return int.from_bytes(
        hashlib.sha256(f"cxpulse-outbox:{receiver}".encode()).digest()[:8], "big", signed=True
    )
