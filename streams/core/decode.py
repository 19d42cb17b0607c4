"""Bytes in, a valid event or a precise rejection out. Never raises on input."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.deadletter import ReasonCode
from schemas.events import EVENT_ADAPTER, EVENT_MODELS, MAX_MESSAGE_BYTES, Envelope


@dataclass(frozen=True)
class Rejection:
    code: ReasonCode
    reason: str


def decode(
    value: bytes | None, *, expected_type: str | None = None, key: bytes | None = None
) -> Envelope | Rejection:
    """Validate one message. `expected_type` is the kind the topic carries (None: any);
    `key`, when given, must equal the event's store_id (the partitioning contract)."""
    if value is None:
        return Rejection("not_json", "empty message (null value)")
    if len(value) > MAX_MESSAGE_BYTES:
        return Rejection(
            "too_large", f"message is {len(value)} bytes; the limit is {MAX_MESSAGE_BYTES}"
        )
    try:
        event: Envelope = EVENT_ADAPTER.validate_json(value)
    except ValidationError as exc:
        return _explain(value, exc)
    if expected_type is not None and event.event_type != expected_type:  # type: ignore[attr-defined]
        return Rejection(
            "wrong_topic",
            f"a '{event.event_type}' event on the '{expected_type}' topic",  # type: ignore[attr-defined]
        )
    if key is not None and key != event.store_id.encode():
        return Rejection(
            "key_mismatch",
            f"message key {key[:64]!r} is not the event's store_id {event.store_id!r}; "
            "publish with key = store_id",
        )
    return event


def _explain(value: bytes, exc: ValidationError) -> Rejection:
    errors = exc.errors(include_url=False)
    first = errors[0]
    kind = first["type"]
    if kind in ("json_invalid", "json_type"):
        return Rejection("not_json", f"not valid JSON: {first['msg']}")
    if kind == "union_tag_invalid":
        allowed = ", ".join(EVENT_MODELS)
        return Rejection(
            "unknown_event_type",
            f"unknown event_type {first['input'].get('event_type')!r}; expected one of: {allowed}"
            if isinstance(first.get("input"), dict)
            else f"unknown event_type; expected one of: {allowed}",
        )
    if kind == "union_tag_not_found":
        return Rejection("unknown_event_type", "missing field 'event_type'")
    if kind == "model_attributes_type":
        return Rejection("invalid", "the message must be a JSON object")
    parts = []
    for err in errors[:5]:
        # loc starts with the union tag ('feedback', ...); drop it, the type is known
        loc = ".".join(str(p) for p in err["loc"][1:]) or "(event)"
        shown = json.dumps(err.get("input"), ensure_ascii=False, default=str)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        parts.append(f"{loc}: {err['msg']} (got {shown})")
    more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
    return Rejection("invalid", "; ".join(parts) + more)
