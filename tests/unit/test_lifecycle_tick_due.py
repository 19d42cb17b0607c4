"""The timer tick reads what is due, not every open alert: its cost follows the work to do.
Behaviour (pages, escalation, re-arming, silences that start later) is unchanged."""

from __future__ import annotations

from alerts.lifecycle import AlertsConfig
from alerts.memory import MemoryStore
from alerts.model import Alert
from tests.lifecycle_helpers import T0, Run, event, minutes, receivers

CFG = AlertsConfig.model_validate(
    {
        "receivers": receivers("duty", "area"),
        "route": {"receiver": "duty", "group_by": ["store_id"], "escalation": "store"},
        "escalation": {"store": {"steps": [{"wait": "10m", "receiver": "area"}]}},
    }
)


class Counting(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.full_reads = 0

    def open_alerts(self) -> list[Alert]:
        self.full_reads += 1
        return super().open_alerts()


def test_a_steady_tick_reads_no_open_alert_list() -> None:
    store = Counting()
    run = Run(CFG, store)
    for i in range(50):
        run.apply(event(store=f"S{i:03d}"))
    run.tick(T0 + minutes(1))  # the first tick checks every alert against the silences once
    store.full_reads = 0
    for t in (2, 3, 5, 8):
        assert run.tick(T0 + minutes(t)) == []
    assert store.full_reads == 0
    # The escalation step falls due at +10.5 min: the due read finds it.
    steps = run.tick(T0 + minutes(11))
    assert {n.receiver for n in steps} == {"area"} and len(steps) == 50
    assert store.full_reads == 0


def test_a_silence_that_starts_later_mutes_at_its_start() -> None:
    run = Run(CFG)
    e = event(store="S001")
    run.apply(e)
    run.tick(T0 + minutes(1))
    run.engine.silence(
        run.store,
        matchers=['store_id="S001"'],
        starts_at=T0 + minutes(5),
        ends_at=T0 + minutes(60),
        created_by="王经理",
        now=T0 + minutes(2),
    )
    assert run.alert(e).silenced_by is None
    run.tick(T0 + minutes(4))
    assert run.alert(e).silenced_by is None
    run.tick(T0 + minutes(6))
    assert run.alert(e).silenced_by is not None
    run.tick(T0 + minutes(61))  # and it ends by itself
    assert run.alert(e).silenced_by is None
