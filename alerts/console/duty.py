"""Who is on duty now, and who comes on next (``/duty``), read from the roster on its shifts:
weekly hours, or a business calendar's opening hours (holidays and make-up days included),
exactly as the escalation steps look people up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from aiohttp import web

from alerts.auth.identity import User
from alerts.console.i18n import Words
from alerts.console.page import CONSOLE, call, e, guarded, shell, when
from alerts.lifecycle.config import Person
from alerts.lifecycle.roster import Roster

STEP = timedelta(minutes=15)  # shifts start on the quarter hour in every roster we know
HORIZON = timedelta(days=7)


def _scope_labels(p: Person) -> dict[str, str]:
    # The labels of an alert this person is responsible for: the roster's own lookup then says
    # whether they are on duty for it (scope, shift and calendar, one rule).
    if p.scope.store_ids:
        return {"store_id": p.scope.store_ids[0]}
    if p.scope.regions:
        return {"region": p.scope.regions[0]}
    return {}


def on_duty(roster: Roster, p: Person, at: datetime) -> bool:
    return p in roster.lookup(p.role, _scope_labels(p), at)


def next_start(roster: Roster, p: Person, now: datetime) -> datetime | None:
    """When an off-duty person's next shift begins, to the quarter hour, within a week."""
    t = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0) + STEP
    while t <= now + HORIZON:
        if on_duty(roster, p, t):
            return t
        t += STEP
    return None


def duty_table(
    roster: Roster, now: datetime
) -> list[tuple[str, list[Person], list[tuple[datetime, Person]]]]:
    """Per role: who is on duty now, and the next shifts to start (soonest first)."""
    out = []
    for role in sorted({p.role for p in roster.people}):
        people: Sequence[Person] = [p for p in roster.people if p.role == role]
        now_on = [p for p in people if on_duty(roster, p, now)]
        upcoming = [(t, p) for p in people if p not in now_on and (t := next_start(roster, p, now))]
        upcoming.sort(key=lambda x: x[0])
        out.append((role, now_on, upcoming))
    return out


def _scope(p: Person, w: Words) -> str:
    parts = [*p.scope.store_ids, *p.scope.regions]
    return ", ".join(parts) if parts else w("everywhere")


def _shift(p: Person, w: Words) -> str:
    if p.calendar:
        return f"{w('calendar')} {p.calendar}"
    if p.weekly:
        return "; ".join(f"{d} {' '.join(h)}" for d, h in p.weekly.items())
    return w("always")


@guarded("view")
async def duty(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    c = request.app[CONSOLE]
    now = c.clock()
    table = await call(duty_table, c.engine.roster, now)
    if not table:
        return shell(request, w, w("duty"), f"<p>{e(w('no_roster'))}</p>")
    sections = []
    for role, now_on, upcoming in table:
        current = (
            "".join(
                f"<li><strong>{e(p.name)}</strong> · {e(w('scope'))} {e(_scope(p, w))} · "
                f"{e(w('shift'))} {e(_shift(p, w))}</li>"
                for p in now_on
            )
            or f"<li>{e(w('nobody'))}</li>"
        )
        nxt = (
            "".join(
                f"<li>{when(t)} <strong>{e(p.name)}</strong> · "
                f"{e(w('scope'))} {e(_scope(p, w))}</li>"
                for t, p in upcoming[:5]
            )
            or f"<li>{e(w('within_week'))}</li>"
        )
        sections.append(
            f"<section><h2>{e(w('role'))}: {e(role)}</h2>"
            f"<h3>{e(w('on_duty_now'))}</h3><ul>{current}</ul>"
            f"<h3>{e(w('on_duty_next'))}</h3><ul>{nxt}</ul></section>"
        )
    return shell(request, w, w("duty"), "".join(sections))
