"""The outbox dispatcher with the real receivers against the local signature-checking robot
server: an outage then recovery delivers every notification exactly once, a hanging robot does
not hold up another, the rate-limit digest arrives signed, and a restart sends nothing twice."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from alerts.api.engine_ops import EngineOperations
from alerts.api.service import run
from alerts.main import compose
from alerts.notify.configs import DingTalkConfig, WebhookConfig
from alerts.notify.dingtalk import DingTalkReceiver
from alerts.notify.webhook import WebhookReceiver
from alerts.outbox import Backoff, Dispatcher
from alerts.settings import AlertsSettings, Loaded
from tests.integration.notify_fakes import (
    DING_SECRET,
    DING_TOKEN,
    WEBHOOK_SECRET,
    FakeRobots,
    Request,
    message_text,
)
from tests.lifecycle_helpers import event
from tests.unit.test_outbox_fakes import FakeStore, decode, item
from tests.waiting import free_port, until

pytest_plugins = ["tests.integration.notify_fixtures"]

FAST = Backoff(base=timedelta(milliseconds=50), cap=timedelta(milliseconds=200), max_attempts=20)


def hook(base: str, name: str = "hook", timeout: float = 5) -> WebhookReceiver:
    cfg = WebhookConfig(
        type="webhook",
        name=name,
        url=f"{base}/webhook/in",
        secret=WEBHOOK_SECRET,
        timeout_seconds=timeout,
    )
    return WebhookReceiver(cfg)


def ding(base: str, per_minute: int = 20) -> DingTalkReceiver:
    cfg = DingTalkConfig(
        type="dingtalk",
        name="ding",
        url=f"{base}/dingtalk/robot/send?access_token={DING_TOKEN}",
        secret=DING_SECRET,
        rate_limit_per_minute=per_minute,
        timeout_seconds=5,
    )
    return DingTalkReceiver(cfg)


def delivered_keys(robots: FakeRobots, failures: int = 0) -> list[str]:
    return [r.json()["key"] for r in robots.requests[failures:] if r.path == "/webhook/in"]


def test_outage_then_recovery_delivers_each_notification_once(robots: FakeRobots) -> None:
    robots.script = [("text", 500, "upstream down")] * 3 + [("text", 503, "still down")]
    store = FakeStore()
    store.enqueue([item(i, "hook") for i in range(1, 6)])
    receiver = hook(robots.url)
    d = Dispatcher(store, {"hook": receiver}, decode, backoff=FAST, poll_interval=0.02)

    async def go() -> None:
        stop = asyncio.Event()
        runner = asyncio.create_task(d.run(stop))
        await until(lambda: all(i.state == "sent" for i in store.items.values()), 20, "delivery")
        stop.set()
        await asyncio.wait_for(runner, 10)
        await receiver.close()

    asyncio.run(go())
    assert len(robots.requests) == 4 + 5  # four refused attempts, then each once
    assert robots.sign_failures == 0
    keys = delivered_keys(robots, failures=4)
    assert Counter(keys) == Counter(f"k{i:04d}" for i in range(1, 6))  # once each
    assert keys == sorted(keys)  # in order, the retried head first
    head = store.items["k0001"]
    assert head.attempts == 5 and head.last_error is None


def test_a_hanging_robot_does_not_hold_up_another(robots: FakeRobots) -> None:
    dead = FakeRobots(script=[("hang",)] * 5)
    dead.start()
    store = FakeStore()
    store.enqueue([item(1, "dead"), item(2, "hook"), item(3, "hook")])
    dead_rx, live_rx = hook(dead.url, "dead", timeout=30), hook(robots.url)
    d = Dispatcher(
        store, {"dead": dead_rx, "hook": live_rx}, decode, send_timeout=30, poll_interval=0.02
    )

    async def go() -> float:
        stop = asyncio.Event()
        runner = asyncio.create_task(d.run(stop))
        started = time.monotonic()
        await until(lambda: len(robots.requests) == 2, 10, "the live robot's messages")
        elapsed = time.monotonic() - started
        assert len(dead.requests) == 1  # the dead robot still holds the first request
        stop.set()
        await asyncio.to_thread(dead.stop)  # its held request is answered 504 and ends
        await asyncio.wait_for(runner, 10)
        await dead_rx.close()
        await live_rx.close()
        return elapsed

    try:
        elapsed = asyncio.run(go())
    finally:
        if dead._loop is not None and not dead._loop.is_closed():
            dead.stop()
    assert elapsed < 5  # nowhere near the 30 s the dead robot could hold
    assert delivered_keys(robots) == ["k0002", "k0003"]
    assert store.items["k0001"].state == "pending"  # 504: retried later, not lost


def test_rate_limit_digest_reaches_dingtalk_signed(robots: FakeRobots) -> None:
    store = FakeStore()
    store.enqueue([item(i, "ding") for i in range(1, 6)])
    receiver = ding(robots.url, per_minute=2)
    d = Dispatcher(store, {"ding": receiver}, decode)

    async def go() -> None:
        stats = await d.run_once()
        assert (stats.messages, stats.sent, stats.folded) == (2, 5, 4)
        await receiver.close()

    asyncio.run(go())
    assert robots.sign_failures == 0
    texts = [_markdown(r) for r in robots.requests]
    assert len(texts) == 2
    assert "另有" not in texts[0]
    assert "另有 4 条消息因频率限制合并" in texts[1]
    assert all(f"S001 满意度下降 #{i}" in texts[1] for i in range(2, 6))
    assert {i.state for i in store.items.values()} == {"sent"}


def _markdown(r: Request) -> str:
    text: str = message_text(r.json())
    return text


def test_restart_sends_nothing_twice(robots: FakeRobots) -> None:
    store = FakeStore()
    store.enqueue([item(i, "hook") for i in range(1, 4)])

    async def process(n: int) -> int:
        # Each "process" has its own receivers and dispatcher; only the store survives.
        receiver = hook(robots.url)
        d = Dispatcher(store, {"hook": receiver}, decode)
        stats = await d.run_once()
        await receiver.close()
        return stats.sent

    assert asyncio.run(process(1)) == 3
    # The lifecycle replays after the restart: same keys again, plus two new ones.
    assert store.enqueue([item(i, "hook") for i in range(1, 6)]) == 2
    assert asyncio.run(process(2)) == 2
    assert asyncio.run(process(3)) == 0
    keys = delivered_keys(robots)
    assert sorted(keys) == [f"k{i:04d}" for i in range(1, 6)] and len(set(keys)) == 5


# --- the whole service, built from settings as `cxpulse alerts serve` builds it ----------------


def test_service_from_settings_pages_with_a_working_ack_link(
    robots: FakeRobots, tmp_path: Path
) -> None:
    """SQLite store, the engine behind the API, its tick, the dispatcher and a signed DingTalk
    robot: the page arrives with an ack link, following it acknowledges the alert and stops
    the chain, and the audit trail says who did what."""

    api_token = "service-token-77aa"
    cfg = AlertsSettings.model_validate(
        {
            "token": api_token,
            "link_secret": "service-link-secret-0123456789",
            "db_url": f"sqlite:///{tmp_path / 'alerts.db'}",
            "tick_interval": 0.05,
            "public_url": "http://placeholder",  # replaced below once the port is known
            "ack_timeout": 0,
            "receivers": [
                {
                    "type": "dingtalk",
                    "name": "duty",
                    "url": f"{robots.url}/dingtalk/robot/send?access_token={DING_TOKEN}",
                    "secret": DING_SECRET,
                },
                {"type": "webhook", "name": "area", "url": f"{robots.url}/webhook/area",
                 "secret": WEBHOOK_SECRET},
            ],
            "route": {"receiver": "duty", "group_by": ["store_id"], "group_wait": "0s",
                      "escalation": "store"},
            "escalation": {"store": {"steps": [{"wait": "10m", "receiver": "area"}]}},
        }
    )  # fmt: skip
    port = free_port()
    cfg = cfg.model_copy(update={"public_url": f"http://127.0.0.1:{port}"})
    svc = compose(Loaded(cfg), port=port, source=False)  # fed directly below
    assert isinstance(svc.ops, EngineOperations)
    e = event(kind="crisis", severity="critical", rule="crisis_burst", store="S005",
              at=datetime.now(UTC))  # fmt: skip

    async def go() -> None:
        stop = asyncio.Event()
        assert isinstance(svc.ops, EngineOperations)
        # Fed before the service starts: its timer would otherwise save the same alert in
        # between (the topic consumer retries that; a direct call does not).
        await asyncio.to_thread(svc.ops.engine.apply_event, svc.store, e, e.observed_at)
        server = asyncio.create_task(run(svc, stop))
        await until(lambda: robots.requests, 10, "the first page")
        page = robots.requests[0]
        assert page.path == "/dingtalk/robot/send" and robots.sign_failures == 0
        text = message_text(page.json())
        link = re.search(r"\((http://127\.0\.0\.1:\d+/ack/[^)\s]+)\)", text)
        assert link, text
        paged = await asyncio.to_thread(svc.store.get, e.fingerprint)
        assert paged is not None and paged.next_escalation_at is not None  # the chain runs
        async with aiohttp.ClientSession() as http:
            async with http.get(link.group(1)) as r:  # a look (or a preview) only asks
                assert r.status == 200 and '<form method="post">' in await r.text()
            async with http.post(link.group(1)) as r:
                assert r.status == 200 and "已确认告警" in await r.text()
            headers = {"Authorization": f"Bearer {api_token}"}
            url = f"http://127.0.0.1:{port}/api/alerts/{e.fingerprint}"
            async with http.get(url, headers=headers) as r:
                shown = await r.json()
        assert shown["alert"]["state"] == "acknowledged"
        assert ("acknowledged", "ack-link") in [(c["action"], c["actor"]) for c in shown["history"]]
        # The chain is stopped, not just late: no step is scheduled any more (the engine's
        # tests show that a tick then pages no one).
        acked = await asyncio.to_thread(svc.store.get, e.fingerprint)
        assert acked is not None and acked.next_escalation_at is None
        assert acked.escalation_step == 0
        stop.set()
        await asyncio.wait_for(server, 15)

    asyncio.run(go())
    assert [r.path for r in robots.requests] == ["/dingtalk/robot/send"]
