"""The console's queries: a filtered page of alerts, the count of each tab under the same
filters, and the delivery state of given outbox items.

Each filter is a WHERE clause the database can use an index for (state, label index table,
assignee) except the free-text search, a substring scan over the summaries: at 10k open
alerts that scan stays a few milliseconds, where a full-text index would need a different
setup on each backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, or_, select

from alerts.db.rows import ALERTS, LABELS, NEWEST, OUTBOX
from alerts.model import AlertQuery, Tab

OPEN = ("firing", "acknowledged")


def _tab(tab: Tab) -> ColumnElement[bool]:
    silenced = ALERTS.c.silenced_by.is_not(None)
    if tab == "resolved":
        return ALERTS.c.state == "resolved"
    if tab == "silenced":
        return and_(ALERTS.c.state.in_(OPEN), silenced)
    return and_(ALERTS.c.state == tab, ALERTS.c.silenced_by.is_(None))


def _filters(q: AlertQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if q.severity is not None:
        where.append(ALERTS.c.severity == q.severity)
    if q.rule:
        where.append(ALERTS.c.rule == q.rule)
    if q.assignee:
        where.append(ALERTS.c.assignee == q.assignee)
    for name, value in q.labels:
        match = select(LABELS.c.fingerprint).where(LABELS.c.name == name, LABELS.c.value == value)
        where.append(ALERTS.c.fingerprint.in_(match))
    if q.text:
        needle = q.text.strip()
        where.append(
            or_(
                ALERTS.c.summary_zh.icontains(needle, autoescape=True),
                ALERTS.c.summary_en.icontains(needle, autoescape=True),
                ALERTS.c.rule.icontains(needle, autoescape=True),
                ALERTS.c.fingerprint.startswith(needle.lower(), autoescape=True),
                cast(ALERTS.c.labels, String).icontains(needle, autoescape=True),
            )
        )
    return where


def page(q: AlertQuery) -> Select[Any]:
    stmt = select(ALERTS).where(*_filters(q))
    if q.tab is not None:
        stmt = stmt.where(_tab(q.tab))
    return stmt.order_by(*NEWEST).limit(q.limit).offset(q.offset)


def tab_counts(q: AlertQuery) -> Select[Any]:
    """Rows of (tab, count) under the query's other filters."""
    tab = case(
        (ALERTS.c.state == "resolved", "resolved"),
        (ALERTS.c.silenced_by.is_not(None), "silenced"),
        else_=ALERTS.c.state,
    ).label("tab")
    return select(tab, func.count()).where(*_filters(q)).group_by(tab)


def outbox_items(keys: Sequence[str]) -> Select[Any]:
    return select(OUTBOX).where(OUTBOX.c.key.in_(list(keys))).order_by(OUTBOX.c.id)
