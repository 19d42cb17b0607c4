"""End to end: the simulator's crisis scenario → the stream core's alert events on the
real alerts topic → ``cxpulse alerts serve`` (built from settings, on real PostgreSQL) → one
grouped, signed Chinese DingTalk message with an ack link → the link stops the escalation →
resolving the crisis sends one resolved message → the audit trail says who did what."""

from __future__ import annotations

import asyncio
import re

import aiohttp

from alerts.api.service import run
from alerts.main import compose
from cxpulse.cli import alerts_settings
from cxpulse.config import Settings
from tests.integration.conftest import Env
from tests.integration.feeds import crisis_alerts
from tests.integration.notify_fakes import DING_SECRET, DING_TOKEN, FakeRobots, message_text
from tests.waiting import free_port, until

pytest_plugins = ["tests.integration.notify_fixtures", "tests.integration.pg_fixture"]

TOKEN = "e2e-api-token-5f1c"


def test_crisis_pages_once_ack_link_stops_escalation_resolve_pages_once(
    env: Env, robots: FakeRobots, pg_url: str
) -> None:
    port = free_port()
    settings = Settings(
        alerts={
            "token": TOKEN,
            "link_secret": "e2e-link-secret-0123456789abcdef",
            "db_url": pg_url,
            "tick_interval": 0.1,
            "public_url": f"http://127.0.0.1:{port}",
            "api_port": port,
            "receivers": [
                {"type": "dingtalk", "name": "duty",
                 "url": f"{robots.url}/dingtalk/robot/send?access_token={DING_TOKEN}",
                 "secret": DING_SECRET},
                {"type": "webhook", "name": "area", "url": f"{robots.url}/webhook/area"},
            ],
            # Crises page the store's duty robot; nothing else is routed in this test.
            "route": {"group_by": ["store_id"], "routes": [
                {"matchers": ["kind=crisis"], "receiver": "duty", "group_wait": "2s",
                 "group_interval": "1s", "escalation": "crisis"}]},
            "escalation": {"crisis": {"steps": [{"wait": "10m", "receiver": "area"}]}},
        }
    )  # fmt: skip
    alerts = crisis_alerts(settings)
    assert sum(b'"kind":"crisis"' in a for a in alerts) >= 1
    env.produce([("alerts", b"S004", a) for a in alerts])
    svc = compose(alerts_settings(settings))
    pages = robots.requests
    auth = {"Authorization": f"Bearer {TOKEN}"}
    api = f"http://127.0.0.1:{port}/api"

    async def go() -> str:
        stop = asyncio.Event()
        server = asyncio.create_task(run(svc, stop))
        try:
            await until(lambda: pages, 60, "the crisis page")
            text = message_text(pages[0].json())
            assert robots.sign_failures == 0
            assert "S004" in text and "危机" in text  # Chinese, names the store
            link = re.search(r"\((http://127\.0\.0\.1:\d+/ack/[^)\s]+)\)", text)
            assert link, text
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{api}/alerts?store_id=S004", headers=auth) as r:
                    (crisis,) = [a for a in (await r.json())["alerts"] if a["kind"] == "crisis"]
                fp: str = crisis["fingerprint"]
                async with http.post(link.group(1)) as r:  # the page's confirm button
                    assert r.status == 200, await r.text()
                async with http.get(f"http://127.0.0.1:{port}/metrics") as r:
                    exposition = await r.text()
                assert 'cxpulse_alerts_open{severity="critical",state="firing"} 1.0' in exposition
                acked = await asyncio.to_thread(svc.store.get, fp)
                assert acked is not None and acked.state == "acknowledged"
                assert acked.next_escalation_at is None  # the chain is stopped
                async with http.post(
                    f"{api}/alerts/{fp}/resolve", headers=auth, json={"who": "王经理"}
                ) as r:
                    assert r.status == 200, await r.text()
            await until(lambda: len(pages) >= 2, 30, "the resolved message")
            return fp
        finally:
            stop.set()
            await asyncio.wait_for(server, 15)

    fp = asyncio.run(go())
    assert [r.path for r in pages] == ["/dingtalk/robot/send"] * 2  # one page, one resolved
    assert "已恢复 · 门店 S004" in message_text(pages[1].json())
    trail = [(c.action, c.actor) for c in svc.store.history(fp)]
    assert trail[0][0] == "fired"
    assert ("acknowledged", "ack-link") in trail
    assert ("resolved", "王经理") in trail
    assert [a for a, _ in trail].count("notified") == 2
    assert "escalated" not in [a for a, _ in trail]
