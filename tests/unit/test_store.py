"""The core processor on small hand-made streams, with exact numbers."""

from __future__ import annotations

import json
from pathlib import Path

from schemas.alerts import AlertEvent, fingerprint
from schemas.events import EVENT_ADAPTER, Envelope
from streams.core.signals.config import SatisfactionConfig, SignalsConfig
from streams.core.signals.fields import WIDTH as F_WIDTH
from streams.core.snapshot import snapshot
from streams.core.store import Signals, StoreState, csat_view, process
from tests.helpers import feedback, review

CFG = SatisfactionConfig(min_samples=10, csat_low=0.6, csat_recover=0.7, confidence_z=0)


def sig(cfg: SatisfactionConfig) -> Signals:
    return Signals(SignalsConfig(satisfaction=cfg))


def ev(d: dict[str, object]) -> Envelope:
    return EVENT_ADAPTER.validate_python(d, strict=False)


def run(
    events: list[dict[str, object]], cfg: SatisfactionConfig = CFG
) -> tuple[StoreState, list[AlertEvent]]:
    state = StoreState("S1")
    alerts: list[AlertEvent] = []
    for d in events:
        step = process(state, ev(d), sig(cfg))
        state = step.state
        alerts.extend(step.alerts)
    return state, alerts


def test_csat_and_delight_are_exact() -> None:
    ratings = [5, 5, 5, 4, 4, 4, 4, 3, 2, 1]  # top-2 = 7/10, fives = 3/10
    state, _ = run([feedback(i, r) for i, r in enumerate(ratings)])
    view = csat_view(state, None, CFG)
    assert view.ratings == 10 and view.counts == (1, 1, 1, 4, 3)
    assert view.csat == 0.7 and view.delight == 0.3


def test_no_rate_below_min_samples() -> None:
    state, alerts = run([feedback(i, 1) for i in range(9)])
    assert csat_view(state, None, CFG).csat is None and alerts == []


def test_window_forgets_old_ratings() -> None:
    old = [feedback(i, 1, minutes=i) for i in range(10)]
    new = [feedback(100 + i, 5, minutes=70 + i) for i in range(10)]
    state, _ = run(old + new)
    view = csat_view(state, None, CFG)
    assert view.ratings == 10 and view.csat == 1.0


def test_alert_fires_once_and_resolves_with_hysteresis() -> None:
    bad = [feedback(i, 1 if i % 2 else 5, minutes=i) for i in range(12)]  # csat 0.5
    # 0.65 is between low and recover: must neither resolve nor re-fire
    mid = [feedback(100 + i, 5 if i < 9 else 1, minutes=12 + i) for i in range(12)]
    good = [feedback(200 + i, 5, minutes=24 + i) for i in range(20)]
    _, alerts = run(bad + mid + good)
    assert [a.status for a in alerts] == ["firing", "resolved"]
    firing, resolved = alerts
    assert firing.fingerprint == resolved.fingerprint == fingerprint("csat_low", {"store_id": "S1"})
    assert firing.starts_at == resolved.starts_at and resolved.ends_at is not None
    assert firing.values["csat"] < 0.6 <= 0.7 <= resolved.values["csat"]
    assert "S1" in firing.summary.zh and "满意度" in firing.summary.zh


def test_duplicate_event_is_not_counted_twice() -> None:
    events = [feedback(i, 5) for i in range(10)]
    state, _ = run([*events, events[3], events[7]])
    assert csat_view(state, None, CFG).ratings == 10
    assert process(state, ev(events[0]), sig(CFG)).outcome == "duplicate"


def test_late_event_is_skipped_but_in_time_disorder_counts() -> None:
    events = [feedback(i, 5, minutes=30 + i) for i in range(10)]
    state, _ = run(events)
    assert process(state, ev(feedback(50, 1, minutes=33)), sig(CFG)).outcome == "applied"
    assert process(state, ev(feedback(51, 1, minutes=5)), sig(CFG)).outcome == "late"  # 34 min old
    assert csat_view(state, None, CFG).ratings == 11


def test_each_event_kind_has_its_own_clock() -> None:
    # reviews read an hour ahead (a backlog) must not make the feedback late
    state, _ = run([review(i, minutes=60 + i) for i in range(5)])
    step = process(state, ev(feedback(1, 4, minutes=0)), sig(CFG))
    assert step.outcome == "applied"
    assert state.clocks["review"] > state.clocks["feedback"]


def test_state_survives_a_json_round_trip() -> None:
    import json

    state, _ = run([feedback(i, 1 + i % 5) for i in range(30)] + [review(1)])
    again = StoreState.from_json(json.loads(json.dumps(state.to_json())))
    assert again == state
    assert process(again, ev(feedback(25, 1)), sig(CFG)).outcome == "duplicate"


def test_seen_ids_stay_bounded() -> None:
    state, _ = run([feedback(i, 5, minutes=i) for i in range(600)])  # ten hours
    ids = sum(len(v) for v in state.seen["feedback"].values())
    assert ids <= CFG.allowed_lateness / 60 + 2


def test_wilson_bound_keeps_small_noisy_samples_quiet() -> None:
    from streams.core.store import wilson_upper

    assert wilson_upper(0.4, 10, 1.64) > 0.6  # 4 of 10: could be noise at a healthy store
    assert wilson_upper(0.3, 40, 1.64) < 0.6  # 12 of 40: clearly low
    assert wilson_upper(0.5, 12, 0) == 0.5
    cfg = SatisfactionConfig(min_samples=10, confidence_z=1.64)
    _, alerts = run([feedback(i, 1 if i % 5 < 3 else 5) for i in range(10)], cfg)  # 40 %
    assert alerts == []
    _, alerts = run([feedback(i, 1 if i % 10 < 7 else 5) for i in range(40)], cfg)  # 30 %
    assert [a.status for a in alerts] == ["firing"]


def test_per_kind_alerts_do_not_depend_on_how_the_topics_interleave() -> None:
    """The worker reads each kind's topic at its own pace (a sparse topic's whole day can come
    in one fetch); replay reads in time order. Same events, same satisfaction alerts."""
    import io
    from datetime import datetime, timedelta, timezone

    from streams.replay import events_of, read_events
    from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl

    start = datetime(2026, 11, 23, tzinfo=timezone(timedelta(hours=8)))
    drop = parse_scenario("drop:S002@2026-11-23T11:00+08:00/3h")
    buf = io.StringIO()
    write_jsonl(Simulator(SimConfig(stores=2, scenarios=(drop,))), start, start + timedelta(1), buf)
    events = [
        e
        for e in events_of(read_events([ln.encode() for ln in buf.getvalue().splitlines()]))
        if e.store_id == "S002"
    ]
    s = sig(SatisfactionConfig(min_samples=10, confidence_z=0))

    def alerts(order: list[Envelope]) -> list[str]:
        state = StoreState(store_id="S002")
        return sorted(a.model_dump_json() for e in order for a in process(state, e, s).alerts)

    in_time = alerts(events)
    assert any('"csat_low"' in a for a in in_time)
    kinds: dict[str, list[Envelope]] = {}
    for e in events:
        kinds.setdefault(e.event_type, []).append(e)  # type: ignore[attr-defined]
    for chunk in (3, 50, len(events)):  # a few of each kind in turn .. one kind after another
        order: list[Envelope] = []
        queues = {k: list(v) for k, v in sorted(kinds.items(), reverse=True)}
        while any(queues.values()):
            for k, q in queues.items():
                order += q[:chunk]
                queues[k] = q[chunk:]
        assert alerts(order) == in_time, f"chunks of {chunk}"


def test_seen_ids_are_hashed_and_an_old_changelog_still_dedupes() -> None:
    s = sig(CFG)
    state = StoreState(store_id="S1")
    first = ev(feedback(0, 5))
    assert process(state, first, s).outcome == "applied"
    saved = state.to_json()
    assert all(isinstance(i, int) for b in saved["seen"]["feedback"].values() for i in b)
    # A state written before hashing (ids as strings) is read back and still knows the event.
    old = {**saved, "seen": {"feedback": {b: [first.event_id] for b in saved["seen"]["feedback"]}}}
    again = StoreState.from_json(old)
    assert process(again, ev(feedback(0, 5)), s).outcome == "duplicate"


def test_a_store_written_before_packing_loads_with_every_count() -> None:
    """A store as the previous version wrote it (``data/store_before_packing.json``: 30
    simulated hours of a store with calls, counters as sparse dicts, call buckets as lists,
    callers as a dict of tuples) reads back with every bucket, call and caller."""
    old = json.loads((Path(__file__).parent / "data" / "store_before_packing.json").read_text())
    state = StoreState.from_json(old)
    for kind, tiers in old["stats"].items():
        for size, buckets in tiers.items():
            want = {}
            for start, sparse in buckets.items():
                vec = [0] * F_WIDTH
                for i, v in sparse.items():
                    vec[int(i)] = v
                want[int(start)] = vec
            assert dict(state.stats.kinds[kind].buckets[int(size)].items()) == want
    for scope, ids in old["calls"]["scopes"].items():
        for sid, per_window in ids.items():
            for label, buckets in per_window.items():
                got = dict(state.calls.scopes[scope][sid][label].items())
                assert got == {int(b): c for b, c in buckets.items()}
    rows = [
        (int(k, 16), t, q, a) for k, calls in old["calls"]["callers"].items() for t, q, a in calls
    ]
    assert state.calls.callers.rows() == sorted(rows, key=lambda r: r[0])
    new = state.to_json()
    rest = {k: v for k, v in old.items() if k not in ("stats", "calls")}
    assert {k: v for k, v in json.loads(json.dumps(new)).items() if k in rest} == rest
    assert StoreState.from_json(json.loads(json.dumps(new))) == state


def test_a_packed_store_written_by_the_previous_version_reads_the_same() -> None:
    """``data/store_packed.json``: 30 simulated hours of a chain store with one call queue as
    the previous version wrote it (empty counters for calls, the queue's buckets beside the
    store's), with the signal snapshot that version made of it. It reads back to the same
    snapshot, its queue sharing the store's buckets, and writes back the same record."""
    old = json.loads((Path(__file__).parent / "data" / "store_packed.json").read_text())
    state = StoreState.from_json(old["state"])
    assert json.loads(snapshot(state, None, Signals()).model_dump_json()) == old["snapshot"]
    store, (queue,) = state.calls.scopes["store"][""], state.calls.scopes["queue"].values()
    assert store and all(queue[label] is tier for label, tier in store.items())
    assert json.loads(json.dumps(state.to_json())) == old["state"]
