"""The console's test bench: the real API app with the console added, the lifecycle engine on
a store, a fixed clock, and real sign-in sessions (``alerts.auth``, accounts on a temporary
SQLite file): ``as_user`` signs the test client in as a user, or out."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from alerts.api import make_app
from alerts.api.engine_ops import EngineOperations
from alerts.auth.access import SESSION_COOKIE, Access
from alerts.auth.identity import User
from alerts.console import add_console
from alerts.db import SqlStore
from alerts.lifecycle import AlertsConfig
from alerts.lifecycle.engine import Engine
from alerts.links import LinkSigner
from alerts.memory import MemoryStore
from alerts.ports import AlertStore
from schemas.alerts import AlertEvent, Evidence, EvidenceEvent, SlaTimeline, TimelineStep
from streams.core.calendar import CalendarConfig
from tests.auth_helpers import CHEAP
from tests.lifecycle_helpers import T0, event, receivers
from tests.unit.test_outbox_fakes import Clock

TOKEN = "console-api-token-1"
LINK_SECRET = "console-link-secret-0123456789"
PASSWORD = "console-test-password-1"
DUTY = User("wang", "duty", "王经理")
VIEWER = User("zhao", "viewer")
PHONE = "13812345678"

CFG = AlertsConfig.model_validate(
    {
        "ack_timeout": 0,
        "receivers": receivers("duty", "area"),
        "route": {
            "receiver": "duty",
            "group_by": ["store_id"],
            "group_wait": "0s",
            "escalation": "store",
        },
        "escalation": {
            "store": {
                "mention": "duty_manager",
                "steps": [
                    {"wait": "10m", "receiver": "area", "role": "area_manager"},
                    {"wait": "20m", "receiver": "area", "role": "area_manager"},
                ],
            }
        },
        "roster": [
            {"name": "王经理", "role": "duty_manager", "scope": {"store_ids": ["S001"]},
             "weekly": {"mon-sun": ["09:00-18:00"]}},
            {"name": "李经理", "role": "duty_manager", "weekly": {"mon-sun": ["18:00-22:00"]}},
            {"name": "赵总", "role": "area_manager", "scope": {"regions": ["east"]}},
        ],
    }
)  # fmt: skip
CALENDARS = {"office": CalendarConfig(weekly={"mon-fri": ["09:00-18:00"]}, holidays="none")}


@dataclass
class Bench:
    client: TestClient[Any, Any]
    store: AlertStore
    engine: Engine
    clock: Clock
    signer: LinkSigner
    access: Access
    csrf: str = ""

    def as_user(self, user: User | None) -> None:
        """Sign the client in as ``user`` (its account made on first use), or out (None)."""
        jar = self.client.session.cookie_jar
        jar.clear()
        self.csrf = ""
        if user is None:
            return
        if self.access.accounts.get(user.name) is None:
            self.access.accounts.add_user(user.name, PASSWORD, user.role, user.display)
        sid, session = self.access.sessions.start(user.name)
        jar.update_cookies({SESSION_COOKIE: sid})
        self.csrf = session.csrf

    async def page(self, path: str, status: int = 200) -> str:
        r = await self.client.get(path)
        text = await r.text()
        assert r.status == status, (r.status, text[:2000])
        return text

    async def post(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        """(status, location of a redirect, body), without following the redirect."""
        r = await self.client.post(path, data={"csrf": self.csrf, **data}, allow_redirects=False)
        return r.status, r.headers.get("Location", ""), await r.text()

    async def version(self, fp: str) -> str:
        page = await self.page(f"/incidents/{fp}")
        found = re.search(r'name="version" value="(\d+)"', page)
        assert found, "the page has no action form"
        return found[1]


def evidence() -> Evidence:
    return Evidence(
        events=[
            EvidenceEvent(
                event_id="rv-1",
                kind="review",
                occurred_at=T0 - timedelta(minutes=5),
                rating=1,
                excerpt=f"服务太差，打 {PHONE} 没人接",
                platform="dianping",
                views=12000,
            ),
            EvidenceEvent(
                event_id="cp-1",
                kind="complaint",
                occurred_at=T0 - timedelta(minutes=3),
                tier="vip",
                tags=["media"],
                excerpt="要求退款",
            ),
        ],
        timeline=SlaTimeline(
            complaint_id="C-778",
            policy="standard",
            tier="vip",
            category="refund",
            opened_at=T0 - timedelta(hours=1),
            steps=[TimelineStep(at=T0 - timedelta(hours=1), action="opened")],
            clock="first_response",
            deadline=T0 + timedelta(hours=2),
            calendar="office",
        ),
    )


def with_evidence(e: AlertEvent, summary_zh: str | None = None) -> AlertEvent:
    summary = e.summary.model_copy(update={"zh": summary_zh}) if summary_zh else e.summary
    return e.model_copy(update={"evidence": evidence(), "summary": summary})


def seed(store: AlertStore, engine: Engine) -> dict[str, str]:
    """Four alerts: two firing at S001 (one group), one critical at S002 in the north, one
    resolved. Returns their fingerprints by name."""
    crisis = with_evidence(
        event("crisis", kind="crisis", severity="critical", store="S001", at=T0),
        f"门店 S001 危机：客户 {PHONE} 投诉",
    )
    csat = event("csat_low", store="S001", at=T0 + timedelta(minutes=1))
    north = event("sla_breach", kind="sla", severity="critical", store="S002", region="north",
                  at=T0 + timedelta(minutes=2))  # fmt: skip
    gone = event("csat_low", store="S003", at=T0)
    for e in (crisis, csat, north, gone):
        engine.apply_event(store, e, e.observed_at)
    done = event("csat_low", "resolved", store="S003", at=T0 + timedelta(minutes=3))
    engine.apply_event(store, done, done.observed_at)
    return {
        "crisis": crisis.fingerprint,
        "csat": csat.fingerprint,
        "north": north.fingerprint,
        "gone": gone.fingerprint,
    }


Test = Callable[[Bench, dict[str, str]], Awaitable[None]]


def run(test: Test, store: AlertStore | None = None) -> AlertStore:
    store = store if store is not None else MemoryStore()
    clock = Clock(T0 + timedelta(minutes=5))
    signer = LinkSigner(LINK_SECRET)
    engine = Engine(CFG, calendars=CALENDARS)
    fps = seed(store, engine)
    ops = EngineOperations(store, engine)
    with tempfile.TemporaryDirectory() as tmp:
        people = SqlStore(f"sqlite:///{tmp}/accounts.db")
        access = Access.open(people.engine, hasher=CHEAP, clock=clock)
        app = make_app(ops, {"api": TOKEN}, signer, clock=clock, access=access)
        add_console(app, ops, engine, clock=clock, calendars=CALENDARS)

        async def go() -> None:
            async with TestClient(TestServer(app)) as client:
                bench = Bench(client, store, engine, clock, signer, access)
                bench.as_user(DUTY)
                await test(bench, fps)

        try:
            asyncio.run(go())
        finally:
            people.close()
    return store
