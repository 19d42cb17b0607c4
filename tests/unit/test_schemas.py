from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas import deadletter as dl
from schemas import export
from schemas.events import MAX_MESSAGE_BYTES
from streams.core.decode import Rejection, decode
from tests.helpers import feedback, line

EXAMPLES = Path(__file__).parents[2] / "schemas" / "examples"


def test_exported_json_schemas_are_current() -> None:
    for fname, text in export.rendered().items():
        path = export.OUT / fname
        assert path.exists(), f"{path} missing: run `cxpulse schemas`"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `cxpulse schemas`"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_readme_examples_are_valid(path: Path) -> None:
    result = decode(path.read_bytes())
    assert not isinstance(result, Rejection), result
    assert result.event_type == path.stem  # type: ignore[attr-defined]


def reject(ev: dict[str, object] | bytes) -> Rejection:
    result = decode(ev if isinstance(ev, bytes) else line(ev))
    assert isinstance(result, Rejection), f"accepted: {result}"
    return result


def test_naive_time_is_rejected_with_the_field_named() -> None:
    ev = feedback(1, 5)
    ev["occurred_at"] = "2026-11-23T12:00:00"
    r = reject(ev)
    assert r.code == "invalid" and "occurred_at" in r.reason and "timezone" in r.reason


def test_out_of_range_rating_and_typo_field() -> None:
    assert "rating" in reject(feedback(1, 6)).reason
    assert "ratting" in reject({**feedback(1, 5), "ratting": 3}).reason


def test_unknown_and_missing_event_type() -> None:
    r = reject({**feedback(1, 5), "event_type": "tweet"})
    assert r.code == "unknown_event_type" and "'tweet'" in r.reason and "feedback" in r.reason
    ev = feedback(1, 5)
    del ev["event_type"]
    assert reject(ev).code == "unknown_event_type"


def test_huge_message_is_refused_before_parsing() -> None:
    big = line(feedback(1, 5, comment="差" * (MAX_MESSAGE_BYTES // 3 + 10)))
    r = reject(big)
    assert r.code == "too_large" and str(MAX_MESSAGE_BYTES) in r.reason


def test_long_comment_under_the_byte_limit_is_still_invalid() -> None:
    assert "comment" in reject(feedback(1, 5, comment="x" * 5000)).reason


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"", b"[1]", b'"x"', b"null"])
def test_garbage_never_raises(raw: bytes) -> None:
    assert reject(raw).code in ("not_json", "invalid", "unknown_event_type")


def test_wrong_topic_and_key_mismatch() -> None:
    data = line(feedback(1, 5))
    r = decode(data, expected_type="review")
    assert isinstance(r, Rejection) and r.code == "wrong_topic"
    r = decode(data, key=b"S2")
    assert isinstance(r, Rejection) and r.code == "key_mismatch" and "store_id" in r.reason
    assert not isinstance(decode(data, expected_type="feedback", key=b"S1"), Rejection)


def test_call_times_must_be_ordered() -> None:
    ev = json.loads((EXAMPLES / "call.json").read_text())
    ev["answered_at"] = "2026-11-23T16:00:00+08:00"  # after ended_at
    assert "answered_at" in reject(ev).reason


def test_event_time_is_each_events_own_however_they_are_asked_for() -> None:
    # event_time keeps its last conversion: events asked for in turn, and the same instant
    # written in another zone, still give their own seconds.
    from datetime import UTC, datetime

    from schemas.events import EVENT_ADAPTER, event_time

    shanghai = feedback(1, 5) | {"occurred_at": "2026-11-23T12:00:00+08:00"}
    utc = feedback(2, 5) | {"occurred_at": "2026-11-23T04:00:00Z"}
    later = feedback(3, 5) | {"occurred_at": "2026-11-23T04:00:01.5Z"}
    a, b, c = (EVENT_ADAPTER.validate_json(line(e)) for e in (shanghai, utc, later))
    noon = datetime(2026, 11, 23, 4, tzinfo=UTC).timestamp()
    for event, want in ((a, noon), (c, noon + 1.5), (c, noon + 1.5), (b, noon), (a, noon)):
        assert event_time(event) == want


def test_a_key_given_twice_is_refused_with_its_name() -> None:
    """Parsers differ on which of two values of one key counts; the upstream's reports and
    ours would disagree about the same message. However the repeat is spelt."""
    ok = line(feedback(1, 5)).decode()
    twice = [
        ok.replace('"rating": 5', '"rating": 5, "rating": 1'),
        ok.replace('"rating": 5', '"rating" : 5, "rating":1'),  # spaces before a colon
        ok.replace('"rating": 5', '"rating": 5, "comment": "a \\":", "rating": 1'),  # a quote
        ok[:-1] + ', "customer": {"tier": "vip", "tier": "regular"}}',  # within an object
    ]
    call = (EXAMPLES / "call.json").read_text()
    assert '"speaker": "agent"' in call
    twice.append(call.replace('"speaker": "agent"', '"speaker": "agent", "speaker": "customer"'))
    for raw in twice:
        assert raw != ok
        r = reject(raw.encode())
        assert r.code == "invalid" and "given twice" in r.reason, (raw, r)
        assert any(f"'{k}'" in r.reason for k in ("rating", "tier", "speaker"))


def test_messages_that_only_look_like_repeats_are_taken() -> None:
    ok = line(feedback(1, 5)).decode()
    alike = [
        ok.replace('": ', '" : '),  # every key spaced from its colon
        ok.replace('"rating": 5', '"rating": 5, "comment": "say \\"rating\\": 1"'),
        ok[:-1] + ', "customer": {"tier": "vip", "tags": ["media"]}}',
        json.dumps({**feedback(1, 5), "comment": 'a "quoted": word'}),
    ]
    for raw in alike:
        result = decode(raw.encode())
        assert not isinstance(result, Rejection), (raw, result)
        assert result.rating == 5  # type: ignore[attr-defined]


def test_a_dead_letter_record_keeps_the_start_of_an_outsized_value_and_says_its_size() -> None:
    whole = b"x" * (dl.PARKED_MAX_BYTES + 10)
    cut = dl.record("too_large", "r" * 5000, "cx.feedback", 2, 7, b"k" * 5000, whole)
    headers = dict(cut["headers"])
    assert cut["value"] == whole[: dl.PARKED_MAX_BYTES] and len(cut["key"]) == 1024
    assert headers[dl.HEADER_BYTES] == str(len(whole)).encode()
    assert len(headers[dl.HEADER_REASON]) == dl.REASON_MAX_CHARS
    kept = dl.record("not_json", "r", "cx.feedback", 2, 7, b"S1", b"{")
    assert (kept["key"], kept["value"]) == (b"S1", b"{")
    assert dl.HEADER_BYTES not in dict(kept["headers"])
