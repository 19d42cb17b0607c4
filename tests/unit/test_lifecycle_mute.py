"""Inhibition and silences: alerts stay visible but do not page; resolved notices still go out
for silenced alerts (unlike Alertmanager)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from alerts.lifecycle import AlertsConfig, LifecycleError, UnknownSilence
from alerts.model import Alert
from alerts.notify.base import AlertView, Notification
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


def test_a_stores_3_hour_csat_drop_inhibits_its_days_drop_only() -> None:
    run = Run(CFG)
    hours = event("csat_drop", at=T0, comparison="hours_vs_week")
    day = event("csat_drop", at=T0 + minutes(30), comparison="day_vs_week")
    week = event("csat_drop", at=T0 + minutes(30), comparison="week_vs_month")
    other = event("csat_drop", store="S002", at=T0 + minutes(30), comparison="day_vs_week")
    for e in (hours, day, week, other):
        run.apply(e)
    assert run.alert(day).inhibited_by == hours.fingerprint
    assert run.alert(week).inhibited_by is None
    assert run.alert(other).inhibited_by is None


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


def rollup(rule: str, level: str, at: datetime = T0, **where: str) -> AlertEvent:
    """A rollup alert as the stream makes it: the entity's labels and its level, no store."""
    from streams.core import alerting

    return alerting.make(
        rule=rule,
        kind="satisfaction" if "csat" in rule else "crisis",
        severity="warning",
        status="firing",
        identity={"level": level, **where},
        since=at.timestamp(),
        now=at.timestamp(),
        zh="区域", en="region",
    )  # fmt: skip


def name(a: AlertEvent | Alert | AlertView) -> str:
    return a.rule + ":" + a.labels.get("store_id", a.labels.get("level", ""))


def test_a_rollup_page_inhibits_the_same_rules_pages_below_it_only() -> None:
    run = Run(
        AlertsConfig.model_validate(
            {"receivers": receivers("duty"), "route": {"receiver": "duty", "group_by": ["..."]}}
        )
    )
    east = rollup("rollup_csat_low", "region", brand="B", region="east")
    run.apply(east)
    later = T0 + minutes(0.1)
    store_csat = event("csat_low", store="S001", at=later, brand="B")  # region east
    store_drop = event("csat_drop", store="S002", at=later, brand="B")
    west_store = event("csat_low", store="S003", at=later, region="west", brand="B")
    other_brand = event("csat_low", store="T001", at=later, brand="C")
    store_spike = event("negative_spike", store="S001", kind="crisis", at=later, brand="B")
    city = rollup("rollup_csat_drop", "city", later, brand="B", region="east", city="hz")
    brand = rollup("rollup_csat_low", "brand", later, brand="B")
    for e in (store_csat, store_drop, west_store, other_brand, store_spike, city, brand):
        run.apply(e)
    sent = run.tick(T0 + minutes(1))
    inhibited = {
        name(e)
        for e in (store_csat, store_drop, west_store, other_brand, store_spike, city, brand, east)
        if run.alert(e).inhibited_by is not None
    }
    # The region's page explains its stores' CSAT pages and its city's rollup; the brand's
    # explains the region's and every store CSAT page of the brand. Another brand's store,
    # another rule, and the brand's own page still page.
    assert inhibited == {
        "csat_low:S001",
        "csat_low:S003",
        "csat_drop:S002",
        "rollup_csat_drop:city",
        "rollup_csat_low:region",
    }
    assert run.alert(store_csat).inhibited_by in (east.fingerprint, brand.fingerprint)
    paged = {name(a) for n in sent for a in n.alerts}
    assert paged == {"csat_low:T001", "negative_spike:S001", "rollup_csat_low:brand"}
