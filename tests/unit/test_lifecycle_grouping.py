"""Grouping timers with Alertmanager's semantics: group_wait, group_interval, repeat_interval,
and resolved notices."""

from __future__ import annotations

from datetime import timedelta

from alerts.lifecycle import AlertsConfig
from alerts.notify.base import Notification
from tests.lifecycle_helpers import T0, Run, event, minutes, receivers

CFG = AlertsConfig.model_validate(
    {"receivers": receivers("duty"), "route": {"receiver": "duty", "group_by": ["store_id"]}}
)


def s(n: float) -> timedelta:
    return timedelta(seconds=n)


def fps(n: Notification) -> list[tuple[str, str]]:
    return [(a.rule, a.status) for a in n.alerts]


def test_a_new_group_waits_group_wait_and_sends_the_burst_as_one_message() -> None:
    run = Run(CFG)
    run.apply(event("csat_low", at=T0))
    run.apply(event("delight_low", at=T0 + s(10)))
    run.apply(event("csat_low", store="S002", at=T0 + s(10)))
    assert run.tick(T0 + s(29)) == []
    (s001,) = run.tick(T0 + s(30))
    assert s001.group_labels == {"store_id": "S001"}
    assert sorted(fps(s001)) == [("csat_low", "firing"), ("delight_low", "firing")]
    assert run.tick(T0 + s(39)) == []
    (s002,) = run.tick(T0 + s(40))
    assert s002.group_labels == {"store_id": "S002"}


def test_changes_after_the_first_message_wait_for_the_group_interval_cadence() -> None:
    run = Run(CFG)
    run.apply(event("csat_low", at=T0))
    assert len(run.tick(T0 + s(30))) == 1
    run.apply(event("delight_low", at=T0 + s(60)))
    assert run.tick(T0 + s(329)) == []
    (n,) = run.tick(T0 + s(330))  # 30 s + group_interval 5 min
    assert sorted(fps(n)) == [("csat_low", "firing"), ("delight_low", "firing")]
    # Long after: the next change goes out at the next tick of the same 5-minute cadence.
    run.apply(event("calls_abandoned", at=T0 + minutes(20)))
    assert run.tick(T0 + s(1229)) == []
    assert len(run.tick(T0 + s(1230))) == 1  # 330 + 3 x 300


def test_an_unchanged_firing_group_repeats_after_repeat_interval() -> None:
    run = Run(CFG)
    run.apply(event(at=T0))
    (first,) = run.tick(T0 + s(30))
    for t in (60, 3600, 4 * 3600 + 29):
        assert run.tick(T0 + s(t)) == [], t
    (repeat,) = run.tick(T0 + s(4 * 3600 + 30))
    assert fps(repeat) == fps(first)
    assert repeat.key != first.key  # a new message, not a retry of the old one
    assert run.tick(T0 + s(4 * 3600 + 60)) == []


def test_no_repeat_while_everything_in_the_group_is_acknowledged() -> None:
    run = Run(CFG.model_copy(update={"ack_timeout": 0.0}))
    e = event(at=T0)
    run.apply(e)
    run.tick(T0 + s(30))
    run.engine.acknowledge(run.store, e.fingerprint, "王经理", T0 + minutes(1))
    assert run.tick(T0 + s(4 * 3600 + 30)) == []
    assert run.tick(T0 + s(9 * 3600)) == []


def test_resolved_alerts_are_announced_once_and_an_empty_group_starts_over() -> None:
    run = Run(CFG)
    a, b = event("csat_low", at=T0), event("delight_low", at=T0)
    run.apply(a)
    run.apply(b)
    run.tick(T0 + s(30))
    run.apply(event("csat_low", "resolved", at=T0 + minutes(2), starts_at=T0))
    (n,) = run.tick(T0 + s(330))
    assert n.status == "firing"  # b still fires
    assert fps(n) == [("delight_low", "firing"), ("csat_low", "resolved")]
    run.apply(event("delight_low", "resolved", at=T0 + minutes(10), starts_at=T0))
    assert run.tick(T0 + s(629)) == []
    (done,) = run.tick(T0 + s(630))
    assert (done.status, fps(done)) == ("resolved", [("delight_low", "resolved")])
    assert run.tick(T0 + minutes(60)) == []  # announced once
    run.apply(event("calls_abandoned", at=T0 + minutes(70)))
    assert run.tick(T0 + minutes(70) + s(29)) == []
    assert len(run.tick(T0 + minutes(70) + s(30))) == 1  # group_wait again


def test_an_alert_that_fired_and_cleared_within_group_wait_sends_nothing() -> None:
    run = Run(CFG)
    run.apply(event(at=T0))
    run.apply(event(status="resolved", at=T0 + s(10), starts_at=T0))
    assert run.tick(T0 + s(30)) == []
    assert run.sent() == []


def test_group_wait_zero_pages_from_apply_event_itself() -> None:
    run = Run(CFG.model_copy(update={"route": CFG.route.model_copy(update={"group_wait": 0})}))
    fx = run.apply(event(at=T0))
    assert len(fx.outbox) == 1
