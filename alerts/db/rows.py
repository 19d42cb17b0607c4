"""The alert tables as SQLAlchemy Core objects, the dialect-specific INSERT, and the mapping of
records (``alerts.model``) to rows and back, shared by the alert and the outbox halves of
``SqlStore``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, fields
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, RowMapping, Table
from sqlalchemy.dialects import postgresql, sqlite

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
    Change,
    Group,
    Matcher,
    OutboxItem,
    Silence,
    due_at,
    search_text,
)

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


# --- records <-> rows ---------------------------------------------------------------------------
# Each table's columns are its record's fields, by name (the silences' matchers excepted).
_change_row = _group_row = _outbox_row = asdict


def _alert_row(a: Alert) -> dict[str, Any]:
    return {**asdict(a), "due_at": due_at(a), "search_text": search_text(a)}


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
