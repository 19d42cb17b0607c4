"""The API bound to the lifecycle engine, end to end in memory: the page carries a signed ack
link, the dispatcher delivers it, following the link stops the escalation, and resolving
through the API sends one resolved message. Engine errors become clear 4xx."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp.test_utils import TestClient, TestServer

from alerts.api import make_app
from alerts.api.engine_ops import EngineOperations
from alerts.lifecycle import AlertsConfig, payload
from alerts.lifecycle.engine import Engine
from alerts.links import LinkSigner
from alerts.memory import MemoryStore
from alerts.outbox import Dispatcher
from tests.lifecycle_helpers import T0, event, minutes, receivers
from tests.unit.test_outbox_fakes import Clock, FakeReceiver

TOKEN = "duty-token-engine-1"
CFG = AlertsConfig.model_validate(
    {
        "ack_timeout": 0,
        "receivers": receivers("duty", "area"),
        "route": {"receiver": "duty", "group_by": ["store_id"], "escalation": "store"},
        "escalation": {"store": {"steps": [{"wait": "10m", "receiver": "area"}]}},
    }
)
PAGE = T0 + timedelta(seconds=30)  # group_wait


def test_link_stops_escalation_and_resolve_sends_one_resolved_message() -> None:
    store, clock = MemoryStore(), Clock(T0)
    signer = LinkSigner("engine-link-secret-0123456789")
    engine = Engine(CFG, ack_url=signer.ack_url_factory("https://cx.example.com", clock))
    duty, area = FakeReceiver("duty"), FakeReceiver("area")
    dispatcher = Dispatcher(store, {"duty": duty, "area": area}, payload.decode, clock)
    app = make_app(EngineOperations(store, engine), {"duty": TOKEN}, signer, clock=clock)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    e = event(kind="crisis", severity="critical", rule="crisis_burst", store="S005", at=T0)

    async def go(client: TestClient[Any, Any]) -> None:
        engine.apply_event(store, e, T0)
        clock.now = PAGE
        engine.tick(store, PAGE)
        await dispatcher.run_once(PAGE)
        assert len(duty.got) == 1 and duty.got[0].status == "firing"
        link = duty.got[0].ack_url
        assert link is not None and link.startswith("https://cx.example.com/ack/")

        clock.now = PAGE + minutes(3)
        r = await client.post(urlsplit(link).path)
        assert r.status == 200 and "已确认告警" in await r.text()

        for t in (10, 30, 60):  # the chain's step would have run at +10 min
            clock.now = PAGE + minutes(t)
            engine.tick(store, clock.now)
            await dispatcher.run_once(clock.now)
        assert area.got == []

        r = await client.post(
            f"/api/alerts/{e.fingerprint}/resolve", json={"who": "王经理"}, headers=auth
        )
        assert r.status == 200 and (await r.json())["alert"]["resolved_by"] == "王经理"
        for t in (61, 70, 300):
            clock.now = PAGE + minutes(t)
            engine.tick(store, clock.now)
            await dispatcher.run_once(clock.now)
        assert [n.status for n in duty.got] == ["firing", "resolved"]

        r = await client.post(f"/api/alerts/{e.fingerprint}/resolve", headers=auth)
        assert r.status == 409 and "already resolved" in (await r.json())["error"]
        r = await client.post("/api/alerts/nope/ack", headers=auth)
        assert r.status == 404
        r = await client.delete("/api/silences/nope", headers=auth)
        assert r.status == 404

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await go(client)

    asyncio.run(main())
    trail = [(c.action, c.actor) for c in store.history(e.fingerprint)]
    assert ("acknowledged", "ack-link") in trail and ("resolved", "王经理") in trail
    assert not any(a == "escalated" for a, _ in trail)


def test_silences_through_the_engine() -> None:
    store, clock = MemoryStore(), Clock(T0)
    engine = Engine(CFG)
    app = make_app(EngineOperations(store, engine), {"duty": TOKEN}, "x" * 32, clock=clock)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    e = event(store="S001", at=T0)
    engine.apply_event(store, e, T0)

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            body = {"matchers": [{"name": "store_id", "value": "S001"}], "duration_minutes": 60}
            r = await client.post("/api/silences", json=body, headers=auth)
            assert r.status == 201
            sid = (await r.json())["silence"]["id"]
            silenced = store.get(e.fingerprint)
            assert silenced is not None and silenced.silenced_by == sid
            r = await client.delete(f"/api/silences/{sid}", headers=auth)
            assert r.status == 200 and (await r.json())["silence"]["expired_at"]
            after = store.get(e.fingerprint)
            assert after is not None and after.silenced_by is None
            bad = {"matchers": [{"name": "a", "value": "(", "op": "=~"}], "duration_minutes": 5}
            r = await client.post("/api/silences", json=bad, headers=auth)
            assert r.status == 400
            assert "bad regular expression" in (await r.json())["error"]
            assert len(store.silences()) == 1  # the refused one was not stored

    asyncio.run(main())


def test_a_link_from_a_resolved_episode_cannot_ack_the_next_one() -> None:
    store, clock = MemoryStore(), Clock(T0)
    signer = LinkSigner("engine-link-secret-0123456789")
    engine = Engine(CFG, ack_url=signer.ack_url_factory("https://cx.example.com", clock))
    duty = FakeReceiver("duty")
    dispatcher = Dispatcher(store, {"duty": duty}, payload.decode, clock)
    app = make_app(EngineOperations(store, engine), {"duty": TOKEN}, signer, clock=clock)
    first = event(kind="crisis", severity="critical", rule="crisis_burst", store="S005", at=T0)

    async def go(client: TestClient[Any, Any]) -> None:
        engine.apply_event(store, first, T0)
        engine.tick(store, PAGE)
        await dispatcher.run_once(PAGE)
        old_link = duty.got[0].ack_url
        assert old_link is not None
        # The streams resolve it, then it fires again: a new episode within the link's 24 h.
        t1 = T0 + minutes(20)
        engine.apply_event(store, event("crisis_burst", "resolved", store="S005", at=t1), t1)
        t2 = T0 + minutes(40)
        again = event(kind="crisis", severity="critical", rule="crisis_burst", store="S005", at=t2)
        engine.apply_event(store, again, t2)
        clock.now = t2 + minutes(1)
        path = urlsplit(old_link).path
        r = await client.post(path)
        assert r.status == 410 and "链接已失效" in await r.text()
        current = store.get(first.fingerprint)
        assert current is not None and current.state == "firing" and current.acked_by is None

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await go(client)

    asyncio.run(main())


def test_ack_until_is_bounded() -> None:
    store, clock = MemoryStore(), Clock(T0)
    engine = Engine(CFG)
    app = make_app(EngineOperations(store, engine), {"duty": TOKEN}, "x" * 32, clock=clock)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    e = event(store="S001", at=T0)
    engine.apply_event(store, e, T0)

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            url = f"/api/alerts/{e.fingerprint}/ack"
            far = {"until": "9999-12-31T00:00:00+08:00"}
            r = await client.post(url, json=far, headers=auth)
            assert r.status == 400 and "at most 7 days" in (await r.json())["error"]
            unacked = store.get(e.fingerprint)
            assert unacked is not None and unacked.state == "firing"
            week = {"until": (T0 + timedelta(days=7)).isoformat()}
            r = await client.post(url, json=week, headers=auth)
            assert r.status == 200 and (await r.json())["alert"]["state"] == "acknowledged"

    asyncio.run(main())
