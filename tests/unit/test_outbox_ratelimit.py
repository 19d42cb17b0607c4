"""Rate limits per robot, with an injected clock: what fits the window goes out unchanged, the
overflow is folded into one digest, nothing is dropped, and a restart cannot burst."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry

from alerts.db import SqlStore
from alerts.notify.base import Notification
from alerts.outbox import Dispatcher
from alerts.ports import AlertStore
from alerts.ratelimit import SlidingWindow, digest_key, fold
from tests.helpers import T0
from tests.unit.test_outbox_fakes import Clock, FakeReceiver, FakeStore, decode, item, view


def s(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_sliding_window_is_exact() -> None:
    w = SlidingWindow(3)
    for at in (0, 10, 20):
        assert w.room(T0 + s(at)) > 0
        w.record(T0 + s(at))
    assert w.room(T0 + s(59.999)) == 0
    assert w.next_free(T0 + s(30)) == T0 + s(60)
    assert w.room(T0 + s(60)) == 1  # the first send's slot frees exactly a minute later
    w.record(T0 + s(60))
    assert w.next_free(T0 + s(61)) == T0 + s(70)
    assert w.room(T0 + s(80)) == 2


def _n(i: int, store: str = "S001", status: str = "firing", **kw: object) -> Notification:
    n = decode(item(i, store=store).payload)
    return replace(n, alerts=(view(i, store, status),), **kw)  # type: ignore[arg-type]


def test_fold_one_group_keeps_its_links_and_latest_status() -> None:
    a, b = _n(1), _n(2)
    b_resolved = replace(_n(2, status="resolved"), key="k-late")
    d = fold([a, b, b_resolved])
    assert d.folded == 3
    assert [(v.fingerprint, v.status) for v in d.alerts] == [
        ("fp0001", "firing"),
        ("fp0002", "resolved"),  # the latest word on fp0002
    ]
    assert d.status == "firing"
    assert d.ack_url == b_resolved.ack_url and d.group_key == "g:S001"
    assert d.key == digest_key(["k0001", "k0002", "k-late"])
    assert fold([a]) is a  # a digest of one is just the message


def test_fold_across_groups_drops_the_ack_link() -> None:
    d = fold([_n(1, "S001", mention=("138",)), _n(2, "S002", mention=("139", "138"))])
    assert d.group_key == "digest" and d.group_labels == {}
    assert d.ack_url is None  # one link cannot acknowledge two groups
    assert d.mention == ("138", "139")
    assert fold([_n(1, "S001"), _n(2, "S002", status="resolved")]).status == "firing"
    assert fold([_n(1, status="resolved"), _n(2, status="resolved")]).status == "resolved"


def test_overflow_becomes_one_digest_and_held_items_wait_for_a_slot() -> None:
    store = FakeStore()
    store.enqueue([item(i) for i in range(1, 11)])  # 10 at once, the robot takes 3 a minute
    robot = FakeReceiver("ding", rate_limit_per_minute=3)
    clock, reg = Clock(), CollectorRegistry()
    d = Dispatcher(store, {"ding": robot}, decode, clock, registry=reg)

    stats = asyncio.run(d.run_once(T0))
    assert (stats.messages, stats.sent, stats.folded) == (3, 10, 8)
    singles, digest = robot.got[:2], robot.got[2]
    assert [n.key for n in singles] == ["k0001", "k0002"] and {n.folded for n in singles} == {0}
    assert digest.folded == 8
    assert [a.fingerprint for a in digest.alerts] == [f"fp{i:04d}" for i in range(3, 11)]
    assert {i.state for i in store.items.values()} == {"sent"}  # nothing dropped

    # More arrive while the window is full: held, not sent, not dropped, not charged.
    clock.now = T0 + s(10)
    store.enqueue([item(i, created=T0 + s(10)) for i in range(11, 16)])
    stats = asyncio.run(d.run_once(clock()))
    assert (stats.messages, stats.held) == (0, 5)
    clock.now = T0 + s(59)
    assert asyncio.run(d.run_once(clock())).messages == 0
    assert {store.items[f"k{i:04d}"].attempts for i in range(11, 16)} == {0}

    clock.now = T0 + s(60)  # all three slots free at once
    stats = asyncio.run(d.run_once(clock()))
    assert stats.messages == 3
    assert [n.folded for n in robot.got[3:]] == [0, 0, 3]
    assert [a.fingerprint for a in robot.got[5].alerts] == ["fp0013", "fp0014", "fp0015"]
    assert len(robot.got) == 6  # 15 notifications in 6 messages, never more than 3 a minute
    assert reg.get_sample_value("cxpulse_notifications_folded_total", {"receiver": "ding"}) == 11
    assert reg.get_sample_value("cxpulse_notification_messages_total", {"receiver": "ding"}) == 6
    assert reg.get_sample_value("cxpulse_notifications_sent_total", {"receiver": "ding"}) == 15


def test_a_failed_digest_is_retried_whole() -> None:
    from alerts.notify.base import DeliveryError

    store = FakeStore()
    store.enqueue([item(i) for i in range(1, 4)])
    robot = FakeReceiver("ding", rate_limit_per_minute=1, failures=[DeliveryError("busy")])
    clock = Clock()
    d = Dispatcher(store, {"ding": robot}, decode, clock, rand=lambda: 0.5)
    asyncio.run(d.run_once(T0))
    assert {i.attempts for i in store.items.values()} == {1}
    assert {i.state for i in store.items.values()} == {"pending"}
    clock.now = T0 + s(60)  # the failed send used the minute's slot; the backoff (5 s) is over
    asyncio.run(d.run_once(clock()))
    assert len(robot.got) == 1 and robot.got[0].folded == 3
    assert robot.got[0].key == digest_key(["k0001", "k0002", "k0003"])
    assert {i.state for i in store.items.values()} == {"sent"}


def test_a_restart_remembers_the_last_minute_of_sends() -> None:
    store = FakeStore()
    store.enqueue([item(i) for i in range(1, 3)])
    first = FakeReceiver("ding", rate_limit_per_minute=2)
    asyncio.run(Dispatcher(store, {"ding": first}, decode, Clock()).run_once(T0))
    assert len(first.got) == 2

    # Restarted 30 s later: the robot's window still holds those two sends.
    second = FakeReceiver("ding", rate_limit_per_minute=2)
    clock = Clock(T0 + s(30))
    d = Dispatcher(store, {"ding": second}, decode, clock)
    store.enqueue([item(3, created=clock())])
    assert asyncio.run(d.run_once(clock())).held == 1
    clock.now = T0 + s(60)
    asyncio.run(d.run_once(clock()))
    assert [n.key for n in second.got] == ["k0003"]


@pytest.mark.parametrize("backend", ["fake", "sqlite"])
def test_a_restart_counts_recent_sends_however_many_items_wait(backend: str) -> None:
    # A backlog created after the last sends must not hide them: the restarted dispatcher would
    # otherwise see an empty window and burst past the robot's limit.
    store: AlertStore = FakeStore() if backend == "fake" else SqlStore("sqlite://")
    store.enqueue([item(i) for i in range(1, 3)])
    first = FakeReceiver("ding", rate_limit_per_minute=2)
    asyncio.run(Dispatcher(store, {"ding": first}, decode, Clock()).run_once(T0))
    assert len(first.got) == 2

    clock = Clock(T0 + s(20))
    store.enqueue([item(i, created=clock()) for i in range(3, 103)])
    second = FakeReceiver("ding", rate_limit_per_minute=2)
    d = Dispatcher(store, {"ding": second}, decode, clock)
    assert asyncio.run(d.run_once(clock())).held == 100
    assert second.got == []
    clock.now = T0 + s(60)  # the first sends leave the window: two slots, the last a digest
    asyncio.run(d.run_once(clock()))
    assert [n.folded for n in second.got] == [0, 99]
