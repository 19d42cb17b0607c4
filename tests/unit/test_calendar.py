"""Business-time arithmetic: opening hours, China's holidays and 调休 make-up days, time zones."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]  # ships no type information
import holidays
import pytest
from pydantic import ValidationError

from streams.core.calendar import BusinessCalendar, CalendarConfig, calendar_24x7

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
H = 3600.0


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = SH) -> float:
    return datetime(y, mo, d, h, mi, tzinfo=tz).timestamp()


def local(ts: float, tz: ZoneInfo = SH) -> datetime:
    return datetime.fromtimestamp(ts, tz)


def cal(name: str = "t", **kw: Any) -> BusinessCalendar:
    return BusinessCalendar(name, CalendarConfig(**kw))


SPLIT = {"mon-fri": ["09:00-12:00", "13:30-18:00"]}


# --------------------------------------------------------------------------- the issue's example


def test_holiday_data_around_national_day_2026() -> None:
    # The facts the example depends on, as chinesecalendar 1.11.0 has them (the State Council's
    # 2026 schedule): Mid-Autumn Festival Fri 09-25 .. Sun 09-27 off; National Day Thu 10-01 ..
    # Wed 10-07 off (10-08 is a normal Thursday); make-up days Sun 09-20 and Sat 10-10.
    off = [date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27)]
    off += [date(2026, 10, d) for d in range(1, 8)]
    assert not any(chinese_calendar.is_workday(d) for d in off)
    for d in (date(2026, 9, 20), date(2026, 10, 10)):
        assert d.weekday() >= 5 and chinese_calendar.is_workday(d)
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    # Sat 09-26 is NOT a make-up day: it is part of the Mid-Autumn break.
    assert not chinese_calendar.is_workday(date(2026, 9, 26))


def test_issue_example_16_business_hours_from_friday_before_national_day() -> None:
    c = cal()
    start = at(2026, 9, 25, 17)  # Fri 17:00 +08:00
    # Fri 09-25 is the Mid-Autumn Festival and Sat/Sun 09-26/27 belong to that break, so the
    # clock starts at Mon 09-28 09:00. Mon gives 9 h (09:00-18:00), leaving 7 h on Tue 09-29:
    # 09:00 + 7 h = Tue 2026-09-29 16:00 +08:00.
    result = c.add(start, 16 * H)
    assert result == at(2026, 9, 29, 16)
    assert local(result).isoformat() == "2026-09-29T16:00:00+08:00"
    assert c.elapsed(start, result) == 16 * H


def test_across_national_day_week_and_makeup_saturday() -> None:
    c = cal()
    # Wed 09-30 17:00: 1 h that day, 10-01..10-07 off, Thu 10-08 9 h (10 h), Fri 10-09 6 h -> 15:00.
    assert c.add(at(2026, 9, 30, 17), 16 * H) == at(2026, 10, 9, 15)
    # Fri 10-09 17:00 + 4 h: 1 h Friday, then the make-up Saturday 10-10 09:00 + 3 h = 12:00.
    assert c.add(at(2026, 10, 9, 17), 4 * H) == at(2026, 10, 10, 12)
    # And the make-up Sunday 09-20 before it.
    assert c.add(at(2026, 9, 18, 17), 2 * H) == at(2026, 9, 20, 10)


# --------------------------------------------------------------------------- basic arithmetic


def test_split_shift_skips_lunch() -> None:
    c = cal(weekly=SPLIT, holidays="none")
    # Mon 2026-03-02 11:00 + 2 h: 11:00-12:00, lunch, 13:30-14:30.
    assert c.add(at(2026, 3, 2, 11), 2 * H) == at(2026, 3, 2, 14, 30)
    assert c.elapsed(at(2026, 3, 2, 11), at(2026, 3, 2, 14, 30)) == 2 * H
    assert not c.is_open(at(2026, 3, 2, 12, 30))
    assert c.is_open(at(2026, 3, 2, 13, 30))
    assert c.elapsed(at(2026, 3, 2, 12), at(2026, 3, 2, 13, 30)) == 0
    # A full day is 3 h + 4.5 h.
    assert c.elapsed(at(2026, 3, 2), at(2026, 3, 3)) == 7.5 * H


def test_target_ending_exactly_at_closing_returns_closing_instant() -> None:
    c = cal(weekly=SPLIT, holidays="none")
    assert c.add(at(2026, 3, 2, 9), 3 * H) == at(2026, 3, 2, 12)  # not 13:30
    assert c.add(at(2026, 3, 2, 9), 7.5 * H) == at(2026, 3, 2, 18)  # not Tue 09:00
    assert c.add(at(2026, 3, 6, 9), 7.5 * H) == at(2026, 3, 6, 18)  # Friday: not Monday
    # One second more does roll over.
    assert c.add(at(2026, 3, 2, 9), 7.5 * H + 1) == at(2026, 3, 3, 9) + 1
    # Closing is exclusive: at 18:00 the calendar is closed.
    assert not c.is_open(at(2026, 3, 2, 18))
    assert c.is_open(at(2026, 3, 2, 18) - 1)


def test_zero_seconds_is_first_business_instant() -> None:
    c = cal(weekly=SPLIT, holidays="none")
    assert c.add(at(2026, 3, 2, 10), 0) == at(2026, 3, 2, 10)
    assert c.add(at(2026, 3, 2, 12, 30), 0) == at(2026, 3, 2, 13, 30)
    assert c.add(at(2026, 3, 2, 18), 0) == at(2026, 3, 3, 9)
    assert c.add(at(2026, 3, 7, 10), 0) == at(2026, 3, 9, 9)  # Saturday -> Monday


def test_start_outside_hours() -> None:
    c = cal(holidays="none")
    assert c.add(at(2026, 3, 2, 7), H) == at(2026, 3, 2, 10)  # before opening
    assert c.add(at(2026, 3, 2, 20), H) == at(2026, 3, 3, 10)  # after closing
    assert c.add(at(2026, 3, 7, 12), H) == at(2026, 3, 9, 10)  # Saturday
    assert c.elapsed(at(2026, 3, 6, 18), at(2026, 3, 9, 9)) == 0  # the weekend


def test_start_on_holiday() -> None:
    c = cal()
    assert not c.is_open(at(2026, 10, 1, 10))
    assert c.add(at(2026, 10, 1, 10), H) == at(2026, 10, 8, 10)
    assert c.elapsed(at(2026, 9, 30, 18), at(2026, 10, 8, 9)) == 0
    # Spring Festival 2026: Mon 02-16 .. Mon 02-23 off; Sat 02-14 and Sat 02-28 are make-up days.
    assert c.add(at(2026, 2, 16, 10), H) == at(2026, 2, 24, 10)


def test_makeup_saturday_counts() -> None:
    assert cal().is_open(at(2026, 10, 10, 10))
    assert not cal(holidays="none").is_open(at(2026, 10, 10, 10))
    # Own hours on make-up days.
    c = cal(makeup_hours=["10:00-15:00"])
    assert not c.is_open(at(2026, 10, 10, 9, 30))
    assert c.is_open(at(2026, 10, 10, 10))
    assert c.add(at(2026, 10, 9, 17), 2 * H) == at(2026, 10, 10, 11)
    assert c.elapsed(at(2026, 10, 10), at(2026, 10, 11)) == 5 * H
    # Default make-up hours are the normal weekday hours, split shifts included.
    assert cal(weekly=SPLIT).elapsed(at(2026, 10, 10), at(2026, 10, 11)) == 7.5 * H


def test_weekend_hours_kept_but_holiday_weekend_closed() -> None:
    c = cal(weekly={"mon-fri": ["09:00-18:00"], "sat-sun": ["10:00-16:00"]})
    assert c.is_open(at(2026, 3, 7, 11))  # plain Saturday
    assert not c.is_open(at(2026, 10, 3, 11))  # Saturday inside National Day week
    assert c.elapsed(at(2026, 10, 10), at(2026, 10, 11)) == 9 * H  # make-up Sat: weekday hours


def test_closed_and_open_overrides() -> None:
    # closed: Wed 03-04 is skipped.
    c = cal(holidays="none", closed=[date(2026, 3, 4)])
    assert c.add(at(2026, 3, 3, 17), 2 * H) == at(2026, 3, 5, 10)
    # open: Sat 03-07 works (with the make-up hours).
    c = cal(holidays="none", open=[date(2026, 3, 7)], makeup_hours=["10:00-14:00"])
    assert c.add(at(2026, 3, 6, 17), 2 * H) == at(2026, 3, 7, 11)
    # closed beats the holiday data's make-up day; open beats a holiday.
    c = cal(closed=[date(2026, 10, 10)], open=[date(2026, 10, 5)])
    assert not c.is_open(at(2026, 10, 10, 10))
    assert c.add(at(2026, 10, 9, 17), 2 * H) == at(2026, 10, 12, 10)
    assert c.add(at(2026, 9, 30, 17), 2 * H) == at(2026, 10, 5, 10)


def test_24x7_equals_calendar_time() -> None:
    c = calendar_24x7()
    assert c.name == "24x7"
    rng = random.Random(7)
    for _ in range(2000):
        t = float(rng.randrange(1_600_000_000, 1_900_000_000))
        s = float(rng.randrange(0, 3 * 365 * 86400))
        assert c.add(t, s) == t + s
        assert c.elapsed(t, t + s) == s
        assert c.is_open(t)


def test_elapsed_is_zero_for_empty_or_reversed_range() -> None:
    c = cal()
    t = at(2026, 3, 2, 10)
    assert c.elapsed(t, t) == 0
    assert c.elapsed(t, t - H) == 0


def test_bad_arguments() -> None:
    c = cal()
    with pytest.raises(ValueError, match="seconds"):
        c.add(at(2026, 3, 2, 10), -1)
    with pytest.raises(ValueError, match="seconds"):
        c.add(at(2026, 3, 2, 10), float("nan"))
    with pytest.raises(ValueError, match="finite"):
        c.add(float("inf"), 1)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"weekly": SPLIT},
        {"weekly": {"mon-fri": ["09:00-18:00"], "sat": ["10:00-14:00"]}, "holidays": "none"},
        {"weekly": "24x7"},
        {"timezone": "Europe/Berlin", "holidays": "none", "weekly": {"mon-sun": ["01:30-03:30"]}},
    ],
)
def test_elapsed_inverts_add_property(kw: dict[str, Any]) -> None:
    c = cal(**kw)
    rng = random.Random(2024)
    lo, hi = at(2024, 1, 1), at(2026, 11, 1)
    for _ in range(3000):
        t = float(rng.randrange(int(lo), int(hi)))
        s = float(rng.choice([0, 1, 59, 60, 3600]) or rng.randrange(0, 10 * 86400))
        r = c.add(t, s)
        assert r >= t
        assert c.elapsed(t, r) == s, (local(t), s, local(r))
        if s > 0:
            # The result is the end of business time: the second before it was open.
            assert c.is_open(r - 1)
        else:
            assert c.is_open(r)
            assert c.elapsed(t, r) == 0


# --------------------------------------------------------------------------- time zones and DST


@pytest.fixture
def server_tz_los_angeles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.usefixtures("server_tz_los_angeles")
def test_results_do_not_depend_on_server_timezone() -> None:
    assert time.localtime(0).tm_hour == 16  # the server really is on Pacific time now
    c = cal()
    assert c.add(at(2026, 9, 25, 17), 16 * H) == at(2026, 9, 29, 16)
    # A store in Urumqi (UTC+6, China's holidays): 09:00-18:00 local = 03:00-12:00 UTC.
    u = cal(timezone="Asia/Urumqi")
    assert u.add(at(2026, 3, 2, 2, tz=UTC), 0) == at(2026, 3, 2, 3, tz=UTC)
    assert u.is_open(at(2026, 3, 2, 11, 59, tz=UTC))
    assert u.add(at(2026, 3, 2, 12, tz=UTC), 0) == at(2026, 3, 3, 3, tz=UTC)
    assert u.add(at(2026, 3, 2, 11, tz=UTC), 2 * H) == at(2026, 3, 3, 4, tz=UTC)
    # The same hours in Shanghai (UTC+8) open 2 h earlier in UTC.
    assert c.add(at(2026, 3, 2, 0, tz=UTC), 0) == at(2026, 3, 2, 1, tz=UTC)


def test_berlin_store_across_spring_dst_change() -> None:
    c = cal(timezone="Europe/Berlin", holidays="none")
    # Fri 2026-03-27 17:00 CET + 2 h -> Mon 2026-03-30 10:00 CEST (= 08:00 UTC): the clocks
    # went forward on Sun 03-29, and opening hours follow the wall clock.
    r = c.add(at(2026, 3, 27, 17, tz=BERLIN), 2 * H)
    assert r == at(2026, 3, 30, 8, tz=UTC)
    assert local(r, BERLIN).hour == 10
    # Before the change 09:00 local is 08:00 UTC, after it 07:00 UTC.
    assert c.add(at(2026, 3, 27, 7, tz=BERLIN), 0) == at(2026, 3, 27, 8, tz=UTC)
    assert c.add(at(2026, 3, 30, 7, tz=BERLIN), 0) == at(2026, 3, 30, 7, tz=UTC)


def test_dst_day_lengths() -> None:
    c = cal(timezone="Europe/Berlin", weekly="24x7", holidays="none")
    assert c.elapsed(at(2026, 3, 28, tz=BERLIN), at(2026, 3, 29, tz=BERLIN)) == 24 * H
    assert c.elapsed(at(2026, 3, 29, tz=BERLIN), at(2026, 3, 30, tz=BERLIN)) == 23 * H
    assert c.elapsed(at(2026, 10, 25, tz=BERLIN), at(2026, 10, 26, tz=BERLIN)) == 25 * H
    # A night shift across the change: 01:00-04:00 wall clock is 2 h in spring, 4 h in autumn.
    n = cal(timezone="Europe/Berlin", weekly={"sun": ["01:00-04:00"]}, holidays="none")
    assert n.elapsed(at(2026, 3, 29, tz=BERLIN), at(2026, 3, 30, tz=BERLIN)) == 2 * H
    assert n.elapsed(at(2026, 10, 25, tz=BERLIN), at(2026, 10, 26, tz=BERLIN)) == 4 * H
    assert n.elapsed(at(2026, 3, 22, tz=BERLIN), at(2026, 3, 23, tz=BERLIN)) == 3 * H


def test_multi_year_spans() -> None:
    c = cal(holidays="none")
    t = at(2024, 6, 3, 9)
    # 2024-06-03 .. 2026-06-01 is exactly 104 weeks = 520 weekdays of 9 h.
    assert c.elapsed(t, at(2026, 6, 1, 9)) == 520 * 9 * H
    assert c.add(t, 520 * 9 * H) == at(2026, 5, 29, 18)  # ends at Friday's closing


# --------------------------------------------------------------------------- uncovered years


def test_uncovered_year_falls_back_to_weekly_hours_and_reports_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[tuple[str, int]] = []
    c = BusinessCalendar("store-7", CalendarConfig(), on_uncovered=lambda n, y: seen.append((n, y)))
    assert c.covered(2026) and not c.covered(2027)
    caplog.set_level(logging.WARNING, logger="cxpulse.calendar")
    # 2026 needs no fallback.
    c.add(at(2026, 6, 1, 10), H)
    assert seen == [] and not caplog.records
    # Fri 2027-01-01 would be New Year's Day, but without data the weekly hours apply.
    assert c.is_open(at(2027, 1, 1, 10))
    assert c.add(at(2026, 12, 31, 17), 2 * H) == at(2027, 1, 1, 10)
    for i in range(500):
        c.add(at(2027, 3, 1, 9) + i * 997, 4 * H)
        c.elapsed(at(2026, 12, 1), at(2027, 2, 1) + i)
        c.is_open(at(2027, 5, 1) + i * 60)
    assert seen == [("store-7", 2027)]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    msg = warnings[0].getMessage()
    assert "store-7" in msg and "2027" in msg
    assert "Upgrade chinesecalendar" in msg and "`closed`" in msg and "`open`" in msg
    # Overrides still apply in an uncovered year.
    d = cal(closed=[date(2027, 1, 1)])
    assert not d.is_open(at(2027, 1, 1, 10))


def test_uncovered_year_without_callback_and_with_no_holidays() -> None:
    assert cal().is_open(at(2027, 1, 4, 10))  # no callback given: just the log

    def boom(name: str, year: int) -> None:
        raise AssertionError(f"on_uncovered({name!r}, {year}) with holidays='none'")

    n = BusinessCalendar("n", CalendarConfig(holidays="none"), on_uncovered=boom)
    assert n.covered(2027)  # nothing to cover
    assert n.is_open(at(2027, 1, 1, 10))  # and the callback is never called


# ---------------------------------------------------------------- holiday data cross-check


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_chinesecalendar_agrees_with_holidays_cn(year: int) -> None:
    # holidays.CN lists statutory holidays plus the weekday "Day off (substituted ...)" entries;
    # chinesecalendar's off-days also include weekend days inside a holiday period. So compare
    # on weekdays, in both directions, and compare the make-up weekend days too. With
    # chinesecalendar 1.11.0 and holidays 0.109 there are no differences for 2024-2026.
    # (holidays.CN also lists weekend holidays such as Sun 2026-04-05 with an "observed"
    # weekday; those weekday entries are off-days in chinesecalendar as well.)
    cn = holidays.country_holidays("CN", years=year)
    days = [date(year, 1, 1) + timedelta(n) for n in range(366)]
    days = [d for d in days if d.year == year]
    hcn_weekday_off = {d for d in cn if d.year == year and d.weekday() < 5}
    cc_weekday_off = {d for d in days if d.weekday() < 5 and not chinese_calendar.is_workday(d)}
    assert hcn_weekday_off == cc_weekday_off
    # Every holidays.CN date (weekend ones too) is an off-day in chinesecalendar.
    assert all(not chinese_calendar.is_workday(d) for d in cn if d.year == year)
    hcn_makeup = {d for d in cn.weekend_workdays if d.year == year}
    cc_makeup = {d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)}
    assert hcn_makeup == cc_makeup
    assert len(cc_weekday_off) >= 10  # sanity: the data is really there


def test_calendar_follows_chinesecalendar_every_day() -> None:
    c = cal(weekly={"mon-sun": ["09:00-18:00"]})  # open every day unless the data says off
    for n in range(3 * 366):
        d = date(2024, 1, 1) + timedelta(n)
        if d.year > 2026:
            break
        works = chinese_calendar.is_workday(d)
        holiday_period = chinese_calendar.get_holiday_detail(d)[1] is not None
        expected = works or (d.weekday() >= 5 and not holiday_period)
        assert c.is_open(at(d.year, d.month, d.day, 12)) == expected, d


# --------------------------------------------------------------------------- config validation


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        (
            {"weekly": {"mon-fri": ["09:00-12:00", "11:00-18:00"]}},
            "'09:00-12:00' and '11:00-18:00'",
        ),
        ({"weekly": {"monday-fri": ["09:00-18:00"]}}, "'monday-fri'"),
        ({"weekly": {"mon-fri": ["09:00-18:00"], "wed": ["10:00-11:00"]}}, "wed is given twice"),
        ({"weekly": {"mon": ["18:00-09:00"]}}, "'18:00-09:00' ends at or before"),
        ({"weekly": {"mon": ["9-18"]}}, "'9-18' is not 'HH:MM-HH:MM'"),
        ({"weekly": {"mon": ["09:00-24:30"]}}, "'09:00-24:30'"),
        ({"weekly": {"sat": []}}, "no opening hours"),
        ({"weekly": "24/7"}, "weekly"),
        ({"timezone": "Asia/Shanghi"}, "'Asia/Shanghi' is not a known IANA"),
        ({"makeup_hours": ["09:00-13:00", "12:00-18:00"]}, "makeup_hours"),
        ({"holidays": "us"}, "holidays"),
        ({"closed": [date(2026, 3, 2)], "open": [date(2026, 3, 2)]}, "2026-03-02"),
        ({"hours": "9-5"}, "hours"),  # extra="forbid"
    ],
)
def test_config_errors_name_the_entry(kw: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError) as e:
        CalendarConfig(**kw)
    assert needle in str(e.value)


def test_config_accepts_valid_forms() -> None:
    CalendarConfig(weekly={"mon": ["00:00-24:00"], "tue-thu": ["09:00-12:00", "12:00-18:00"]})
    CalendarConfig(weekly={"FRI-MON": ["10:00-16:00"]})  # wraps over the weekend
    c = cal(weekly={"fri-mon": ["10:00-16:00"]}, holidays="none")
    assert c.is_open(at(2026, 3, 8, 11)) and c.is_open(at(2026, 3, 9, 11))
    assert not c.is_open(at(2026, 3, 10, 11))
    assert (
        cal(weekly={"mon": ["00:00-24:00"]}, holidays="none").elapsed(
            at(2026, 3, 2), at(2026, 3, 3)
        )
        == 24 * H
    )
