"""Hostile input through decode and the per-event step: nothing stops it, nothing poisons it.

Hypothesis builds messages a broken or malicious upstream could send: random bytes, JSON of the
wrong shape, every event field pushed to its extremes (huge and negative numbers, floats where
ints belong, dates from year 1 to 9999 with odd offsets, deep nesting, unicode of every plane).
Each must come out as an outcome or a rejection with a known reason, leave every state
encodable, and leave the store able to take the next valid event.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any, get_args

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpulse.config import Settings
from schemas.alerts import AlertEvent
from schemas.deadletter import ReasonCode
from streams.core.intake import Message
from streams.replay import events_of, read_events, replay
from tests.helpers import T0, feedback
from tests.unit.test_step import NOW, Harness

REASONS = set(get_args(ReasonCode))
KINDS = ("feedback", "call", "review", "complaint")

extreme_ints = st.one_of(
    st.integers(-(2**70), 2**70), st.sampled_from([0, -1, 2**63, 2**64, 10**30, 10**10])
)
extreme_floats = st.floats(allow_nan=True, allow_infinity=True)
texts = st.text(max_size=60)
dates = st.builds(
    lambda y, mo, d, h, off: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:00:00{off}",
    st.integers(1, 9999),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 23),
    st.sampled_from(["+08:00", "Z", "-12:00", "+14:00", "", "+23:59"]),
)
leaves = st.one_of(st.none(), st.booleans(), extreme_ints, extreme_floats, texts, dates)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)
FIELDS = [
    "rating", "nps", "ces", "expectation", "comment", "views", "author_followers", "text",
    "platform", "talk_seconds", "hold_seconds", "transfers", "queued_at", "answered_at",
    "ended_at", "transcript", "complaint_id", "action", "customer", "brand", "region",
    "channel", "occurred_at", "event_id",
]  # fmt: skip


@st.composite
def hostile_events(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(KINDS))
    base: dict[str, Any] = {
        "event_id": draw(st.text(min_size=1, max_size=20).filter(lambda s: " " not in s)),
        "event_type": kind,
        "occurred_at": draw(dates),
        "source": "fuzz",
        "store_id": "S1",
        "rating": 1,
        "platform": "p",
        "complaint_id": "K1",
        "action": "opened",
        "call_id": "C1",
        "queued_at": T0.isoformat(),
        "ended_at": T0.isoformat(),
    }
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
        base[name] = draw(values)
    return json.dumps(base, ensure_ascii=False, allow_nan=True).encode()


messages = st.one_of(
    st.binary(max_size=200),
    st.none(),
    hostile_events(),
    values.map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(messages, st.sampled_from([b"S1", None, b"S2"])), max_size=8))
def test_nothing_a_producer_sends_stops_or_poisons_the_step(
    batch: list[tuple[bytes | None, bytes | None]],
) -> None:
    h = Harness()
    h.send(feedback(0, 5))
    for raw, key in batch:
        out = h.pipe.message(Message(raw, key, None, NOW), 0, NOW)
        assert out.outcome in ("applied", "duplicate", "late", "rejected", "failed")
        if out.rejection is not None:
            assert out.rejection.code in REASONS
        for st_ in h.pipe.take_changes().stores.values():
            # every state stays writable to the changelog, its fast encoding saying the same
            assert orjson.loads(st_[1].to_wire()) == orjson.loads(orjson.dumps(st_[1].to_json()))
    # the store still takes a valid event, and the partition's clock was not pushed ahead
    assert h.send(feedback(1, 4)).outcome == "applied"
    assert all(c.watermark <= NOW + Settings().intake.max_ahead for c in h.pipe.clocks.values())


def _check_stamps(alerts: list[AlertEvent]) -> None:
    for a in alerts:
        assert a.observed_at >= a.starts_at, a
        if a.ends_at is not None:
            assert a.ends_at >= a.starts_at, a


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32))
def test_however_the_topics_interleave_no_alert_resolves_before_it_started(seed: int) -> None:
    """The worker reads the kinds' topics at different speeds: each kind stays in order, but
    one may run hours ahead of another."""
    events = _day()
    by_kind: dict[str, list[Any]] = {}
    for e in events:
        by_kind.setdefault(e.event_type, []).append(e)
    rng = random.Random(seed)
    order: list[Any] = []
    cursors = dict.fromkeys(by_kind, 0)
    while any(cursors[k] < len(v) for k, v in by_kind.items()):
        kind = rng.choice([k for k in by_kind if cursors[k] < len(by_kind[k])])
        n = rng.randint(1, 400)
        order += by_kind[kind][cursors[kind] : cursors[kind] + n]
        cursors[kind] += n
    h = Harness(Settings())
    alerts: list[AlertEvent] = []
    for e in order:
        raw = e.model_dump_json().encode()
        out = h.pipe.message(Message(raw, e.store_id.encode(), None, NOW + 86400), 0, NOW)
        alerts += out.alerts
        for sid, (_, s) in h.pipe.take_changes().stores.items():
            orjson.dumps(s.to_json())  # what the changelog gets must always encode
            h.stores[sid] = s
    _check_stamps(alerts)


_cache: list[Any] = []


def _day() -> list[Any]:
    if not _cache:
        import io

        from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl

        buf = io.StringIO()
        start = T0 - timedelta(hours=4)
        crisis = parse_scenario("crisis:S002@2026-11-23T13:00+08:00/1h")
        write_jsonl(
            Simulator(SimConfig(stores=3, scenarios=(crisis,))), start, start + timedelta(1), buf
        )
        _cache.extend(events_of(read_events([ln.encode() for ln in buf.getvalue().splitlines()])))
    return _cache


def test_replay_of_the_same_day_stamps_consistently() -> None:
    result = replay(_day(), Settings())
    assert any(a.kind == "crisis" for a in result.alerts)
    _check_stamps(result.alerts)
