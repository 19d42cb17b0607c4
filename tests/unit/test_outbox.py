"""The outbox dispatcher over an in-memory store: delivery, retry with backoff, giving up,
restart without duplicates, and a dead receiver not holding up the others."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from alerts.model import OutboxItem
from alerts.notify.base import DeliveryError
from alerts.outbox import Backoff, Dispatcher
from tests.helpers import T0
from tests.unit.test_outbox_fakes import Clock, FakeReceiver, FakeStore, decode, item


def make(
    store: FakeStore, *receivers: FakeReceiver, **kw: object
) -> tuple[Dispatcher, Clock, CollectorRegistry]:
    clock, reg = Clock(), CollectorRegistry()
    d = Dispatcher(
        store,
        {r.name: r for r in receivers},
        decode,
        clock,
        registry=reg,
        rand=lambda: 0.5,  # jitter factor exactly 1: delays are the bare exponential
        **kw,  # type: ignore[arg-type]
    )
    return d, clock, reg


def sample(reg: CollectorRegistry, name: str, **labels: str) -> float:
    return reg.get_sample_value(name, labels) or 0.0


def test_delivers_each_item_once_and_records_it() -> None:
    store = FakeStore()
    store.enqueue([item(1, "ding"), item(2, "ding"), item(3, "mail")])
    ding, mail = FakeReceiver("ding"), FakeReceiver("mail")
    d, clock, reg = make(store, ding, mail)
    clock.advance(seconds=3)

    stats = asyncio.run(d.run_once(clock()))

    assert (stats.sent, stats.failed, stats.retried) == (3, 0, 0)
    assert [n.key for n in ding.got] == ["k0001", "k0002"]  # in enqueue order
    assert [n.key for n in mail.got] == ["k0003"]
    assert {i.state for i in store.items.values()} == {"sent"}
    assert store.items["k0001"].sent_at == T0 + timedelta(seconds=3)
    assert sample(reg, "cxpulse_notifications_sent_total", receiver="ding") == 2
    assert sample(reg, "cxpulse_outbox_pending", receiver="ding") == 2  # due at the round
    assert sample(reg, "cxpulse_notification_delivery_seconds_count", receiver="mail") == 1
    # Enqueue time T0 + 3 ms, delivered at T0 + 3 s: lands in the 5 s bucket, not below 2.
    below_2s = sample(
        reg, "cxpulse_notification_delivery_seconds_bucket", receiver="mail", le="2.0"
    )
    assert below_2s == 0

    again = asyncio.run(d.run_once(clock.advance(seconds=60)))
    assert again.sent == 0 and len(ding.got) == 2  # nothing sent twice
    assert store.enqueue([item(1, "ding")]) == 0  # the key is taken: re-enqueue is a no-op


def test_retryable_failure_backs_off_and_pauses_only_that_receiver() -> None:
    store = FakeStore()
    store.enqueue([item(1, "ding"), item(2, "ding"), item(3, "mail")])
    ding = FakeReceiver("ding", failures=[DeliveryError("ding: HTTP 500")])
    mail = FakeReceiver("mail")
    d, _, reg = make(store, ding, mail)

    stats = asyncio.run(d.run_once(T0))
    assert (stats.sent, stats.retried, stats.skipped) == (1, 1, 1)
    first = store.items["k0001"]
    assert first.state == "pending" and first.attempts == 1
    assert first.due_at == T0 + timedelta(seconds=5)  # base 5 s, jitter factor 1
    assert first.last_error == "ding: HTTP 500"
    # The rest of the dead receiver's backlog was not tried (one timeout per backoff step),
    # and is not charged an attempt.
    assert ding.calls == 1 and store.items["k0002"].attempts == 0
    assert [n.key for n in mail.got] == ["k0003"]

    assert asyncio.run(d.run_once(T0 + timedelta(seconds=4))).sent == 0  # paused
    assert ding.calls == 1
    stats = asyncio.run(d.run_once(T0 + timedelta(seconds=5)))
    assert stats.sent == 2
    assert [n.key for n in ding.got] == ["k0001", "k0002"]  # order kept across the retry
    assert sample(reg, "cxpulse_notifications_retried_total", receiver="ding") == 1
    assert store.items["k0001"].last_error is None


def test_backoff_grows_is_capped_and_jittered() -> None:
    b = Backoff(base=timedelta(seconds=5), factor=2, cap=timedelta(seconds=60), jitter=0.2)
    assert [b.delay(n, 0.5).total_seconds() for n in (1, 2, 3, 4, 5, 9)] == [5, 10, 20, 40, 60, 60]
    assert b.delay(2, 0.0).total_seconds() == pytest.approx(8.0)
    assert b.delay(2, 1.0).total_seconds() == pytest.approx(12.0)


def test_gives_up_after_max_attempts() -> None:
    store = FakeStore()
    store.enqueue([item(1, "ding")])
    ding = FakeReceiver("ding", failures=[DeliveryError("busy")] * 5)
    d, _, reg = make(store, ding, backoff=Backoff(max_attempts=3))

    now = T0
    for _ in range(3):
        asyncio.run(d.run_once(now))
        now = store.items["k0001"].due_at
    it = store.items["k0001"]
    assert it.state == "failed" and it.attempts == 3
    assert it.last_error == "busy (after 3 attempts)"
    failed = "cxpulse_notifications_failed_total"
    assert sample(reg, failed, receiver="ding", reason="exhausted") == 1
    assert sample(reg, "cxpulse_notifications_retried_total", receiver="ding") == 2
    assert asyncio.run(d.run_once(now + timedelta(hours=1))).sent == 0 and ding.calls == 3


def test_not_retryable_fails_at_once_and_the_next_item_still_goes() -> None:
    store = FakeStore()
    bad = item(3, "ding")
    bad.payload = "{not json"
    store.enqueue([item(1, "ding"), item(2, "ding"), bad, item(4, "gone")])
    ding = FakeReceiver("ding", failures=[DeliveryError("sign not match", retryable=False)])
    d, _, reg = make(store, ding)

    stats = asyncio.run(d.run_once(T0))

    assert store.items["k0001"].state == "failed"
    assert store.items["k0001"].last_error == "sign not match"
    assert store.items["k0002"].state == "sent"
    assert store.items["k0003"].state == "failed"
    assert (store.items["k0003"].last_error or "").startswith("undecodable payload")
    assert store.items["k0004"].state == "failed"  # no receiver of that name any more
    assert "no receiver named 'gone'" in (store.items["k0004"].last_error or "")
    assert (stats.sent, stats.failed) == (1, 3)
    failed = "cxpulse_notifications_failed_total"
    assert sample(reg, failed, receiver="ding", reason="rejected") == 2


def test_restart_sends_nothing_twice() -> None:
    store = FakeStore()
    store.enqueue([item(i, "ding") for i in range(1, 4)])
    first = FakeReceiver("ding", failures=[None, None, DeliveryError("HTTP 502")])
    d1, _, _ = make(store, first)
    asyncio.run(d1.run_once(T0))
    assert [n.key for n in first.got] == ["k0001", "k0002"]

    # A new process: new dispatcher, new receiver objects, the same database.
    second = FakeReceiver("ding")
    d2, _, _ = make(store, second)
    assert asyncio.run(d2.run_once(T0 + timedelta(seconds=1))).sent == 0  # k3 not due yet
    asyncio.run(d2.run_once(T0 + timedelta(seconds=5)))
    assert [n.key for n in second.got] == ["k0003"]
    assert {i.state for i in store.items.values()} == {"sent"}


def test_a_hanging_receiver_times_out_and_is_retried() -> None:
    store = FakeStore()
    store.enqueue([item(1, "ding")])
    ding = FakeReceiver("ding")
    d, _, _ = make(store, ding, send_timeout=0.05)

    async def go() -> None:
        ding.hang = asyncio.Event()  # never set: the robot never answers
        stats = await d.run_once(T0)
        assert stats.retried == 1

    asyncio.run(go())
    it = store.items["k0001"]
    assert it.state == "pending" and "no answer within 0.05s" in (it.last_error or "")


def test_a_dead_receiver_never_blocks_the_others_in_run() -> None:
    store = FakeStore()
    store.enqueue([item(1, "dead"), item(2, "ok")])
    dead, ok = FakeReceiver("dead"), FakeReceiver("ok")
    d, _, _ = make(store, dead, ok, send_timeout=30, poll_interval=0.01)

    async def go() -> float:
        dead.hang = asyncio.Event()
        stop = asyncio.Event()
        runner = asyncio.create_task(d.run(stop))
        started = time.monotonic()

        async def until(check: object, what: str) -> None:
            deadline = time.monotonic() + 5
            while not check():  # type: ignore[operator]
                assert time.monotonic() < deadline, f"timed out waiting for {what}"
                await asyncio.sleep(0.01)  # the pause between polls, not a wait for an event

        await until(lambda: ok.got, "the healthy receiver's first item")
        # While the dead one still hangs in its first send, new work for the healthy one flows.
        store.enqueue([item(3, "ok"), item(4, "dead")])
        await until(lambda: len(ok.got) == 2, "the healthy receiver's second item")
        elapsed = time.monotonic() - started
        assert dead.calls == 1  # still the first send: its round is busy, not restarted
        stop.set()
        dead.hang.set()  # the robot finally answers: the in-flight send is recorded
        await asyncio.wait_for(runner, 5)
        return elapsed

    elapsed = asyncio.run(go())
    assert elapsed < 5  # far below the 30 s send timeout the dead receiver holds
    assert [n.key for n in ok.got] == ["k0002", "k0003"]
    assert store.items["k0001"].state == "sent"
    assert store.items["k0004"].state == "pending"  # never picked up: dead was busy


class SlowDue(FakeStore):
    """``due`` answers from a snapshot taken when called, but returns only once ``go`` is set:
    a round that finishes meanwhile makes the answer stale."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.hold_call: int | None = None
        self.entered = threading.Event()
        self.go = threading.Event()

    def due(
        self, now: datetime, limit: int = 100, *, receiver: str | None = None
    ) -> list[OutboxItem]:
        snapshot = super().due(now, limit, receiver=receiver)
        self.calls += 1
        if self.calls == self.hold_call:
            self.entered.set()
            assert self.go.wait(10)
        return snapshot


def test_a_round_finishing_during_the_due_query_is_not_restarted_on_stale_items() -> None:
    store = SlowDue()
    store.enqueue([item(1, "ding")])
    ding = FakeReceiver("ding")
    d, _, _ = make(store, ding, poll_interval=0.01)

    async def go() -> None:
        loop = asyncio.get_running_loop()
        ding.hang = asyncio.Event()
        stop = asyncio.Event()
        runner = asyncio.create_task(d.run(stop))
        deadline = time.monotonic() + 5
        while ding.calls == 0:  # round 1 is in its send
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)  # the pause between polls
        store.hold_call = store.calls + 1
        await asyncio.to_thread(store.entered.wait, 5)  # the next query has its snapshot
        loop.call_soon(ding.hang.set)  # round 1 delivers and marks k0001 sent meanwhile
        while store.items["k0001"].state != "sent":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        ding.hang = None
        store.go.set()  # the stale answer (k0001 still pending) comes back now
        calls = store.calls
        while store.calls < calls + 3:  # a few more rounds of the loop
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(runner, 5)

    asyncio.run(go())
    assert [n.key for n in ding.got] == ["k0001"]  # once, not again from the stale answer


def test_a_dead_robot_s_backlog_does_not_starve_another_receiver() -> None:
    store = FakeStore()
    store.enqueue([item(i, "dead") for i in range(1, 31)] + [item(99, "ding")])
    dead, ding = FakeReceiver("dead"), FakeReceiver("ding")
    d, clock, _ = make(store, dead, ding, fetch_limit=10)
    asyncio.run(d.run_once(clock()))
    assert [n.key for n in ding.got] == ["k0099"]  # not behind the 30 of "dead"
