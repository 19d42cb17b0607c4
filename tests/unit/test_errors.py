"""An error in one line: its class named once, its message cut."""

from __future__ import annotations

from aiokafka.errors import KafkaConnectionError, UnsupportedCodecError
from kafka.errors import KafkaTimeoutError

from streams.core.errors import said


def test_the_kafka_clients_errors_are_named_once() -> None:
    # Both clients start their messages with the class name already.
    assert said(UnsupportedCodecError("no zstd")) == "UnsupportedCodecError: no zstd"
    assert (
        said(KafkaTimeoutError("Unable to bootstrap")) == "KafkaTimeoutError: Unable to bootstrap"
    )
    assert said(KafkaConnectionError()) == "KafkaConnectionError"


def test_other_errors_are_named_before_their_message_which_is_cut() -> None:
    assert said(ValueError("bad rating")) == "ValueError: bad rating"
    assert said(ValueError()) == "ValueError"
    assert said(ValueError("ValueErrors galore")) == "ValueError: ValueErrors galore"
    assert said(RuntimeError("x" * 500), limit=10) == "RuntimeError: " + "x" * 10
