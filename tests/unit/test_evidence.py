"""Evidence on alert events: exact contents, masking, caps, the checkpoint and old readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from schemas.alerts import MAX_EVIDENCE_BYTES, AlertEvent, Evidence, EvidenceEvent
from schemas.events import EVENT_ADAPTER, Envelope
from streams.core import evidence
from streams.core.checkpoint import Checkpoint
from streams.core.signals.config import SatisfactionConfig, SignalsConfig
from streams.core.sla import engine as sla
from streams.core.sla.policy import SlaConfig
from streams.core.store import Signals, StoreState, process
from tests.helpers import T0, feedback

CFG = SatisfactionConfig(min_samples=10, csat_low=0.6, csat_recover=0.7, confidence_z=0)
SIG = Signals(SignalsConfig(satisfaction=CFG))


def ev(d: dict[str, Any]) -> Envelope:
    return EVENT_ADAPTER.validate_python(d, strict=False)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def review(i: int, minutes: float, text: str, views: int = 0) -> dict[str, Any]:
    return {
        "event_id": f"rv-{i}",
        "event_type": "review",
        "occurred_at": at(minutes).isoformat(),
        "source": "t",
        "store_id": "S1",
        "platform": "大众点评",
        "rating": 1,
        "text": text,
        "views": views,
        "author_followers": 10,
    }


def complaint(i: int, minutes: float, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": f"K{i}-opened",
        "event_type": "complaint",
        "occurred_at": at(minutes).isoformat(),
        "source": "t",
        "store_id": "S1",
        "complaint_id": f"K{i}",
        "action": "opened",
        "customer": {"id": "C-13800138000", "tier": "gold", "tags": ["media"]},
        **extra,
    }


def test_a_csat_alert_shows_the_last_five_unhappy_ratings_newest_first_masked() -> None:
    state = StoreState("S1")
    alerts: list[AlertEvent] = []
    for i in range(12):
        rating = 1 if i % 2 else 5  # six unhappy of twelve: csat 0.5
        comment = f"第{i}次 打电话13812345678没人接" + "很" * 200
        alerts += process(state, ev(feedback(i, rating, comment=comment)), SIG).alerts
    [alert] = alerts
    assert alert.rule == "csat_low" and alert.evidence is not None
    got = alert.evidence.events
    assert [e.event_id for e in got] == [f"S1-fb-{i}" for i in (9, 7, 5, 3, 1)]
    assert got[0] == EvidenceEvent(
        event_id="S1-fb-9",
        kind="feedback",
        occurred_at=at(9),
        rating=1,
        excerpt=("第9次 打电话138****5678没人接" + "很" * 200)[:120],
    )
    assert all(len(e.excerpt) == 120 and "12345678" not in e.excerpt for e in got)
    assert len(alert.evidence.model_dump_json().encode()) <= MAX_EVIDENCE_BYTES


def test_cross_kind_alerts_show_reviews_and_complaints_without_the_customer() -> None:
    state = StoreState("S1")
    events = [review(i, i, f"吃坏肚子了 {i}", views=5000) for i in range(3)]
    events.append(complaint(1, 4, text="要去12315投诉"))
    evidence.remember(state.recent, ev(events[0]))
    for d in events[1:]:
        evidence.remember(state.recent, ev(d))
    found = evidence.build(e for r in state.recent.values() for e in r)
    assert [e.event_id for e in found.events] == ["K1-opened", "rv-2", "rv-1", "rv-0"]
    k, r = found.events[0], found.events[1]
    assert (k.kind, k.tier, k.tags, k.excerpt, k.platform) == (
        "complaint",
        "gold",
        ["media"],
        "要去12315投诉",
        None,
    )
    assert (r.kind, r.platform, r.views, r.rating, r.excerpt) == (
        "review",
        "大众点评",
        5000,
        1,
        "吃坏肚子了 2",
    )
    assert "C-13800138000" not in found.model_dump_json()


def test_a_satisfaction_alert_shows_feedback_only() -> None:
    state = StoreState("S1")
    evidence.remember(state.recent, ev(review(1, 30, "差")))
    evidence.remember(state.recent, ev(feedback(2, 1)))
    fake = AlertEvent.model_validate_json(alert_json(rule="csat_low"))
    [got] = evidence.attach([fake], state.recent)
    assert got.evidence is not None
    assert [e.event_id for e in got.evidence.events] == ["S1-fb-2"]
    [other] = evidence.attach([AlertEvent.model_validate_json(alert_json())], state.recent)
    assert other.evidence is not None
    assert [e.event_id for e in other.evidence.events] == ["rv-1", "S1-fb-2"]


def test_the_ring_is_rolled_back_with_the_event_and_survives_serialisation() -> None:
    state = StoreState("S1")
    for i in range(6):
        process(state, ev(feedback(i, 1)), SIG)
    before = orjson.dumps(state.to_json())
    event = ev(review(9, 10, "差评"))
    cp = Checkpoint.take(state, event, CFG)
    process(state, event, SIG)
    assert state.recent["review"][0][0] == "rv-9"
    cp.restore(state)
    assert orjson.dumps(state.to_json()) == before and "review" not in state.recent
    again = StoreState.from_json(orjson.loads(before))
    assert again.recent == state.recent
    assert [e[0] for e in again.recent["feedback"]] == [f"S1-fb-{i}" for i in range(1, 6)]


def test_a_state_written_before_evidence_still_loads() -> None:
    state = StoreState("S1")
    process(state, ev(feedback(1, 1)), SIG)
    old = state.to_json()
    del old["recent"]
    assert StoreState.from_json(old).recent == {}


def alert_json(**extra: Any) -> str:
    doc = {
        "alert_event_id": "0123456789abcdef:firing:0",
        "fingerprint": "0123456789abcdef",
        "status": "firing",
        "rule": "crisis",
        "kind": "crisis",
        "severity": "warning",
        "labels": {"store_id": "S1"},
        "summary": {"zh": "z", "en": "e"},
        "starts_at": "2026-11-23T04:00:00Z",
        "observed_at": "2026-11-23T04:00:00Z",
        **extra,
    }
    return orjson.dumps(doc).decode()


def test_old_alerts_without_evidence_load_and_unknown_evidence_fields_are_ignored() -> None:
    assert AlertEvent.model_validate_json(alert_json()).evidence is None
    newer = alert_json(evidence={"events": [], "screenshots": ["x"]})
    assert AlertEvent.model_validate_json(newer).evidence == Evidence()


def test_evidence_over_its_caps_is_refused_and_build_stays_within_them() -> None:
    one = {
        "event_id": "x" * 1000,
        "kind": "review",
        "occurred_at": "2026-11-23T04:00:00Z",
    }
    with pytest.raises(ValidationError, match="bytes as JSON"):
        Evidence.model_validate({"events": [one] * 5})
    with pytest.raises(ValidationError):
        Evidence.model_validate({"events": [{**one, "event_id": "a"}] * 6})
    # the longest a complaint's entry can be: id, excerpt and eight tags at their caps, in CJK
    tags = ["媒" * evidence.TAG_CHARS] * 8
    big = [["y" * 128, "complaint", T0.timestamp() + i, None, "很" * 120, None, None, "vip", tags]
           for i in range(5)]  # fmt: skip
    built = evidence.build(big)
    assert [e.occurred_at for e in built.events] == [at(4 / 60), at(3 / 60)]  # newest kept
    assert len(built.model_dump_json().encode()) <= MAX_EVIDENCE_BYTES


def test_an_sla_alert_carries_the_complaint_timeline_up_to_its_instant() -> None:
    engine = sla.Engine(SlaConfig())
    opened = ev(complaint(1, 0))
    r = sla.on_event(engine, None, opened, T0.timestamp())  # type: ignore[arg-type]
    state = r.state
    deadline = state.next_due
    assert deadline is not None
    alerts: list[AlertEvent] = []
    while state.next_due is not None and state.next_due <= T0.timestamp() + 86400 and not alerts:
        r = sla.on_due(engine, state, state.next_due)
        alerts += r.alerts
    first = alerts[0]
    assert first.evidence is not None and first.evidence.timeline is not None
    tl = first.evidence.timeline
    assert (tl.complaint_id, tl.tier, tl.opened_at, tl.clock) == (
        "K1",
        "gold",
        T0,
        "first_response",
    )
    assert [(s.at, s.action) for s in tl.steps] == [(T0, "opened")]
    assert tl.calendar and tl.deadline is not None and tl.target_seconds
    assert first.evidence.events == []


def test_evidence_is_in_the_exported_json_schema() -> None:
    from schemas.export import rendered

    doc = orjson.loads(rendered()["alert.schema.json"])
    assert "evidence" in doc["properties"] and "EvidenceEvent" in doc["$defs"]
    assert doc["$defs"]["EvidenceEvent"]["properties"]["excerpt"]["maxLength"] == 120


def test_evidence_times_are_utc() -> None:
    [e] = evidence.build([evidence.entry(ev(feedback(1, 1)))]).events
    assert e.occurred_at == T0 + timedelta(minutes=1) and e.occurred_at.tzinfo == UTC


def test_a_phone_number_cut_by_the_excerpt_is_still_masked() -> None:
    comment = "很" * 112 + "电话13812345678" + "很" * 3000
    [e] = evidence.build([evidence.entry(ev(feedback(1, 1, comment=comment)))]).events
    assert e.excerpt == "很" * 112 + "电话138***"
