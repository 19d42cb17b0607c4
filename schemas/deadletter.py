"""Dead-letter records.

A rejected message is parked on the dead-letter topic with its *original bytes* as the value and
key, so it can be fixed and re-published as it was; why it was rejected and where it came from
travel in headers (the Kafka Connect convention). ``DeadLetter`` is the same information as one
JSON object, used by `cxpulse replay --dlq-out` and documented as JSON Schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import MAX_MESSAGE_BYTES

ReasonCode = Literal[
    "too_large",  # over MAX_MESSAGE_BYTES, not parsed at all
    "not_json",  # not UTF-8 JSON
    "unknown_event_type",  # missing or unknown event_type
    "invalid",  # a field is missing, out of range, of the wrong type ...
    "wrong_topic",  # a valid event on another kind's topic
    "key_mismatch",  # Kafka key is not the event's store_id (would split its state)
    "no_key",  # the Kafka key is missing: the store's partition cannot be trusted
    "from_the_future",  # event time too far ahead of its arrival (a clock or a typo upstream)
    "too_old",  # event time too far behind its arrival for any window or clock to use
    "processing_error",  # valid, but handling it failed (a bug): parked, not retried
    # A store's or complaint's saved state the worker cannot read (written by a newer version,
    # or damaged): parked as it was recovered, and the store or complaint starts afresh.
    "state_unreadable",
    # A new store past the stores one worker holds (intake.max_stores): a producer that fills
    # store_id with a fresh value per event would otherwise add a store per event.
    "store_limit",
]

HEADER_CODE = "cxpulse.error.code"
HEADER_REASON = "cxpulse.error.reason"
HEADER_TOPIC = "cxpulse.source.topic"
HEADER_PARTITION = "cxpulse.source.partition"
HEADER_OFFSET = "cxpulse.source.offset"
# The size of the original value, on a record that parks only its start (``PARKED_MAX_BYTES``).
HEADER_BYTES = "cxpulse.source.bytes"

# What a dead-letter record keeps of the original key and value. Every valid event fits
# (``MAX_MESSAGE_BYTES``), and so the start of anything refused as too large; a whole message of
# several MB (on a topic whose max.message.bytes allows it) would be refused by the worker's
# own Kafka client, and a record that cannot be sent parks nothing. The original stays on its
# topic, at the partition and offset the headers give, until the topic's retention.
PARKED_MAX_BYTES = MAX_MESSAGE_BYTES
PARKED_KEY_MAX_BYTES = 1024  # a store id is a few dozen bytes
REASON_MAX_CHARS = 2000  # a reason quotes at most five fields, each cut, but names their paths


def record(
    code: ReasonCode,
    reason: str,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
) -> dict[str, Any]:
    """A dead-letter record of a message, as a producer's ``send`` takes it (``key``, ``value``,
    ``headers``): its key and value, the value cut to ``PARKED_MAX_BYTES`` (and its size then
    said in ``HEADER_BYTES``), and why it was parked and where it came from in the headers."""
    headers = [
        (HEADER_CODE, code.encode()),
        (HEADER_REASON, reason[:REASON_MAX_CHARS].encode()),
        (HEADER_TOPIC, topic.encode()),
        (HEADER_PARTITION, str(partition).encode()),
        (HEADER_OFFSET, str(offset).encode()),
    ]
    if value is not None and len(value) > PARKED_MAX_BYTES:
        headers.append((HEADER_BYTES, str(len(value)).encode()))
        value = value[:PARKED_MAX_BYTES]
    return {
        "key": key[:PARKED_KEY_MAX_BYTES] if key else key,
        "value": value,
        "headers": headers,
    }


class DeadLetter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: ReasonCode
    reason: str = Field(description="human-readable, names the field and the rule")
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    value: str = Field(description="the original bytes, decoded as UTF-8 with replacement")
