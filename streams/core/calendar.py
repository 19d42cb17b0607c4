"""Business-time arithmetic for complaint SLAs: opening hours, China's holidays and make-up days.

"First response within 4 business hours" must skip nights, weekends and public holidays, yet
count the make-up working days (调休) that helpdesk tools usually do not know about, all in the
store's own time zone. Everything here is epoch seconds in and out; wall-clock shifts are turned
into absolute instants once per local day, so the server's TZ never matters and DST days come out
23 h or 25 h long exactly as the wall clock says.

Speed: one local year at a time is laid out lazily as sorted, disjoint open intervals with the
business seconds accumulated before each, so `add` and `elapsed` are a bisect plus arithmetic
(no stepping through minutes, no datetime objects on the hot path).
"""

from __future__ import annotations

import logging
import math
import re
import time
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar  # type: ignore[import-untyped]  # ships no type information
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

log = logging.getLogger("cxpulse.calendar")

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_INDEX = {n: i for i, n in enumerate(DAY_NAMES)}
_SHIFT_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DAY_SECONDS = 86_400

# A shift in local seconds since midnight, end exclusive; 24:00 is 86400.
Shift = tuple[int, int]
Template = tuple[Shift, ...]

# Year blocks kept per calendar: an SLA engine works around "now", so a handful of years is
# plenty; the bound only stops a replay over decades from growing memory without limit.
_MAX_CACHED_YEARS = 16
# If this many consecutive local years have no business time at all, `add` can never finish.
_MAX_EMPTY_YEARS = 8


# --------------------------------------------------------------------------- config parsing


def parse_shifts(shifts: Iterable[str], where: str) -> Template:
    """`["09:00-12:00", "13:30-18:00"]` -> sorted local-second pairs; errors name `where`."""
    parsed: list[tuple[Shift, str]] = []
    for raw in shifts:
        m = _SHIFT_RE.match(raw.strip()) if isinstance(raw, str) else None
        if m is None:
            raise ValueError(f"{where}: shift {raw!r} is not 'HH:MM-HH:MM'")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise ValueError(f"{where}: shift {raw!r} has an impossible time (00:00..24:00)")
        start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
        if end <= start:
            # Overnight shifts would make one day's hours belong to two dates; split them into
            # "22:00-24:00" on one day and "00:00-06:00" on the next instead.
            raise ValueError(f"{where}: shift {raw!r} ends at or before it starts")
        parsed.append(((start, end), raw))
    parsed.sort()
    for (prev, prev_raw), (cur, cur_raw) in pairwise(parsed):
        if cur[0] < prev[1]:
            raise ValueError(f"{where}: shifts {prev_raw!r} and {cur_raw!r} overlap")
    # Touching shifts ("09:00-12:00", "12:00-18:00") are one stretch of open time.
    merged: list[Shift] = []
    for s, _ in parsed:
        if merged and merged[-1][1] == s[0]:
            merged[-1] = (merged[-1][0], s[1])
        else:
            merged.append(s)
    return tuple(merged)


def _day_key(key: str) -> list[int]:
    """'mon' -> [0]; 'mon-fri' -> [0..4]; 'fri-mon' wraps over the weekend -> [4, 5, 6, 0]."""
    parts = [p.strip().lower() for p in key.split("-")]
    if len(parts) not in (1, 2) or any(p not in _DAY_INDEX for p in parts):
        raise ValueError(
            f"weekly: bad day key {key!r}; use a day ({', '.join(DAY_NAMES)}) "
            "or a range like 'mon-fri'"
        )
    a = _DAY_INDEX[parts[0]]
    b = _DAY_INDEX[parts[-1]]
    return [(a + i) % 7 for i in range((b - a) % 7 + 1)]


def parse_weekly(weekly: dict[str, list[str]] | Literal["24x7"]) -> tuple[Template, ...]:
    """Weekly config -> one template per weekday (Monday first)."""
    if weekly == "24x7":
        return tuple(((0, _DAY_SECONDS),) for _ in range(7))
    days: list[Template | None] = [None] * 7
    owner: dict[int, str] = {}
    for key, shifts in weekly.items():
        template = parse_shifts(shifts, f"weekly[{key!r}]")
        for d in _day_key(key):
            if d in owner:
                raise ValueError(
                    f"weekly: {DAY_NAMES[d]} is given twice (in {owner[d]!r} and {key!r})"
                )
            owner[d] = key
            days[d] = template
    out = tuple(t or () for t in days)
    if not any(out):
        # Every deadline would be "never": almost certainly a config mistake, say so up front.
        raise ValueError("weekly: no opening hours on any day")
    return out


def _default_makeup(week: tuple[Template, ...]) -> Template:
    # A make-up day "works like a normal weekday": Monday's hours, or, for a shop closed on
    # Mondays, the first day of the week that has hours.
    return next(t for t in week if t)


def check_timezone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"timezone {v!r} is not a known IANA time zone name") from e
    return v


TimeZone = Annotated[str, AfterValidator(check_timezone)]  # an IANA name, checked on load


class CalendarConfig(BaseModel):
    """Opening hours of one calendar (a store, a support team)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: TimeZone = "Asia/Shanghai"
    weekly: dict[str, list[str]] | Literal["24x7"] = Field(
        default_factory=lambda: {"mon-fri": ["09:00-18:00"]}
    )
    # "cn": public holidays and make-up working days (调休) from chinesecalendar.
    holidays: Literal["cn", "none"] = "cn"
    # Shifts on a 调休 make-up working day; None means the normal weekday (Monday) hours.
    makeup_hours: list[str] | None = None
    # The company's own closing days; they override everything, holidays data included.
    closed: list[date] = Field(default_factory=list)
    # Extra working days (with makeup_hours), e.g. a sale weekend or a year the data lacks.
    open: list[date] = Field(default_factory=list)

    @field_validator("weekly")
    @classmethod
    def _check_weekly(
        cls, v: dict[str, list[str]] | Literal["24x7"]
    ) -> dict[str, list[str]] | Literal["24x7"]:
        parse_weekly(v)
        return v

    @field_validator("makeup_hours")
    @classmethod
    def _check_makeup(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            parse_shifts(v, "makeup_hours")
        return v

    @model_validator(mode="after")
    def _check_days(self) -> CalendarConfig:
        both = sorted(set(self.closed) & set(self.open))
        if both:
            raise ValueError(
                f"closed/open: {', '.join(d.isoformat() for d in both)} listed as both"
            )
        return self


# --------------------------------------------------------------------------- the calendar


@dataclass(slots=True)
class _Year:
    """One local year laid out as disjoint sorted intervals [starts[i], ends[i])."""

    year: int
    lo: float  # epoch of local Jan 1 00:00
    hi: float  # epoch of the next local Jan 1 00:00
    starts: list[float]
    ends: list[float]
    cum: list[float]  # business seconds in this year before starts[i]
    cumend: list[float]  # business seconds in this year up to ends[i]
    total: float

    def before(self, t: float) -> float:
        """Business seconds in [lo, t) for lo <= t <= hi."""
        i = bisect_right(self.ends, t)
        if i == len(self.ends):
            return self.total
        s = self.starts[i]
        return self.cum[i] + (t - s if t > s else 0.0)


class BusinessCalendar:
    """Business-time arithmetic over one `CalendarConfig`. Not thread-safe (lazy caches)."""

    def __init__(
        self,
        name: str,
        cfg: CalendarConfig,
        on_uncovered: Callable[[str, int], None] | None = None,
    ) -> None:
        self.name = name
        self.cfg = cfg
        self._tz = ZoneInfo(cfg.timezone)
        self._week = parse_weekly(cfg.weekly)
        self._makeup = (
            parse_shifts(cfg.makeup_hours, "makeup_hours")
            if cfg.makeup_hours is not None
            else _default_makeup(self._week)
        )
        self._closed = frozenset(cfg.closed)
        self._open = frozenset(cfg.open)
        self._on_uncovered = on_uncovered
        self._years: OrderedDict[int, _Year] = OrderedDict()
        self._year_start: dict[int, float] = {}
        self._covered: dict[int, bool] = {}
        # Warn once per (calendar, year), even if the year block is evicted and rebuilt.
        self._warned: set[int] = set()
        # The block the last call used: consecutive calls nearly always hit the same year.
        self._last: _Year | None = None

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.name!r}, tz={self.cfg.timezone!r})"

    # ---- holiday data

    def covered(self, year: int) -> bool:
        """Does the holiday data cover `year`? Always True with `holidays="none"` (none needed)."""
        if self.cfg.holidays == "none":
            return True
        c = self._covered.get(year)
        if c is None:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                c = True
            except NotImplementedError:
                c = False
            self._covered[year] = c
        return c

    def _warn_uncovered(self, year: int) -> None:
        if year in self._warned:
            return
        self._warned.add(year)
        log.warning(
            "calendar %r: chinesecalendar %s has no holiday data for %d; using the plain weekly "
            "hours for that year (holidays and make-up days ignored). Upgrade chinesecalendar, "
            "or list that year's days off under `closed` and make-up days under `open`.",
            self.name,
            getattr(chinese_calendar, "__version__", "?"),
            year,
        )
        if self._on_uncovered is not None:
            self._on_uncovered(self.name, year)

    def _day_template(self, d: date, use_cn: bool) -> Template:
        if d in self._closed:
            return ()
        if d in self._open:
            return self._makeup
        wd = d.weekday()
        if use_cn:
            off, name = chinese_calendar.get_holiday_detail(d)
            if wd < 5:
                return () if off else self._week[wd]
            if not off:
                return self._makeup  # a weekend day that is a make-up working day (调休)
            if name is not None:
                return ()  # a weekend day inside a holiday period (e.g. National Day week)
        return self._week[wd]

    # ---- year layout

    def _local_epoch(self, d: date, second: int) -> float:
        # Wall-clock -> instant with fold=0: a time in the spring-forward gap maps past the gap,
        # an ambiguous autumn time takes its first occurrence.
        if second >= _DAY_SECONDS:
            d, second = d + timedelta(days=1), second - _DAY_SECONDS
        h, rem = divmod(second, 3600)
        return datetime(d.year, d.month, d.day, h, rem // 60, rem % 60, tzinfo=self._tz).timestamp()

    def _start_of(self, year: int) -> float:
        s = self._year_start.get(year)
        if s is None:
            s = datetime(year, 1, 1, tzinfo=self._tz).timestamp()
            self._year_start[year] = s
        return s

    def _build(self, year: int) -> _Year:
        use_cn = self.cfg.holidays == "cn"
        if use_cn and not self.covered(year):
            self._warn_uncovered(year)
            use_cn = False
        starts: list[float] = []
        ends: list[float] = []
        d = date(year, 1, 1)
        while d.year == year:
            for a, b in self._day_template(d, use_cn):
                s, e = self._local_epoch(d, a), self._local_epoch(d, b)
                if e <= s:
                    continue  # a shift swallowed by a DST gap has no time in it
                if ends and s <= ends[-1]:
                    # Touching (24x7, midnight-spanning) or DST-overlapping stretches: merge.
                    ends[-1] = max(ends[-1], e)
                else:
                    starts.append(s)
                    ends.append(e)
            d += timedelta(days=1)
        cum: list[float] = []
        cumend: list[float] = []
        acc = 0.0
        for s, e in zip(starts, ends, strict=True):
            cum.append(acc)
            acc += e - s
            cumend.append(acc)
        return _Year(
            year, self._start_of(year), self._start_of(year + 1), starts, ends, cum, cumend, acc
        )

    def _year(self, year: int) -> _Year:
        y = self._years.get(year)
        if y is None:
            y = self._build(year)
            self._years[year] = y
            if len(self._years) > _MAX_CACHED_YEARS:
                self._years.popitem(last=False)
        else:
            self._years.move_to_end(year)
        return y

    def _block_at(self, ts: float) -> _Year:
        last = self._last
        if last is not None and last.lo <= ts < last.hi:
            return last
        if not math.isfinite(ts):
            raise ValueError(f"timestamp {ts!r} is not finite")
        # UTC year is at most one off the local year near New Year; settle it on the boundaries.
        year = time.gmtime(ts).tm_year
        while ts < self._start_of(year):
            year -= 1
        while ts >= self._start_of(year + 1):
            year += 1
        blk = self._year(year)
        self._last = blk
        return blk

    # ---- public arithmetic

    def add(self, start: float, seconds: float) -> float:
        """Epoch seconds `start` plus `seconds` of business time -> epoch seconds. If start is
        outside hours, counting begins at the next opening. seconds == 0 -> the first business
        instant >= start. A target that ends exactly at closing time returns the closing instant
        (not next morning's opening)."""
        if not seconds >= 0 or math.isinf(seconds):
            raise ValueError(f"seconds must be finite and >= 0, got {seconds!r}")
        blk = self._block_at(start)
        ends = blk.ends
        i = bisect_right(ends, start)  # first interval still open after `start`
        if i < len(ends):
            s = blk.starts[i]
            if seconds == 0:
                return start if start > s else s
            target = blk.cum[i] + (start - s if start > s else 0.0) + seconds
            if target <= blk.total:
                j = bisect_left(blk.cumend, target, i)
                return blk.starts[j] + (target - blk.cum[j])
            remaining = target - blk.total
        else:
            remaining = float(seconds)
        return self._add_later_years(blk.year + 1, remaining, seconds == 0)

    def _add_later_years(self, year: int, remaining: float, zero: bool) -> float:
        empty = 0
        while True:
            blk = self._year(year)
            if blk.starts:
                if zero:
                    return blk.starts[0]
                if remaining <= blk.total:
                    j = bisect_left(blk.cumend, remaining)
                    return blk.starts[j] + (remaining - blk.cum[j])
                remaining -= blk.total
                empty = 0
            else:
                empty += 1
                if empty >= _MAX_EMPTY_YEARS:
                    raise ValueError(
                        f"calendar {self.name!r}: no business time in {empty} years up to {year}"
                    )
            year += 1

    def elapsed(self, start: float, end: float) -> float:
        """Business seconds in [start, end); 0 if end <= start."""
        if not end > start:
            return 0.0
        b0 = self._block_at(start)
        if end <= b0.hi:
            return b0.before(end) - b0.before(start)
        total = b0.total - b0.before(start)
        b1 = self._block_at(end)
        for y in range(b0.year + 1, b1.year):
            total += self._year(y).total
        return total + b1.before(end)

    def is_open(self, ts: float) -> bool:
        blk = self._block_at(ts)
        i = bisect_right(blk.ends, ts)
        return i < len(blk.ends) and blk.starts[i] <= ts


def calendar_24x7(name: str = "24x7") -> BusinessCalendar:
    """Business time == calendar time (no holidays): for SLAs that run around the clock."""
    return BusinessCalendar(name, CalendarConfig(timezone="UTC", weekly="24x7", holidays="none"))
