"""Two ``cxpulse alerts serve`` replicas on one real PostgreSQL; the one delivering is SIGKILLed
mid-delivery while an HTTP receiver on 127.0.0.1 records every request. The other takes the
dead replica's notifications over once their lease runs out: every notification arrives, none
is lost, and none is sent twice except the one in flight at the kill (its send reached the
receiver, its "sent" never reached the database), which arrives again under the same
idempotency key (``X-Cxpulse-Key``) for the receiver to drop."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from alerts.db import SqlStore
from alerts.lifecycle import payload
from alerts.model import OutboxItem
from tests.integration.alerts_process import ServeProcess
from tests.integration.conftest import Env
from tests.integration.notify_fakes import notification
from tests.integration.pg_fixture import (  # noqa: F401  (pg_url, postgres: fixtures)
    pg_url,
    postgres,
)
from tests.lifecycle_helpers import event
from tests.waiting import wait_for

pytestmark = pytest.mark.postgres
COUNT = 30
DELAY = 0.4  # each delivery takes this long at the receiver: a kill lands mid-request


class Recorder:
    """A slow webhook far end: records each request's idempotency key as it arrives."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.loop = asyncio.new_event_loop()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)

        async def start() -> None:
            await self.runner.setup()
            await web.SockSite(self.runner, sock).start()

        self.loop.run_until_complete(start())
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    async def _handle(self, req: web.Request) -> web.Response:
        self.keys.append(req.headers.get("X-Cxpulse-Key", "?"))
        await asyncio.sleep(DELAY)  # the platform takes its time to answer
        return web.Response(status=204)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def kill_lease_holder(store: SqlStore, replicas: list[ServeProcess]) -> ServeProcess:
    """SIGKILL the replica that holds the receiver's leases (the owner names its pid): no
    shutdown, its leases stay until they run out."""

    def holder() -> int | None:
        pending = store.outbox(limit=1000)
        owners = {i.lease_owner for i in pending if i.state == "pending" and i.lease_owner}
        return int(next(iter(owners)).split(":")[1]) if owners else None

    pid = wait_for(holder, 60, "the delivering replica's lease")
    (dead,) = [r for r in replicas if r.proc.pid == pid]
    dead.kill()
    return dead


def check_once(keys: list[str], expected: set[str], killed_at: int) -> None:
    """Every key arrived; at most the one in flight at the kill arrived twice."""
    counts = Counter(keys)
    assert set(counts) == expected  # nothing lost
    twice = [k for k, n in counts.items() if n > 1]
    assert len(twice) <= 1 and all(counts[k] == 2 for k in twice), counts
    if twice:  # only the one in flight at the kill
        assert keys.index(twice[0]) == killed_at - 1, (twice, killed_at)


def items(now: datetime) -> list[OutboxItem]:
    out = []
    for i in range(COUNT):
        n = replace(notification(), key=f"failover-{i:03d}", receiver="hook")
        out.append(OutboxItem(n.key, "hook", n.group_key, payload.encode(n), now, now))
    return out


def test_a_killed_replicas_notifications_are_delivered_by_the_other(
    tmp_path: Path,
    pg_url: str,  # noqa: F811
) -> None:
    recorder = Recorder()
    config = tmp_path / "cxpulse.yaml"
    config.write_text(
        yaml.safe_dump(
            {"alerts": {"receivers": [{"type": "webhook", "name": "hook", "url": recorder.url}]}}
        )
    )
    env = {"CXPULSE_ALERTS__DB_URL": pg_url, "CXPULSE_ALERTS__OUTBOX_LEASE": "21"}
    store = SqlStore(pg_url)
    store.enqueue(items(datetime.now(UTC)))
    replicas = [ServeProcess(tmp_path, f"replica-{n}", env, config) for n in (0, 1)]
    try:
        for r in replicas:
            r.wait_ready()
        wait_for(lambda: len(recorder.keys) >= 5, 60, "the first deliveries")

        dead = kill_lease_holder(store, replicas)
        killed_at = len(recorder.keys)
        assert killed_at < COUNT, "everything was delivered before the kill"

        def all_sent() -> bool:
            return all(i.state == "sent" for i in store.outbox(limit=1000))

        wait_for(all_sent, 120, "the surviving replica to deliver the rest")
        survivor = next(r for r in replicas if r is not dead)
        assert survivor.proc.poll() is None
    finally:
        for r in replicas:
            r.kill()
        recorder.stop()
        store.close()
    check_once(recorder.keys, {i.key for i in items(datetime.now(UTC))}, killed_at)


@pytest.mark.kafka
def test_alert_events_through_kafka_page_once_across_a_replica_kill(
    env: Env,
    tmp_path: Path,
    pg_url: str,  # noqa: F811
) -> None:
    # The stream worker's side is stood in for by producing alert events straight to the
    # alerts topic; both replicas consume it in one group and tick the same groups.
    recorder = Recorder()
    config = tmp_path / "cxpulse.yaml"
    route = {"receiver": "hook", "group_by": ["store_id"], "group_wait": "0s"}
    receivers = [{"type": "webhook", "name": "hook", "url": recorder.url}]
    config.write_text(yaml.safe_dump({"alerts": {"receivers": receivers, "route": route}}))
    overrides = {
        **env.vars,
        "CXPULSE_ALERTS__DB_URL": pg_url,
        "CXPULSE_ALERTS__OUTBOX_LEASE": "21",
        "CXPULSE_ALERTS__TICK_INTERVAL": "0.2",
    }
    store = SqlStore(pg_url)
    replicas = [ServeProcess(tmp_path, f"replica-{n}", overrides, config) for n in (0, 1)]
    now = datetime.now(UTC)
    events = [event(store=f"S{i:03d}", at=now) for i in range(COUNT)]
    try:
        for r in replicas:
            r.wait_ready()
        env.produce([("alerts", e.labels["store_id"].encode(), e.model_dump_json().encode())
                     for e in events])  # fmt: skip
        wait_for(lambda: len(recorder.keys) >= 5, 90, "the first pages")
        dead = kill_lease_holder(store, replicas)
        killed_at = len(recorder.keys)

        def all_paged() -> bool:
            sent = [i for i in store.outbox(limit=1000) if i.state == "sent"]
            return len(sent) == COUNT and len(set(recorder.keys)) == COUNT

        wait_for(all_paged, 150, "every store's page, the dead replica's included")
        assert next(r for r in replicas if r is not dead).proc.poll() is None
        keys = {i.key for i in store.outbox(limit=1000)}
    finally:
        for r in replicas:
            r.kill()
        recorder.stop()
        store.close()
    assert len(keys) == COUNT  # one notification per store: none queued twice
    check_once(recorder.keys, keys, killed_at)
