"""Two replicas on one database: of two acknowledgements of the same alert, one wins and the
other gets 409 with the alert as it is now, never a silent second "win"; and a tick deciding on
an alert the other replica has just changed queues nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from alerts.api import make_app
from alerts.api.engine_ops import EngineOperations
from alerts.db import SqlStore
from alerts.lifecycle import AlertsConfig
from alerts.lifecycle.engine import Engine
from alerts.model import Alert
from alerts.ports import ConcurrentUpdate
from tests.lifecycle_helpers import T0, event, minutes, receivers
from tests.unit.test_outbox_fakes import Clock

TOKEN = "replica-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class ReadBefore(SqlStore):
    """A replica whose read of the alert happened just before the other replica's write."""

    def __init__(self, url: str, stale: Alert) -> None:
        super().__init__(url, migrate=False)
        self.stale: Alert | None = stale

    def get(self, fingerprint: str) -> Alert | None:
        if self.stale is not None and fingerprint == self.stale.fingerprint:
            stale, self.stale = self.stale, None
            return stale
        return super().get(fingerprint)


def replica(store: SqlStore, clock: Clock) -> TestServer:
    ops = EngineOperations(store, Engine(AlertsConfig()))  # each replica has its own lock
    return TestServer(make_app(ops, {"duty": TOKEN}, "y" * 32, clock=clock))


def test_two_acks_of_the_version_read_one_200_one_409(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    store_a, store_b = SqlStore(url), SqlStore(url, migrate=False)
    e = event(store="S001", at=T0)
    Engine(AlertsConfig()).apply_event(store_a, e, T0)
    clock = Clock(T0 + minutes(1))

    async def main() -> list[tuple[int, dict[str, Any]]]:
        async with (
            TestClient(replica(store_a, clock)) as a,
            TestClient(replica(store_b, clock)) as b,
        ):
            seen = await (await a.get(f"/api/alerts/{e.fingerprint}", headers=AUTH)).json()
            version = seen["alert"]["version"]
            path = f"/api/alerts/{e.fingerprint}/ack"

            async def ack(client: TestClient[Any, Any], who: str) -> tuple[int, dict[str, Any]]:
                body = {"who": who, "version": version}
                r = await client.post(path, json=body, headers=AUTH)
                return r.status, await r.json()

            return list(await asyncio.gather(ack(a, "王经理"), ack(b, "李经理")))

    results = asyncio.run(main())
    assert sorted(status for status, _ in results) == [200, 409]
    won = next(body for status, body in results if status == 200)["alert"]
    lost = next(body for status, body in results if status == 409)
    assert lost["alert"] == won  # the loser sees the state the winner left
    stored = store_a.get(e.fingerprint)
    assert stored is not None and stored.acked_by == won["acked_by"]
    assert [c.action for c in store_a.history(e.fingerprint)].count("acknowledged") == 1


def test_a_replica_that_read_before_the_other_wrote_gets_409(tmp_path: Path) -> None:
    # No version from the caller: the store's optimistic lock still refuses the second write.
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    store_a = SqlStore(url)
    e = event(store="S001", at=T0)
    Engine(AlertsConfig()).apply_event(store_a, e, T0)
    before = store_a.get(e.fingerprint)
    assert before is not None
    store_b = ReadBefore(url, before)
    clock = Clock(T0 + minutes(1))

    async def main() -> tuple[int, int, dict[str, Any]]:
        async with (
            TestClient(replica(store_a, clock)) as a,
            TestClient(replica(store_b, clock)) as b,
        ):
            path = f"/api/alerts/{e.fingerprint}/ack"
            first = await a.post(path, json={"who": "王经理"}, headers=AUTH)
            second = await b.post(path, json={"who": "李经理"}, headers=AUTH)
            return first.status, second.status, await second.json()

    first, second, body = asyncio.run(main())
    assert (first, second) == (200, 409)
    assert body["alert"]["acked_by"] == "王经理" and "changed by someone else" in body["error"]


class DueBefore(SqlStore):
    """A replica whose tick read the due alerts just before the other replica's write."""

    def __init__(self, url: str, stale: list[Alert]) -> None:
        super().__init__(url, migrate=False)
        self.stale: list[Alert] | None = stale

    def due_alerts(self, now: datetime) -> list[Alert]:
        if self.stale is not None:
            stale, self.stale = self.stale, None
            return stale
        return super().due_alerts(now)


def test_a_tick_on_an_outdated_read_queues_no_escalation(tmp_path: Path) -> None:
    # One replica acknowledges while the other's tick is deciding the next escalation step on
    # what it read before: that decision is refused whole, page included.
    cfg = AlertsConfig.model_validate(
        {
            "ack_timeout": 0,
            "receivers": receivers("duty", "area"),
            "route": {"receiver": "duty", "group_by": ["store_id"], "escalation": "store"},
            "escalation": {"store": {"steps": [{"wait": "10m", "receiver": "area"}]}},
        }
    )
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    store = SqlStore(url)
    e = event(store="S001", at=T0)
    Engine(cfg).apply_event(store, e, T0)
    Engine(cfg).tick(store, T0 + minutes(1))  # the first page; the step is due 10 min later
    due = T0 + minutes(12)
    stale = store.due_alerts(due)
    assert [a.fingerprint for a in stale] == [e.fingerprint]
    Engine(cfg).acknowledge(store, e.fingerprint, "王经理", due)
    other = Engine(cfg)
    other.tick(store, due)  # its first tick, on fresh reads: nothing to do
    with pytest.raises(ConcurrentUpdate):
        other.tick(DueBefore(url, stale), due)
    other.tick(store, due + minutes(1))
    assert not [i.key for i in store.outbox(limit=100) if i.key.startswith("esc|")]
    assert [c.action for c in store.history(e.fingerprint)].count("escalated") == 0
