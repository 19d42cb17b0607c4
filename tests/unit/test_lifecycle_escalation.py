"""Escalation chains: steps and waits, acknowledgement stops them, an ack timeout re-arms and
restarts them, and the duty roster decides who is mentioned (business hours included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.lifecycle import AlertsConfig
from alerts.lifecycle.config import Person, Scope
from alerts.lifecycle.roster import Roster
from alerts.notify.base import Notification
from streams.core.sla.policy import DEFAULT_CALENDARS
from tests.lifecycle_helpers import T0, Run, event, minutes, receivers

SHOP = "13800000001"  # 王店长, the store's duty manager, 09:00-21:00
NIGHT = "13800000002"  # 夜班李, duty manager for every store at night
AREA = "13800000003"  # 区域赵, area manager of the east region
DIRECTOR = "13800000004"

CFG = AlertsConfig.model_validate(
    {
        "receivers": receivers("duty", "area"),
        "route": {"receiver": "duty", "group_by": ["store_id"], "escalation": "store"},
        "escalation": {
            "store": {
                "mention": "duty_manager",
                "steps": [
                    {"wait": "10m", "role": "area_manager", "receiver": "area"},
                    {"wait": "10m", "role": "director", "receiver": "area"},
                ],
                "repeat": 1,
            }
        },
        "roster": [
            {
                "name": "王店长",
                "mobile": SHOP,
                "role": "duty_manager",
                "scope": {"store_ids": ["S001"]},
                "weekly": {"mon-sun": ["09:00-21:00"]},
            },
            {
                "name": "夜班李",
                "mobile": NIGHT,
                "role": "duty_manager",
                "weekly": {"mon-sun": ["00:00-09:00", "21:00-24:00"]},
            },
            {
                "name": "区域赵",
                "mobile": AREA,
                "role": "area_manager",
                "scope": {"regions": ["east"]},
            },
            {"name": "总监", "mobile": DIRECTOR, "role": "director"},
        ],
    }
)
PAGE = T0 + timedelta(seconds=30)  # the first, grouped page (group_wait)


def summary(sent: list[Notification]) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(n.receiver, n.escalation_step, n.mention) for n in sent]


def test_without_ack_the_chain_runs_its_steps_and_repeats_then_stops() -> None:
    run = Run(CFG)
    e = event(kind="crisis", severity="critical", rule="crisis_burst", at=T0)
    run.apply(e)
    assert summary(run.tick(PAGE)) == [("duty", 0, (SHOP,))]
    assert run.tick(PAGE + minutes(10) - timedelta(seconds=1)) == []
    assert summary(run.tick(PAGE + minutes(10))) == [("area", 1, (AREA,))]
    assert summary(run.tick(PAGE + minutes(20))) == [("area", 2, (DIRECTOR,))]
    assert summary(run.tick(PAGE + minutes(30))) == [("area", 3, (AREA,))]  # repeat 1
    assert summary(run.tick(PAGE + minutes(40))) == [("area", 4, (DIRECTOR,))]
    assert run.tick(PAGE + minutes(120)) == []  # 2 steps x (1 + repeat 1), then done
    a = run.alert(e)
    assert (a.escalation_step, a.next_escalation_at) == (4, None)
    escalated = [c.detail for c in run.store.history(e.fingerprint) if c.action == "escalated"]
    assert escalated[0] == "step 1 -> area area_manager: 区域赵"


def test_a_late_tick_runs_every_overdue_step_once() -> None:
    run = Run(CFG)
    run.apply(event(at=T0))
    run.tick(PAGE)
    assert [n.escalation_step for n in run.tick(PAGE + minutes(25))] == [1, 2]
    assert run.tick(PAGE + minutes(25)) == []


def test_acknowledging_stops_the_chain() -> None:
    run = Run(CFG.model_copy(update={"ack_timeout": 0.0}))
    e = event(at=T0)
    run.apply(e)
    run.tick(PAGE)
    run.engine.acknowledge(run.store, e.fingerprint, "王店长", PAGE + minutes(3))
    for t in (10, 20, 60, 300):
        assert run.tick(PAGE + minutes(t)) == [], t
    assert run.alert(e).next_escalation_at is None


def test_an_ack_that_times_out_while_still_firing_re_arms_and_restarts_the_chain() -> None:
    run = Run(CFG)  # ack_timeout 30 min
    e = event(at=T0)
    run.apply(e)
    run.tick(PAGE)
    run.engine.acknowledge(run.store, e.fingerprint, "王店长", PAGE + minutes(7))
    assert run.tick(PAGE + minutes(36)) == []  # acknowledged: no escalation
    assert run.tick(PAGE + minutes(37)) == []  # re-armed; the page waits for the group's tick
    a = run.alert(e)
    assert (a.state, a.acked_by, a.ack_until) == ("firing", None, None)
    assert [c.action for c in run.store.history(e.fingerprint)][-1] == "ack_expired"
    # The group's 5-minute cadence from the first page: PAGE + 8 x 5 min.
    assert run.tick(PAGE + minutes(40) - timedelta(seconds=1)) == []
    assert summary(run.tick(PAGE + minutes(40))) == [("duty", 0, (SHOP,))]
    assert summary(run.tick(PAGE + minutes(50))) == [("area", 1, (AREA,))]  # chain from step 1


def test_resolving_stops_the_chain() -> None:
    run = Run(CFG)
    e = event(at=T0)
    run.apply(e)
    run.tick(PAGE)
    run.apply(event(status="resolved", at=T0 + minutes(4), starts_at=T0))
    sent = run.tick(PAGE + minutes(10))
    assert [(n.receiver, n.status) for n in sent] == [("duty", "resolved")]


def test_a_silenced_alert_does_not_escalate() -> None:
    run = Run(CFG)
    e = event(at=T0)
    run.apply(e)
    run.tick(PAGE)
    run.engine.silence(
        run.store,
        matchers=['store_id="S001"'],
        ends_at=T0 + minutes(600),
        created_by="x",
        now=T0 + minutes(2),
    )
    assert run.tick(PAGE + minutes(10)) == []
    assert run.tick(PAGE + minutes(20)) == []


def test_at_night_the_first_page_mentions_the_night_duty_manager() -> None:
    run = Run(CFG)
    night = T0 + timedelta(hours=10)  # 22:00 in Shanghai
    run.apply(event(at=night))
    (page,) = run.tick(night + timedelta(seconds=30))
    assert page.mention == (NIGHT,)


def test_roster_follows_an_sla_calendar_with_holidays_and_make_up_days() -> None:
    office = Person(name="客服组", mobile="1", role="desk", calendar="office")
    roster = Roster([office], DEFAULT_CALENDARS)
    shanghai_10am = timedelta(hours=2)  # 10:00 +08:00 is 02:00 UTC

    def at(y: int, mo: int, d: int) -> datetime:
        return datetime(y, mo, d, tzinfo=UTC) + shanghai_10am

    assert roster.lookup("desk", {}, at(2026, 11, 23)) == [office]  # a Monday
    assert roster.lookup("desk", {}, at(2026, 11, 22)) == []  # a Sunday
    assert roster.lookup("desk", {}, at(2026, 10, 1)) == []  # National Day, a Thursday
    assert roster.lookup("desk", {}, at(2026, 10, 10)) == [office]  # a make-up Saturday (调休)


def test_the_most_specific_scope_wins() -> None:
    people = [
        Person(name="店", role="r", scope=Scope(store_ids=["S001"])),
        Person(name="区", role="r", scope=Scope(regions=["east"])),
        Person(name="总", role="r"),
    ]
    roster = Roster(people)

    def names(labels: dict[str, str]) -> list[str]:
        return [p.name for p in roster.lookup("r", labels, T0)]

    assert names({"store_id": "S001", "region": "east"}) == ["店"]
    assert names({"store_id": "S002", "region": "east"}) == ["区"]
    assert names({"store_id": "S002", "region": "west"}) == ["总"]


def test_on_a_public_holiday_a_role_with_nobody_on_duty_falls_back() -> None:
    office = Person(name="店长", mobile="1", role="manager", calendar="office")
    desk = Person(name="值班台", mobile="2", role="duty-desk")  # no hours: always on
    national_day = datetime(2026, 10, 1, 2, tzinfo=UTC)  # 10:00 in Shanghai, a holiday
    assert Roster([office, desk], DEFAULT_CALENDARS).lookup("manager", {}, national_day) == []
    roster = Roster([office, desk], DEFAULT_CALENDARS, fallback_role="duty-desk")
    assert roster.lookup("manager", {}, national_day) == [desk]
    workday = datetime(2026, 10, 9, 2, tzinfo=UTC)
    assert roster.lookup("manager", {}, workday) == [office]  # the manager when on duty


def test_start_up_names_the_days_a_role_reaches_nobody(caplog: pytest.LogCaptureFixture) -> None:
    from alerts.lifecycle.config import AlertsConfig
    from alerts.lifecycle.engine import Engine
    from alerts.main import warn_roster_gaps

    cfg = AlertsConfig(
        receivers=[{"type": "webhook", "name": "hook", "url": "http://127.0.0.1:9/x"}],
        roster=[{"name": "店长", "mobile": "1", "role": "manager", "calendar": "office"}],
        escalation={"duty": {"mention": "manager", "steps": []}},
    )
    engine = Engine(cfg, calendars=DEFAULT_CALENDARS)
    start = datetime(2026, 9, 30, 16, tzinfo=UTC)  # midnight in Shanghai, Oct 1
    with caplog.at_level("WARNING"):
        gaps = warn_roster_gaps(engine, start, days=8)
    # National Day week: Oct 1-7 off, then the make-up working day Oct 10 is past the window
    assert gaps == {"manager": [f"2026-10-0{d}" for d in range(1, 8)]}
    assert "alerts.fallback_role" in caplog.text
