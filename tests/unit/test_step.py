"""The per-event step both shells run: admission bounds, containment, counting once."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any

import orjson
import pytest

from cxpulse.config import Settings
from schemas.events import event_time
from streams import wiring
from streams.core.intake import Message
from streams.core.sla.engine import ComplaintState, Engine
from streams.core.step import Pipeline
from streams.core.store import StoreState
from streams.replay import read_events, replay
from tests.helpers import T0, complaint, feedback, line, review

NOW = (T0 + timedelta(hours=2)).timestamp()


class Harness:
    """A pipeline over plain dicts, written through after every message (as replay does)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.stores: dict[str, StoreState] = {}
        self.complaints: dict[str, ComplaintState] = {}
        self.pipe = Pipeline(
            self.settings.intake,
            wiring.signals(self.settings),
            Engine(self.settings.sla),
            self.stores.get,
            self.complaints.get,
        )

    def send(self, ev: dict[str, Any] | bytes, key: bytes | None = b"S1", **kw: Any) -> Any:
        raw = ev if isinstance(ev, bytes) else line(ev)
        out = self.pipe.message(Message(raw, key, kw.get("kind"), kw.get("at", NOW)), 0, NOW)
        changes = self.pipe.take_changes()
        for k, (_, st) in changes.stores.items():
            self.stores[k] = st
        for k, (_, c) in changes.complaints.items():
            if c is not None:
                self.complaints[k] = c
        return out


def test_a_message_without_key_is_dead_lettered_with_a_reason() -> None:
    h = Harness()
    out = h.send(feedback(1, 5), key=None)
    assert out.outcome == "rejected" and out.rejection.code == "no_key"
    assert h.pipe.tally.rejected == {"no_key": 1} and not h.pipe.tally.consumed


@pytest.mark.parametrize(
    ("field", "value"),
    [("views", 10**30), ("author_followers", 10**11), ("occurred_at", "9999-12-31T23:00:00-05:00"),
     ("occurred_at", "0001-01-01T00:00:00+08:00")],
)  # fmt: skip
def test_extreme_numbers_and_dates_are_invalid_not_fatal(field: str, value: Any) -> None:
    h = Harness()
    out = h.send({**review(1), field: value})
    assert out.outcome == "rejected" and out.rejection.code == "invalid"
    assert field in out.rejection.reason
    assert h.send(review(2)).outcome == "applied"  # the store goes on


def test_a_future_dated_feedback_does_not_freeze_its_store() -> None:
    h = Harness()
    out = h.send(feedback(1, 5, at=T0.replace(year=2030)))
    assert out.rejection.code == "from_the_future" and "intake.max_ahead" in out.rejection.reason
    assert h.send(feedback(2, 5)).outcome == "applied"
    assert h.send(feedback(3, 1)).outcome == "applied"  # not "late" behind year 2030
    assert h.pipe.tally.late == {}


def test_a_future_dated_complaint_does_not_breach_its_partition() -> None:
    h = Harness()
    assert h.send(complaint(1)).outcome == "applied"
    assert h.send(complaint(2, at=T0.replace(year=2030))).rejection.code == "from_the_future"
    clock = h.pipe.clocks[0]
    assert clock.watermark == event_time_of(complaint(1))
    # the partition's clock stays where the real complaints are: nothing is due yet
    out = h.pipe.tick(0, NOW)
    assert [e.transition for e in out.sla_events if e.transition == "breached"] == []


def event_time_of(ev: dict[str, Any]) -> float:
    from schemas.events import EVENT_ADAPTER

    return event_time(EVENT_ADAPTER.validate_json(line(ev)))


def test_an_event_older_than_the_bound_is_too_old() -> None:
    h = Harness()
    out = h.send(feedback(1, 5), at=NOW + 40 * 86400)
    assert out.rejection.code == "too_old" and "intake.max_behind" in out.rejection.reason


def test_a_failure_after_the_store_changed_rolls_it_back_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = Harness()
    for i in range(12):
        h.send(feedback(i, 1 + i % 5, comment="服务很好"))
    h.send(review(1, minutes=13))
    before = orjson.dumps(h.stores["S1"].to_json())
    # A rule that runs after counters, clocks, labels and spikes have moved meets a setting
    # that is no number: a bug as the step would meet one. Not a patched function: compiled
    # callers (``streams.native``) never look a function up again.
    monkeypatch.setattr(h.pipe.signals.cfg.word_of_mouth, "reach_high", "boom")
    out = h.send(review(2, minutes=14))
    assert out.outcome == "failed" and out.rejection.code == "processing_error"
    assert out.rejection.reason.startswith("TypeError: ")
    assert orjson.dumps(h.stores["S1"].to_json()) == before
    monkeypatch.undo()
    assert h.send(review(2, minutes=14)).outcome == "applied"  # once fixed, it counts


def test_a_failure_rolls_back_new_labels_terms_and_a_first_clock_of_the_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The checkpoint keeps the labels and crisis terms by reference and only the event kind's
    # clock and evidence ring: an opened complaint of a kind the store has not seen, under a
    # new brand, saying a crisis term, must still leave no trace when a later step fails.
    h = Harness()
    h.send(feedback(1, 1, brand="B1", city="C1", comment="上了 12315 投诉"))
    h.send(review(1, minutes=2))
    state = h.stores["S1"]
    labels, terms = state.labels, state.terms
    before = orjson.dumps(state.to_json())

    def broken(*args: Any, **kw: Any) -> Any:
        raise ValueError("boom")

    monkeypatch.setattr("streams.core.sla.engine.on_event", broken)
    text = "吃出虫子，已向 12315 和媒体反映"
    out = h.send(complaint(1, at=T0 + timedelta(minutes=3), brand="B2", region="R9", text=text))
    assert out.rejection.code == "processing_error"
    assert orjson.dumps(state.to_json()) == before
    assert state.labels is labels and labels == {"brand": "B1", "city": "C1"}
    assert state.terms is terms and "complaint" not in state.clocks
    monkeypatch.undo()
    assert h.send(complaint(1, at=T0 + timedelta(minutes=3), brand="B2")).outcome == "applied"
    assert h.stores["S1"].labels == {"brand": "B2", "city": "C1"} and labels["brand"] == "B1"


def test_a_failing_sla_step_rolls_back_the_store_too(monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness()
    h.send(feedback(1, 5))
    before = orjson.dumps(h.stores["S1"].to_json())

    def broken(*args: Any, **kw: Any) -> Any:
        raise ValueError("year 10000 is out of range")

    monkeypatch.setattr("streams.core.sla.engine.on_event", broken)
    out = h.send(complaint(1))
    assert out.rejection.code == "processing_error" and "ValueError" in out.rejection.reason
    assert orjson.dumps(h.stores["S1"].to_json()) == before
    assert h.complaints == {} and h.pipe.tally.consumed == {"feedback": 1}


def test_a_resent_complaint_counts_as_one_duplicate() -> None:
    h = Harness()
    h.send(complaint(1))
    h.send(complaint(1))
    h.send(complaint(1, "agent_replied", at=T0 + timedelta(minutes=5)))
    h.send(complaint(1, "agent_replied", at=T0 + timedelta(minutes=5)))
    assert h.pipe.tally.consumed == {"complaint": 4}
    assert h.pipe.tally.duplicates == {"complaint": 2}


def test_replay_dead_letters_a_line_dated_beyond_the_file() -> None:
    lines = [line(feedback(i, 5)) for i in range(5)]
    lines.insert(2, line(feedback(99, 1, at=T0.replace(year=2030))))
    result = replay(read_events(lines), Settings())
    assert [(d.code, d.offset) for d in result.dead_letters] == [("from_the_future", 3)]
    assert result.consumed == {"feedback": 5} and result.late == {}


def test_the_core_and_the_replay_runner_load_no_network_code() -> None:
    code = (
        "import sys, streams.core.step, streams.replay, streams.config\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('faust', 'aiokafka', 'aiohttp', 'kafka', 'cxpulse', 'alerts', 'mode')]\n"
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_new_store_past_the_limit_is_parked_and_the_stores_held_go_on() -> None:
    settings = Settings()
    settings.intake.max_stores = 2
    stores: dict[str, StoreState] = {}
    loads: list[str] = []

    def load(store_id: str) -> StoreState | None:
        loads.append(store_id)
        return stores.get(store_id)

    pipe = Pipeline(
        settings.intake,
        wiring.signals(settings),
        Engine(settings.sla),
        load,
        lambda key: None,
        stores_held=lambda: len(stores),
    )

    def send(i: int, store: str) -> Any:
        return pipe.message(
            Message(line(feedback(i, 5, store=store)), store.encode(), None, NOW), 0, NOW
        )

    # Two stores begun in one batch count before the shell holds them.
    assert [send(1, "S1").outcome, send(2, "S2").outcome] == ["applied", "applied"]
    out = send(3, "S3")
    assert out.outcome == "rejected" and out.rejection.code == "store_limit"
    assert "intake.max_stores" in out.rejection.reason
    stores.update({k: st for k, (_, st) in pipe.take_changes().stores.items()})
    assert send(4, "S4").rejection.code == "store_limit"  # and after the shell took them
    loads.clear()
    assert [send(5, "S1").outcome, send(6, "S2").outcome] == ["applied", "applied"]
    assert loads == ["S1", "S2"]  # each read once from the shell (a read may decode it)
    assert pipe.tally.rejected == {"store_limit": 2}


def test_replay_parks_the_stores_past_the_limit_as_the_worker_does() -> None:
    settings = Settings()
    settings.intake.max_stores = 3
    events = [feedback(i, 5, store=f"S{i % 5}") for i in range(20)]
    result = replay(read_events([line(e) for e in events]), settings)
    assert sorted(result.stores) == ["S0", "S1", "S2"]
    assert sorted(d.code for d in result.dead_letters) == ["store_limit"] * 8
