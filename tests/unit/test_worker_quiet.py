"""The log rate limit: the first of a kind, then one per interval saying how many were held."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError
from faust.exceptions import ProducerSendError
from faust.transport.drivers import aiokafka as driver

from streams.worker.quiet import Producer, RateLimit


def record(name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)


def test_a_repeated_message_passes_once_per_interval_with_the_count_held_back() -> None:
    now = [0.0]
    limit = RateLimit(interval=30.0, clock=lambda: now[0])
    msg = "Unable connect to node with id %s: %s"
    passed = []
    for second in range(65):
        now[0] = float(second)
        for _ in range(10):
            r = record("aiokafka.client", msg, 1, "Connect call failed")
            if limit.filter(r):
                passed.append(r.getMessage())
    assert len(passed) == 3  # at 0 s, 30 s and 60 s
    assert passed[0] == "Unable connect to node with id 1: Connect call failed"
    assert passed[1].endswith("[299 more like this in 30 s]")


def test_kinds_are_limited_apart_and_other_loggers_pass() -> None:
    limit = RateLimit(interval=30.0, clock=lambda: 0.0)
    assert limit.filter(record("aiokafka.client", "a %s", 1))
    assert limit.filter(record("aiokafka.consumer.fetcher", "a %s", 1))
    assert limit.filter(record("aiokafka.client", "b"))
    assert not limit.filter(record("aiokafka.client", "a %s", 2))
    assert all(limit.filter(record("cxpulse.live", "scraped %s", i)) for i in range(5))
    # a flood of rejected messages is one line per interval too (the dead-letter topic keeps all)
    assert [limit.filter(record("cxpulse.worker", "rejected %s", i)) for i in range(3)] == [
        True,
        False,
        False,
    ]


def test_a_percent_sign_in_the_arguments_survives_the_note() -> None:
    now = [0.0]
    limit = RateLimit(interval=1.0, clock=lambda: now[0])
    limit.filter(record("mode", "x %s", "100%"))
    limit.filter(record("mode", "x %s", "100%"))
    now[0] = 2.0
    r = record("mode", "x %s", "50%")
    assert limit.filter(r)
    assert r.getMessage() == "x 50% [1 more like this in 2 s]"


def test_numbers_formatted_into_the_message_make_no_new_kind() -> None:
    limit = RateLimit(interval=30.0, clock=lambda: 0.0)
    assert limit.filter(record("faust.transport.producer", "producer buffer full size 1291"))
    assert not limit.filter(record("faust.transport.producer", "producer buffer full size 1292"))


def producer(on_too_large: Any) -> Producer:
    """A producer as far as ``send`` reads it (Faust's own ``send`` is replaced below)."""
    p = Producer.__new__(Producer)
    p.transport = SimpleNamespace(app=SimpleNamespace(on_too_large=on_too_large))  # type: ignore[assignment]
    return p


def refusing(cause: Exception) -> Any:
    async def send(self: Any, topic: str, *args: Any, **kwargs: Any) -> Any:
        raise ProducerSendError(f"Error while sending: {cause!r}") from cause

    return send


def test_a_message_too_large_to_send_fails_alone_and_is_counted(monkeypatch: Any) -> None:
    counted: list[str] = []
    stub = producer(counted.append)
    monkeypatch.setattr(driver.Producer, "send", refusing(MessageSizeTooLargeError("2 MB")))

    async def go() -> Any:
        return await stub.send("cx.dlq", b"k", b"v" * 10, None, None, None)

    failed = asyncio.run(go())
    assert isinstance(failed.exception(), ProducerSendError)  # the message's own failure
    assert counted == ["cx.dlq"]


def test_any_other_send_error_still_stops_the_send(monkeypatch: Any) -> None:
    stub = producer(None)
    monkeypatch.setattr(driver.Producer, "send", refusing(KafkaTimeoutError()))
    with pytest.raises(ProducerSendError):
        asyncio.run(stub.send("cx.dlq", b"k", b"v", None, None, None))
