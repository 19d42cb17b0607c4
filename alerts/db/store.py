"""``SqlStore``: the ``alerts.ports.AlertStore`` protocol on SQLAlchemy 2.

Every method is one short transaction. SQLite (the default, a file under ``.cxpulse/``) and
PostgreSQL (``postgresql://`` or ``postgresql+psycopg://``) behave the same: the upserts and the
idempotent outbox insert use each dialect's ``INSERT .. ON CONFLICT``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    Select,
    Table,
    delete,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from alerts.db.engine import DEFAULT_URL, make_engine
from alerts.db.migrate import upgrade_engine
from alerts.db.tables import (
    AlertLabelRow,
    AlertRow,
    Base,
    ChangeRow,
    GroupRow,
    OutboxRow,
    SilenceRow,
)
from alerts.model import (
    Alert,
    AlertState,
    Change,
    Group,
    Matcher,
    OutboxItem,
    Silence,
    due_at,
)
from alerts.ports import AlertStore, ConcurrentUpdate

# Rows per statement in bulk writes: far below SQLite's 32766 bound parameters per statement.
CHUNK = 500

T = TypeVar("T")


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


# Reads and writes go through Core on the mapped tables: a listing costs one row mapping per
# alert, with no ORM object or identity-map entry on top.
ALERTS = _table(AlertRow)
LABELS = _table(AlertLabelRow)
CHANGES = _table(ChangeRow)
SILENCES = _table(SilenceRow)
GROUPS = _table(GroupRow)
OUTBOX = _table(OutboxRow)


def _insert(engine: Engine, table: Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing/update`` and ``excluded``."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    if engine.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(
        f"alerts.db supports SQLite and PostgreSQL, not {engine.dialect.name}"
    )


def _upsert(engine: Engine, table: Table, key: str, columns: Iterable[str]) -> Any:
    ins = _insert(engine, table)
    return ins.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={c: ins.excluded[c] for c in columns if c != key},
    )


def _chunks(items: Sequence[T], n: int = CHUNK) -> Iterator[list[T]]:
    for i in range(0, len(items), n):
        yield list(items[i : i + n])


NEWEST = (ALERTS.c.last_seen.desc(), ALERTS.c.fingerprint.desc())


class SqlStore:
    """``AlertStore`` on a database URL. ``migrate`` (default) brings the schema to the latest
    revision first, so a fresh SQLite file just works."""

    def __init__(self, url: str = DEFAULT_URL, *, migrate: bool = True) -> None:
        self.engine = make_engine(url)
        if migrate:
            upgrade_engine(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def _read(self) -> AbstractContextManager[Connection]:
        return self.engine.connect()  # its transaction is rolled back when the block closes

    def _write(self) -> AbstractContextManager[Connection]:
        return self.engine.begin()  # commits at the end of the block, rolls back on error

    def _rows(self, q: Select[Any]) -> list[RowMapping]:
        with self._read() as c:
            return list(c.execute(q).mappings().all())  # fetchall: cheaper than iterating

    # --- alerts and their audit trail -------------------------------------------------------
    def get(self, fingerprint: str) -> Alert | None:
        rows = self._rows(select(ALERTS).where(ALERTS.c.fingerprint == fingerprint))
        return _alert(rows[0]) if rows else None

    def save(self, alerts: Sequence[Alert], changes: Sequence[Change]) -> None:
        # Last one wins within a batch: ON CONFLICT DO UPDATE may not touch a row twice.
        by_fp = {a.fingerprint: a for a in alerts}
        versions: dict[str, int] = {}
        with self._write() as c:
            blind = [_alert_row(a) for a in by_fp.values() if a.version == 0]
            if blind:  # never read from the store: upsert, bumping whatever version is there
                ins = _insert(self.engine, ALERTS)
                stmt = ins.on_conflict_do_update(
                    index_elements=[ALERTS.c.fingerprint],
                    set_={
                        **{k: ins.excluded[k] for k in blind[0] if k != "fingerprint"},
                        "version": ALERTS.c.version + 1,
                    },
                ).returning(ALERTS.c.fingerprint, ALERTS.c.version)
                for row in blind:
                    row["version"] = 1
                    fp, version = c.execute(stmt, row).one()
                    versions[fp] = version
            for a in by_fp.values():
                if a.version == 0:
                    continue
                # Written only if nobody saved it since it was read: the optimistic lock.
                row = {**_alert_row(a), "version": a.version + 1}
                stmt = (
                    update(ALERTS)
                    .where(ALERTS.c.fingerprint == a.fingerprint, ALERTS.c.version == a.version)
                    .values(**row)
                )
                if c.execute(stmt).rowcount != 1:
                    raise ConcurrentUpdate(a.fingerprint)  # the transaction rolls back
                versions[a.fingerprint] = a.version + 1
            if by_fp:
                # The label index is rebuilt from the alert's labels, which may have changed.
                for fps in _chunks(list(by_fp)):
                    c.execute(delete(LABELS).where(LABELS.c.fingerprint.in_(fps)))
                labels = [
                    {"fingerprint": a.fingerprint, "name": k, "value": v}
                    for a in by_fp.values()
                    for k, v in a.labels.items()
                ]
                for chunk in _chunks(labels):
                    c.execute(LABELS.insert(), chunk)
            for chunk in _chunks([_change_row(ch) for ch in changes]):
                c.execute(CHANGES.insert(), chunk)
        for a in by_fp.values():
            a.version = versions[a.fingerprint]

    def find(
        self,
        *,
        states: Sequence[AlertState] | None = None,
        labels: Mapping[str, str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Alert]:
        q = select(ALERTS)
        if states is not None:
            q = q.where(ALERTS.c.state.in_(list(states)))
        for name, value in (labels or {}).items():
            match = select(LABELS.c.fingerprint).where(
                LABELS.c.name == name, LABELS.c.value == value
            )
            q = q.where(ALERTS.c.fingerprint.in_(match))
        q = q.order_by(*NEWEST).limit(limit).offset(offset)
        return [_alert(r) for r in self._rows(q)]

    def open_alerts(self) -> list[Alert]:
        q = select(ALERTS).where(ALERTS.c.state != "resolved").order_by(*NEWEST)
        return [_alert(r) for r in self._rows(q)]

    def due_alerts(self, now: datetime) -> list[Alert]:
        # Resolved alerts have no due time, so the due_at index alone answers this.
        q = select(ALERTS).where(ALERTS.c.due_at <= now).order_by(ALERTS.c.due_at)
        return [_alert(r) for r in self._rows(q) if r["state"] != "resolved"]

    def count_open(self) -> dict[tuple[str, str], int]:
        q = (
            select(ALERTS.c.state, ALERTS.c.severity, func.count())
            .where(ALERTS.c.state != "resolved")
            .group_by(ALERTS.c.state, ALERTS.c.severity)
        )
        with self._read() as c:
            return {(r[0], r[1]): int(r[2]) for r in c.execute(q).all()}

    def history(self, fingerprint: str) -> list[Change]:
        # Oldest first by time; the id keeps the order of entries written at the same instant.
        q = (
            select(CHANGES)
            .where(CHANGES.c.fingerprint == fingerprint)
            .order_by(CHANGES.c.at, CHANGES.c.id)
        )
        return [_change(r) for r in self._rows(q)]

    # --- silences -----------------------------------------------------------------------------
    def silences(self, active_at: datetime | None = None) -> list[Silence]:
        q = select(SILENCES)
        if active_at is not None:
            # Alertmanager's rule: active from starts_at (inclusive) until ends_at (exclusive);
            # expiring a silence early ends it at expired_at.
            q = q.where(
                SILENCES.c.starts_at <= active_at,
                SILENCES.c.ends_at > active_at,
                SILENCES.c.expired_at.is_(None) | (SILENCES.c.expired_at > active_at),
            )
        q = q.order_by(SILENCES.c.starts_at, SILENCES.c.id)
        return [_silence(r) for r in self._rows(q)]

    def save_silence(self, silence: Silence) -> None:
        row = _silence_row(silence)
        with self._write() as c:
            c.execute(_upsert(self.engine, SILENCES, "id", row), [row])

    # --- aggregation groups -----------------------------------------------------------------
    def groups(self) -> list[Group]:
        return [_group(r) for r in self._rows(select(GROUPS).order_by(GROUPS.c.key))]

    def group(self, key: str) -> Group | None:
        rows = self._rows(select(GROUPS).where(GROUPS.c.key == key))
        return _group(rows[0]) if rows else None

    def due_groups(self, now: datetime) -> list[Group]:
        q = select(GROUPS).where(GROUPS.c.next_flush_at <= now).order_by(GROUPS.c.key)
        return [_group(r) for r in self._rows(q)]

    def save_groups(self, groups: Sequence[Group]) -> None:
        rows = [_group_row(g) for g in {g.key: g for g in groups}.values()]
        if not rows:
            return
        upsert = _upsert(self.engine, GROUPS, "key", rows[0])
        with self._write() as c:
            for chunk in _chunks(rows):
                c.execute(upsert, chunk)

    # --- outbox -------------------------------------------------------------------------------
    def enqueue(self, items: Sequence[OutboxItem]) -> int:
        # First one wins within a batch, as it would across batches.
        rows = [_outbox_row(i) for i in {i.key: i for i in reversed(items)}.values()]
        rows.reverse()
        new = 0
        with self._write() as c:
            for chunk in _chunks(rows):
                # RETURNING counts the rows really inserted on both backends (rowcount of a
                # multi-row INSERT .. ON CONFLICT is not reliable across drivers).
                stmt = (
                    _insert(self.engine, OUTBOX)
                    .values(chunk)
                    .on_conflict_do_nothing(index_elements=[OUTBOX.c.key])
                    .returning(OUTBOX.c.key)
                )
                new += len(c.execute(stmt).all())
        return new

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
        free = or_(
            OUTBOX.c.lease_until.is_(None),
            OUTBOX.c.lease_until <= now,
            OUTBOX.c.lease_owner == owner,
        )
        mine = [OUTBOX.c.receiver == receiver, OUTBOX.c.state == "pending"]
        with self._write() as c:
            if self.engine.dialect.name == "postgresql":
                # Claims of one receiver queue up here, so the check below sees the other
                # replica's committed leases (SQLite has one writer: it is serial already).
                c.execute(select(func.pg_advisory_xact_lock(_lock_key(receiver))))
            held = select(OUTBOX.c.id).where(*mine, not_(free)).limit(1)
            if c.execute(held).first() is not None:
                return []  # another replica is working this receiver
            pick = (
                select(OUTBOX.c.id)
                .where(*mine, OUTBOX.c.due_at <= now, free)
                .order_by(OUTBOX.c.due_at, OUTBOX.c.created_at, OUTBOX.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders no lock
            )
            stmt = (
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(pick.scalar_subquery()))
                .values(lease_owner=owner, lease_until=until)
                .returning(*OUTBOX.c)
            )
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


def _conforms(store: SqlStore) -> AlertStore:
    return store  # mypy checks here that SqlStore implements the whole protocol


# --- records <-> rows ---------------------------------------------------------------------------
# Each table's columns are its record's fields, by name (the silences' matchers excepted).
_change_row = _group_row = _outbox_row = asdict


def _alert_row(a: Alert) -> dict[str, Any]:
    return {**asdict(a), "due_at": due_at(a)}


def _record(cls: type[Any], r: RowMapping) -> Any:
    return cls(**{f.name: r[f.name] for f in fields(cls)})


def _alert(r: RowMapping) -> Alert:
    a: Alert = _record(Alert, r)
    a.values = {k: float(v) for k, v in a.values.items()}  # JSON may hand back 3 for 3.0
    return a


def _change(r: RowMapping) -> Change:
    c: Change = _record(Change, r)
    return c


def _group(r: RowMapping) -> Group:
    g: Group = _record(Group, r)
    return g


def _outbox(r: RowMapping) -> OutboxItem:
    i: OutboxItem = _record(OutboxItem, r)
    return i


def _silence_row(s: Silence) -> dict[str, Any]:
    return {
        "id": s.id,
        "matchers": [{"name": m.name, "value": m.value, "op": m.op} for m in s.matchers],
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "created_by": s.created_by,
        "comment": s.comment,
        "expired_at": s.expired_at,
    }


def _silence(r: RowMapping) -> Silence:
    return Silence(
        id=r["id"],
        matchers=tuple(Matcher(m["name"], m["value"], m["op"]) for m in r["matchers"]),
        starts_at=r["starts_at"],
        ends_at=r["ends_at"],
        created_by=r["created_by"],
        comment=r["comment"],
        expired_at=r["expired_at"],
    )
