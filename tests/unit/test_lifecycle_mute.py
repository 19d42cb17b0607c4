"""Inhibition and silences: alerts stay visible but do not page; resolved notices still go out
for silenced alerts (unlike Alertmanager)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from alerts.lifecycle import AlertsConfig, LifecycleError, UnknownSilence
from alerts.notify.base import Notification
from schemas.alerts import AlertEvent, AlertStatus
from tests.lifecycle_helpers import T0, Run, event, minutes, receivers

CFG = AlertsConfig.model_validate(
    {"receivers": receivers("duty"), "route": {"receiver": "duty", "group_by": ["store_id"]}}
)


def crisis(
    store: str = "S001",
    status: AlertStatus = "firing",
    *,
    at: datetime = T0,
    starts_at: datetime | None = None,
) -> AlertEvent:
    return event(
        "crisis_burst",
        status,
        store=store,
        kind="crisis",
        severity="critical",
        at=at,
        starts_at=starts_at,
    )


def sla(store: str = "S001", ticket: str = "TK-1", *, at: datetime = T0) -> AlertEvent:
    return event("sla_breach", store=store, kind="sla", ticket=ticket, at=at)


def rules(n: Notification) -> list[tuple[str, str, str]]:
    return [(a.labels["store_id"], a.rule, a.status) for a in n.alerts]


def test_an_open_crisis_inhibits_sla_pages_of_its_store_only() -> None:
    run = Run(CFG)
    c, same, other = crisis(at=T0), sla(at=T0 + minutes(0.1)), sla("S002", at=T0 + minutes(0.1))
    run.apply(c)
    run.apply(same)
    run.apply(other)
    sent = run.tick(T0 + minutes(1))
    assert sorted(r for n in sent for r in rules(n)) == [
        ("S001", "crisis_burst", "firing"),
        ("S002", "sla_breach", "firing"),
    ]
    # Still visible, marked with what inhibits it, and in its audit trail.
    inhibited = run.alert(same)
    assert (inhibited.state, inhibited.inhibited_by) == ("firing", c.fingerprint)
    assert inhibited.fingerprint in [a.fingerprint for a in run.store.find(states=["firing"])]
    assert "inhibited" in [ch.action for ch in run.store.history(inhibited.fingerprint)]
    assert run.alert(other).inhibited_by is None


def test_when_the_crisis_resolves_the_inhibited_alert_pages() -> None:
    run = Run(CFG)
    run.apply(crisis(at=T0))
    s = sla(at=T0)
    run.apply(s)
    run.tick(T0 + minutes(1))
    # An SLA alert arriving while the crisis is open is inhibited from the start.
    late = sla(ticket="TK-2", at=T0 + minutes(2))
    run.apply(late)
    assert run.tick(T0 + minutes(10)) == []
    run.apply(crisis(status="resolved", at=T0 + minutes(20), starts_at=T0))
    assert run.alert(s).inhibited_by is None
    (n,) = run.tick(T0 + minutes(30))
    assert sorted(rules(n)) == [
        ("S001", "crisis_burst", "resolved"),
        ("S001", "sla_breach", "firing"),
        ("S001", "sla_breach", "firing"),
    ]
    trail = [c.action for c in run.store.history(s.fingerprint)]
    assert trail[:3] == ["fired", "inhibited", "uninhibited"]


def test_two_crises_never_inhibit_each_other() -> None:
    rule = {"source_matchers": ['kind="crisis"'], "target_matchers": ['kind=~"crisis|sla"']}
    run = Run(
        AlertsConfig.model_validate(
            {"receivers": receivers("duty"), "route": {"receiver": "duty"}, "inhibit_rules": [rule]}
        )
    )
    a, b, t = crisis(at=T0), crisis("S002", at=T0), sla("S003", at=T0)
    for e in (a, b, t):
        run.apply(e)
    assert run.alert(a).inhibited_by is None
    assert run.alert(b).inhibited_by is None
    assert run.alert(t).inhibited_by == min(a.fingerprint, b.fingerprint)  # no equal: any crisis


def test_a_silence_mutes_matching_alerts_until_it_ends() -> None:
    run = Run(CFG)
    muted, loud = event("csat_low", at=T0), event("csat_low", store="S002", at=T0)
    silence, fx = run.engine.silence(
        run.store,
        matchers=['store_id=~"S00[1]"', 'kind="satisfaction"'],
        ends_at=T0 + minutes(60),
        created_by="王经理",
        now=T0 - minutes(1),
        comment="装修中",
    )
    assert fx.changes == []
    run.apply(muted)
    run.apply(loud)
    sent = run.tick(T0 + minutes(1))
    assert [n.group_labels for n in sent] == [{"store_id": "S002"}]
    assert run.alert(muted).silenced_by == silence.id
    # Ending at its end time: the still-firing alert pages at its group's next tick.
    assert run.tick(T0 + minutes(59)) == []
    run.tick(T0 + minutes(60))
    assert run.alert(muted).silenced_by is None
    (n,) = run.tick(T0 + minutes(61))
    assert rules(n) == [("S001", "csat_low", "firing")]
    actions = [c.action for c in run.store.history(muted.fingerprint)]
    assert actions[:3] == ["fired", "silenced", "unsilenced"]


def test_a_silenced_alert_still_gets_its_resolved_notice() -> None:
    run = Run(CFG)
    e = event(at=T0)
    run.engine.silence(
        run.store, matchers=['store_id="S001"'], ends_at=T0 + minutes(90), created_by="x", now=T0
    )
    run.apply(e)
    assert run.tick(T0 + minutes(1)) == []  # never paged while firing
    run.apply(event(status="resolved", at=T0 + minutes(20), starts_at=T0))
    (n,) = run.tick(T0 + minutes(30))
    assert (n.status, rules(n)) == ("resolved", [("S001", "csat_low", "resolved")])


def test_a_silence_can_be_ended_early_and_bad_silences_are_refused() -> None:
    run = Run(CFG)
    e = event(at=T0)
    run.apply(e)
    run.tick(T0 + minutes(1))
    s, fx = run.engine.silence(
        run.store, matchers=['store_id="S001"'], ends_at=T0 + minutes(90), created_by="x", now=T0
    )
    assert fx.actions() == ["silenced"]
    fx = run.engine.expire_silence(run.store, s.id, "y", T0 + minutes(5))
    assert fx.actions() == ["unsilenced"]
    assert run.store.silences(active_at=T0 + minutes(6)) == []
    with pytest.raises(UnknownSilence):
        run.engine.expire_silence(run.store, "nope", "y", T0)
    with pytest.raises(LifecycleError, match="at least one matcher"):
        run.engine.silence(run.store, matchers=[], ends_at=T0 + minutes(1), created_by="x", now=T0)
    with pytest.raises(LifecycleError, match="end after"):
        run.engine.silence(
            run.store, matchers=["a=b"], ends_at=T0 - timedelta(1), created_by="x", now=T0
        )
    before = len(run.store.silences())
    with pytest.raises(LifecycleError, match="bad regular expression"):
        run.engine.silence(
            run.store, matchers=['a=~"("'], ends_at=T0 + minutes(1), created_by="x", now=T0
        )
    assert len(run.store.silences()) == before  # refused before it was stored
    run.tick(T0 + minutes(7))  # and so later ticks still work
