"""The lifecycle's functional core: dedupe by fingerprint, episodes, people's actions, audit."""

from __future__ import annotations

import pytest

from alerts.lifecycle import AlertsConfig, AlreadyResolved, LifecycleError, UnknownAlert
from tests.lifecycle_helpers import T0, Run, event, minutes, receivers

CFG = AlertsConfig.model_validate(
    {"receivers": receivers("duty"), "route": {"receiver": "duty", "group_by": ["store_id"]}}
)


def test_same_fingerprint_is_one_alert_counted_not_paged_again() -> None:
    run = Run(CFG)
    first = event(at=T0)
    run.apply(first)
    again = event(at=T0 + minutes(0.25), starts_at=T0)  # the streams re-raise it
    effects = run.apply(again)
    a = run.alert(first)
    assert (a.count, a.last_seen, a.state) == (2, T0 + minutes(0.25), "firing")
    assert effects.actions() == ["refired"]
    assert len(run.tick(T0 + minutes(1))) == 1  # one page for the group, not one per event
    assert run.tick(T0 + minutes(30)) == []
    assert [c.action for c in run.store.history(a.fingerprint)] == ["fired", "refired", "notified"]


def test_a_redelivered_or_older_event_changes_nothing() -> None:
    run = Run(CFG)
    e1, e2 = event(at=T0), event(at=T0 + minutes(2), starts_at=T0)
    run.apply(e1)
    run.apply(e2)
    assert run.apply(e2).changes == []  # same alert_event_id
    assert run.apply(e1).changes == []  # older than what is known
    assert run.alert(e1).count == 2


def test_firing_after_resolved_starts_a_new_episode_that_pages_again() -> None:
    run = Run(CFG)
    run.apply(event(at=T0))
    run.tick(T0 + minutes(1))
    run.apply(event(status="resolved", at=T0 + minutes(20), starts_at=T0))
    resolved = run.tick(T0 + minutes(30))
    assert [n.status for n in resolved] == ["resolved"]
    again = event(at=T0 + minutes(40))
    fx = run.apply(again)
    a = run.alert(again)
    assert (a.count, a.starts_at, a.state, a.ends_at) == (1, T0 + minutes(40), "firing", None)
    assert fx.actions() == ["fired"]
    # The group emptied, so the new episode waits group_wait again (30 s), then pages.
    assert run.tick(T0 + minutes(40)) == []
    page = run.tick(T0 + minutes(40.5))
    assert [(n.status, n.alerts[0].count) for n in page] == [("firing", 1)]
    # A late copy of the first episode's firing must not restart anything.
    assert run.apply(event(at=T0 + minutes(41), starts_at=T0)).changes == []


def test_resolved_for_an_unknown_alert_is_ignored() -> None:
    run = Run(CFG)
    assert run.apply(event(status="resolved")).changes == []
    assert run.store.open_alerts() == []


def test_people_acknowledge_and_resolve_with_an_audit_trail() -> None:
    run = Run(CFG)
    e = event()
    run.apply(e)
    fx = run.engine.acknowledge(run.store, e.fingerprint, "王经理", T0 + minutes(2))
    a = run.alert(e)
    assert (a.state, a.acked_by, a.ack_until) == ("acknowledged", "王经理", T0 + minutes(32))
    assert fx.changes[0].detail == f"until {(T0 + minutes(32)).isoformat()}"
    run.engine.comment(run.store, e.fingerprint, "王经理", "已联系顾客", T0 + minutes(3))
    run.engine.resolve(run.store, e.fingerprint, "王经理", T0 + minutes(5))
    a = run.alert(e)
    assert (a.state, a.resolved_by, a.ends_at) == ("resolved", "王经理", T0 + minutes(5))
    trail = [(c.action, c.actor) for c in run.store.history(e.fingerprint)]
    assert trail == [
        ("fired", "streams"),
        ("acknowledged", "王经理"),
        ("commented", "王经理"),
        ("resolved", "王经理"),
    ]
    with pytest.raises(AlreadyResolved):
        run.engine.acknowledge(run.store, e.fingerprint, "王经理", T0 + minutes(6))
    with pytest.raises(UnknownAlert):
        run.engine.resolve(run.store, "0" * 16, "王经理", T0)


def test_an_ack_until_in_the_past_is_refused() -> None:
    run = Run(CFG)
    e = event()
    run.apply(e)
    with pytest.raises(LifecycleError, match="not in the future"):
        run.engine.acknowledge(run.store, e.fingerprint, "x", T0, until=T0)


def test_ack_timeout_zero_means_until_resolved() -> None:
    run = Run(CFG.model_copy(update={"ack_timeout": 0.0}))
    e = event()
    run.apply(e)
    run.engine.acknowledge(run.store, e.fingerprint, "x", T0)
    assert run.alert(e).ack_until is None
    run.tick(T0 + minutes(600))
    assert run.alert(e).state == "acknowledged"


def test_the_notification_is_chinese_with_ack_and_dashboard_links() -> None:
    run = Run(CFG.model_copy(update={"public_url": "https://cx.example.com/"}))
    e = event(kind="crisis", severity="critical", rule="crisis_burst")
    run.apply(e)
    (n,) = run.tick(T0 + minutes(1))
    assert n.lang == "zh"
    assert n.ack_url == f"https://cx.example.com/ack/{e.fingerprint}"
    assert n.dashboard_url == f"https://cx.example.com/alerts/{e.fingerprint}"
    assert (n.receiver, n.group_labels, n.status) == ("duty", {"store_id": "S001"}, "firing")
    assert n.alerts[0].summary.zh == "S001 crisis_burst"
