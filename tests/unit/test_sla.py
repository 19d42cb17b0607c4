"""SLA clocks on the pure core: the issue's edge cases, with exact minutes.

Calendar "office": Mon-Fri 09:00-12:00 and 13:30-18:00 Asia/Shanghai, China's holidays and
make-up days. 2026-11-23 is a Monday; National Day 2026 is off from Oct 1 to Oct 7.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from schemas.events import EVENT_ADAPTER, Complaint
from streams.core.sla import engine as sla
from streams.core.sla import packed
from streams.core.sla.due import DueQueue
from streams.core.sla.policy import Match, Policy, SlaConfig, Targets

SH = timezone(timedelta(hours=8))
ENGINE = sla.Engine(SlaConfig())


def ts(text: str) -> float:
    return datetime.fromisoformat(text + "+08:00").timestamp()


def hm(t: datetime) -> str:
    return t.astimezone(SH).strftime("%m-%d %H:%M")


def complaint(
    n: int, action: str, at: str, tier: str = "vip", tags: tuple[str, ...] = (), cid: str = "K1"
) -> Complaint:
    ev = EVENT_ADAPTER.validate_python(
        {
            "event_id": f"{cid}-{n}",
            "event_type": "complaint",
            "occurred_at": at + "+08:00",
            "source": "t",
            "store_id": "S1",
            "complaint_id": cid,
            "action": action,
            "customer": {"tier": tier, "tags": list(tags)},
        },
        strict=False,
    )
    assert isinstance(ev, Complaint)
    return ev


class Run:
    """Feeds events and ticks like a shell would; collects every output."""

    def __init__(self, engine: sla.Engine = ENGINE) -> None:
        self.engine = engine
        self.state: sla.ComplaintState | None = None
        self.events: list[Any] = []
        self.alerts: list[Any] = []

    def event(self, ev: Complaint, now: str | None = None) -> sla.Result:
        r = sla.on_event(
            self.engine, self.state, ev, ts(now) if now else ev.occurred_at.timestamp()
        )
        return self._keep(r)

    def until(self, now: str) -> None:
        """Fire every due deadline up to `now`, each at its own instant."""
        assert self.state is not None
        while self.state.next_due is not None and self.state.next_due <= ts(now):
            self._keep(sla.on_due(self.engine, self.state, self.state.next_due))

    def _keep(self, r: sla.Result) -> sla.Result:
        self.state = r.state
        self.events += r.sla_events
        self.alerts += r.alerts
        return r

    def clock(self, name: str, cycle: int = 0) -> list[tuple[str, str]]:
        return [
            (e.transition, hm(e.at)) for e in self.events if e.clock == name and e.cycle == cycle
        ]


def test_unanswered_vip_complaint_warns_at_80_percent_then_breaches() -> None:
    run = Run()
    run.event(complaint(1, "opened", "2026-11-23T10:15:00"))
    run.until("2026-11-23T12:00:00")
    assert run.clock("first_response") == [
        ("activated", "11-23 10:15"),
        ("warned", "11-23 11:03"),
        ("breached", "11-23 11:15"),
    ]
    assert [(a.rule, a.status, a.severity) for a in run.alerts] == [
        ("sla_warning", "firing", "warning"),
        ("sla_warning", "resolved", "warning"),
        ("sla_breach", "firing", "critical"),
    ]
    assert run.alerts[-1].labels["customer_tier"] == "vip"


def test_reply_after_the_breach_fulfils_late_and_resolves_the_alert() -> None:
    run = Run()
    run.event(complaint(1, "opened", "2026-11-23T10:15:00"))
    run.until("2026-11-23T11:30:00")
    run.event(complaint(2, "agent_replied", "2026-11-23T11:30:00"))
    fulfilled = [e for e in run.events if e.clock == "first_response"][-1]
    assert fulfilled.transition == "fulfilled" and fulfilled.late_by_seconds == 15 * 60
    last = run.alerts[-1]
    assert (last.rule, last.status) == ("sla_breach", "resolved")
    assert last.fingerprint == run.alerts[-2].fingerprint  # the same alert, now resolved


def test_target_ending_exactly_at_closing_time_is_due_at_closing() -> None:
    run = Run()
    run.event(complaint(1, "opened", "2026-11-23T17:00:00"))
    run.until("2026-11-24T12:00:00")
    assert ("breached", "11-23 18:00") in run.clock("first_response")


def test_business_hours_skip_the_lunch_break_and_the_night() -> None:
    run = Run()
    run.event(complaint(1, "opened", "2026-11-23T11:30:00", tier="regular"))  # 4 h target
    run.until("2026-11-25T00:00:00")
    # 11:30-12:00 (30 min) + 13:30-17:00 (3 h 30) = 4 h
    assert ("breached", "11-23 17:00") in run.clock("first_response")
    run2 = Run()
    run2.event(complaint(1, "opened", "2026-11-23T17:00:00", tier="regular"))
    run2.until("2026-11-25T00:00:00")
    # 17:00-18:00 (1 h), then Tuesday 09:00 + 3 h = 12:00
    assert ("breached", "11-24 12:00") in run2.clock("first_response")


def test_pause_spanning_national_day() -> None:
    run = Run()
    run.event(complaint(1, "opened", "2026-09-30T16:00:00", tier="regular"))  # 4 h target
    run.event(complaint(2, "pending", "2026-09-30T17:00:00"))  # 1 h used
    run.event(complaint(3, "resumed", "2026-10-08T10:00:00"))  # Oct 1-7 off anyway
    run.until("2026-10-09T00:00:00")
    # 3 h left from Oct 8 10:00: 10:00-12:00, then 13:30-14:30
    assert run.clock("first_response") == [
        ("activated", "09-30 16:00"),
        ("paused", "09-30 17:00"),
        ("resumed", "10-08 10:00"),
        ("warned", "10-08 13:42"),
        ("breached", "10-08 14:30"),
    ]


def test_agent_reply_that_arrives_before_the_opening() -> None:
    run = Run()
    r = run.event(complaint(2, "agent_replied", "2026-11-23T10:30:00"))
    assert r.sla_events == ()  # nothing runs before the complaint is opened
    run.event(complaint(1, "opened", "2026-11-23T10:00:00"), now="2026-11-23T10:31:00")
    assert run.clock("first_response") == [
        ("activated", "11-23 10:00"),
        ("fulfilled", "11-23 10:30"),
    ]
    assert run.alerts == []


def test_late_customer_reply_lands_where_it_happened() -> None:
    run = Run()
    run.event(complaint(1, "opened", "2026-11-23T10:00:00"))
    run.event(complaint(2, "agent_replied", "2026-11-23T10:10:00"))
    run.event(complaint(4, "agent_replied", "2026-11-23T11:20:00"))
    run.event(complaint(3, "customer_replied", "2026-11-23T11:00:00"), now="2026-11-23T11:21:00")
    assert run.clock("next_response") == [
        ("activated", "11-23 11:00"),
        ("fulfilled", "11-23 11:20"),
    ]


def test_duplicates_change_nothing() -> None:
    run = Run()
    first = run.event(complaint(1, "opened", "2026-11-23T10:00:00"))
    again = run.event(complaint(1, "opened", "2026-11-23T10:00:00"))
    assert first.sla_events and again.outcome == "duplicate" and again.sla_events == ()


def test_reopen_after_resolve_restarts_resolution_and_cancels_follow_up() -> None:
    run = Run()
    for n, (action, at) in enumerate(
        [
            ("opened", "2026-11-23T10:00:00"),
            ("agent_replied", "2026-11-23T10:10:00"),
            ("resolved", "2026-11-23T11:00:00"),
            ("reopened", "2026-11-23T14:00:00"),
        ]
    ):
        run.event(complaint(n, action, at))
    assert run.clock("resolution", 0) == [
        ("activated", "11-23 10:00"),
        ("fulfilled", "11-23 11:00"),
    ]
    assert run.clock("resolution", 1) == [("activated", "11-23 14:00")]
    assert run.clock("follow_up") == [("activated", "11-23 11:00"), ("cancelled", "11-23 14:00")]


def test_restart_from_json_state_emits_nothing_twice() -> None:
    run = Run()
    run.event(complaint(1, "opened", "2026-11-23T10:15:00"))
    run.until("2026-11-23T11:20:00")
    assert run.state is not None
    restored = sla.ComplaintState.from_json(json.loads(json.dumps(run.state.to_json())))
    again = sla.on_due(ENGINE, restored, ts("2026-11-23T11:20:00"))
    assert again.sla_events == () and again.alerts == ()


class PackedRun(Run):
    """Like the worker: between steps the state exists only in its packed form."""

    def _keep(self, r: sla.Result) -> sla.Result:
        blob = packed.pack(r.state)
        self.state = packed.unpack(blob)
        assert self.state == r.state
        self.events += r.sla_events
        self.alerts += r.alerts
        return r


def test_packed_state_round_trips_and_changes_no_output() -> None:
    steps = [
        complaint(1, "agent_replied", "2026-11-23T10:20:00", tags=("media",)),  # before opened
        complaint(2, "opened", "2026-11-23T10:15:00", tags=("media",)).model_copy(
            update={"category": "服务态度"}
        ),
        complaint(2, "opened", "2026-11-23T10:15:00", tags=("media",)),  # a duplicate
        complaint(3, "customer_replied", "2026-11-23T11:00:00"),
        complaint(4, "pending", "2026-11-23T11:30:00"),
        complaint(5, "resumed", "2026-11-24T09:30:00"),
        complaint(6, "resolved", "2026-11-24T15:00:00"),
        complaint(7, "reopened", "2026-11-25T10:00:00"),
        complaint(8, "resolved", "2026-11-25T11:00:00"),
        complaint(9, "follow_up_done", "2026-11-26T11:00:00"),
        complaint(10, "closed", "2026-11-26T12:00:00"),
    ]
    plain, compact = Run(), PackedRun()
    for ev in steps:
        for run in (plain, compact):
            run.event(ev)
            run.until(ev.occurred_at.isoformat()[:19])
    assert compact.state is not None and compact.state.next_due is None
    assert compact.state.status == "closed" and compact.state.category == "服务态度"
    assert [e.model_dump() for e in compact.events] == [e.model_dump() for e in plain.events]
    assert [a.model_dump() for a in compact.alerts] == [a.model_dump() for a in plain.alerts]
    assert len(compact.events) > 20 and compact.alerts
    with pytest.raises(ValueError):
        packed.unpack(json.dumps(compact.state.to_json()).encode())


def test_special_customer_escalates_at_once_around_the_clock() -> None:
    run = Run()
    run.event(complaint(1, "opened", "2026-11-28T22:00:00", tier="regular", tags=("media",)))
    assert [(a.rule, a.status, a.severity) for a in run.alerts] == [
        ("special_customer_complaint", "firing", "critical")
    ]
    run.until("2026-11-28T23:00:00")  # a Saturday night: the 24x7 calendar still counts
    assert ("breached", "11-28 22:30") in run.clock("first_response")
    run.event(complaint(2, "resolved", "2026-11-29T09:00:00"))
    assert ("special_customer_complaint", "resolved") in [(a.rule, a.status) for a in run.alerts]


def test_first_matching_policy_wins_and_config_is_checked() -> None:
    cfg = SlaConfig()
    assert (
        cfg.select(complaint(1, "opened", "2026-11-23T10:00:00", tier="vip", tags=("lawyer",))).name
        == "special-customer"
    )
    assert cfg.select(complaint(1, "opened", "2026-11-23T10:00:00", tier="gold")).name == "gold"
    with pytest.raises(ValueError, match="calendar 'nope'"):
        SlaConfig(policies=[Policy(name="x", targets=Targets(first_response=60), calendar="nope")])
    with pytest.raises(ValueError, match="last policy must match everything"):
        SlaConfig(
            policies=[
                Policy(name="x", match=Match(tiers=["vip"]), targets=Targets(first_response=60))
            ]
        )
    assert Targets(first_response="1h30m").first_response == 5400


def test_store_in_another_time_zone_uses_its_own_hours() -> None:
    cfg = SlaConfig.model_validate(
        {
            "calendars": {
                "berlin": {
                    "timezone": "Europe/Berlin",
                    "holidays": "none",
                    "weekly": {"mon-fri": ["09:00-17:00"]},
                }
            },
            "policies": [{"name": "eu", "calendar": "berlin", "targets": {"first_response": "2h"}}],
        }
    )
    run = Run(sla.Engine(cfg))
    # 16:00 in Berlin (UTC+1 in November) is 23:00 in Shanghai
    run.event(complaint(1, "opened", "2026-11-23T23:00:00", tier="regular"))
    run.until("2026-11-25T00:00:00")
    # 1 h on Monday (16:00-17:00 Berlin), then Tuesday 09:00 Berlin + 1 h = 10:00 = 17:00 +08
    assert ("breached", "11-24 17:00") in run.clock("first_response")


def test_due_queue_finds_the_earliest_among_many() -> None:
    q: DueQueue[int] = DueQueue()
    for k in range(100_000):
        q.set(k, float((k * 7919) % 100_000))
    for k in range(0, 100_000, 2):
        q.set(k, None if k % 4 == 0 else 1e9)  # answered, or moved far out
    assert len(q) == 75_000  # a quarter answered (removed)
    due = q.pop_due(10.0)
    assert sorted(k for _, k in due) == sorted(
        k for k in range(1, 100_000, 2) if (k * 7919) % 100_000 <= 10
    )
    assert all(d <= 10.0 for d, _ in due)
