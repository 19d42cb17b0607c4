"""Who is on duty: the roster's people by role, scope and shift.

A person's shift is local weekly hours or a named SLA calendar's business hours (so China's
holidays and make-up working days apply to the duty manager as they do to complaint SLAs).
The most specific scope wins: people scoped to the alert's store come before those scoped to
its region, who come before people responsible everywhere; within one level, everyone on duty
is mentioned. When a role has nobody on duty, the configured fallback role is asked instead.

``gaps`` is the start-up check: the days ahead on which a role reaches nobody at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.lifecycle.config import Person
from streams.core.calendar import BusinessCalendar, CalendarConfig, Template, parse_weekly


class Roster:
    def __init__(
        self,
        people: Sequence[Person],
        calendars: Mapping[str, CalendarConfig] | None = None,
        fallback_role: str | None = None,
    ) -> None:
        self.people = tuple(people)
        self.fallback_role = fallback_role
        cals = calendars or {}
        self._calendars = {
            name: BusinessCalendar(name, cals[name])
            for name in {p.calendar for p in people if p.calendar is not None}
            if name in cals
        }
        # Parsed once; by position, since two entries may share a name (one person, two roles).
        self._weeks: list[tuple[Template, ...] | None] = [
            parse_weekly(p.weekly) if p.weekly is not None else None for p in people
        ]

    def _on_duty(self, person: Person, week: tuple[Template, ...] | None, now: datetime) -> bool:
        if person.calendar is not None:
            cal = self._calendars.get(person.calendar)
            # An unknown calendar is refused at config load; if one slips through (no sla section
            # handed in), being reachable beats being silently skipped.
            return cal is None or cal.is_open(now.timestamp())
        if week is None:
            return True
        local = now.astimezone(ZoneInfo(person.timezone))
        second = local.hour * 3600 + local.minute * 60 + local.second
        return any(a <= second < b for a, b in week[local.weekday()])

    def lookup(self, role: str, labels: Mapping[str, str], now: datetime) -> list[Person]:
        found = self._lookup(role, labels, now)
        if not found and self.fallback_role is not None and role != self.fallback_role:
            return self._lookup(self.fallback_role, labels, now)
        return found

    def gaps(
        self, roles: Iterable[str], start: datetime, days: int = 60, step: float = 1800.0
    ) -> dict[str, list[date]]:
        """For each role, the days (from ``start``, in its time zone) on which nobody of that
        role, nor of the fallback role, is on duty at any sampled moment: pages of that role
        reach nobody all day. Days start at midnight in ``start``'s zone. Scopes are ignored:
        this asks whether anyone is there at all."""
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        out: dict[str, list[date]] = {}
        for role in sorted(set(roles)):
            empty: list[date] = []
            for d in range(days):
                day = start + timedelta(days=d)
                moments = (day + timedelta(seconds=i * step) for i in range(int(86400 / step)))
                if not any(self._anyone(role, m) for m in moments):
                    empty.append(day.date())
            if empty:
                out[role] = empty
        return out

    def _anyone(self, role: str, now: datetime) -> bool:
        wanted = {role} | ({self.fallback_role} if self.fallback_role else set())
        return any(
            p.role in wanted and self._on_duty(p, week, now)
            for p, week in zip(self.people, self._weeks, strict=True)
        )

    def _lookup(self, role: str, labels: Mapping[str, str], now: datetime) -> list[Person]:
        store, region = labels.get("store_id"), labels.get("region")
        tiers: list[list[Person]] = [[], [], []]
        for p, week in zip(self.people, self._weeks, strict=True):
            if p.role != role or not self._on_duty(p, week, now):
                continue
            stores, regions = p.scope.store_ids, p.scope.regions
            if store is not None and store in stores:
                tiers[0].append(p)
            elif not stores and region is not None and region in regions:
                tiers[1].append(p)
            elif not stores and not regions:
                tiers[2].append(p)
        return next((t for t in tiers if t), [])


def mentions(people: Sequence[Person]) -> tuple[str, ...]:
    """What the receivers @: mobiles (DingTalk) and user ids (the others skip mobiles)."""
    out: list[str] = []
    for p in people:
        out.extend(x for x in (p.mobile, p.user_id) if x and x not in out)
    return tuple(out)
