"""``SqlStore``: the ``alerts.ports.AlertStore`` protocol on SQLAlchemy 2.

Every method is one short transaction; the outbox half is ``alerts.db.outbox_store``. SQLite
(the default, a file under ``.cxpulse/``) and PostgreSQL (``postgresql://`` or
``postgresql+psycopg://``) behave the same: the upserts and the idempotent outbox insert use
each dialect's ``INSERT .. ON CONFLICT``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, delete, func, select, update

from alerts.db import search
from alerts.db.engine import DEFAULT_URL, make_engine
from alerts.db.migrate import upgrade_engine
from alerts.db.outbox_store import OutboxStore
from alerts.db.rows import (
    ALERTS,
    CHANGES,
    GROUPS,
    LABELS,
    NEWEST,
    SILENCES,
    _alert,
    _alert_row,
    _change,
    _change_row,
    _chunks,
    _group,
    _group_row,
    _insert,
    _outbox,
    _silence,
    _silence_row,
    _upsert,
)
from alerts.model import (
    OPEN_TABS,
    Alert,
    AlertQuery,
    AlertState,
    Change,
    Group,
    OutboxItem,
    Silence,
    Tab,
)
from alerts.ports import AlertStore, ConcurrentUpdate

__all__ = ["ALERTS", "DEFAULT_URL", "NEWEST", "SqlStore", "_alert"]  # bench.alerts reads these


class SqlStore(OutboxStore):
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
        self.commit(alerts, changes, (), ())

    def commit(
        self,
        alerts: Sequence[Alert],
        changes: Sequence[Change],
        groups: Sequence[Group],
        outbox: Sequence[OutboxItem],
    ) -> set[str]:
        # Last one wins within a batch: ON CONFLICT DO UPDATE may not touch a row twice.
        by_fp = {a.fingerprint: a for a in alerts}
        with self._write() as c:
            new = self._enqueue(c, outbox)
            versions = self._save_alerts(c, by_fp)
            for chunk in _chunks([_change_row(ch) for ch in changes]):
                c.execute(CHANGES.insert(), chunk)
            self._save_groups(c, groups)
        for a in by_fp.values():
            a.version = versions[a.fingerprint]
        return new

    def _save_alerts(self, c: Connection, by_fp: dict[str, Alert]) -> dict[str, int]:
        versions: dict[str, int] = {}
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
        return versions

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

    # --- the console's reads --------------------------------------------------------------------
    def search(self, q: AlertQuery) -> list[Alert]:
        return [_alert(r) for r in self._rows(search.page(q))]

    def tab_counts(self, q: AlertQuery) -> dict[Tab, int]:
        counts: dict[Tab, int] = dict.fromkeys(OPEN_TABS, 0)
        with self._read() as c:
            for tab, n in c.execute(search.open_counts(q)).all():
                counts[tab] = int(n)
        return counts

    def outbox_items(self, keys: Sequence[str]) -> list[OutboxItem]:
        found: list[OutboxItem] = []
        for chunk in _chunks(list(keys)):
            found += [_outbox(r) for r in self._rows(search.outbox_items(chunk))]
        return found

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
        with self._write() as c:
            self._save_groups(c, groups)

    def _save_groups(self, c: Connection, groups: Sequence[Group]) -> None:
        rows = [_group_row(g) for g in {g.key: g for g in groups}.values()]
        if not rows:
            return
        upsert = _upsert(self.engine, GROUPS, "key", rows[0])
        for chunk in _chunks(rows):
            c.execute(upsert, chunk)


def _conforms(store: SqlStore) -> AlertStore:
    return store  # mypy checks here that SqlStore implements the whole protocol
