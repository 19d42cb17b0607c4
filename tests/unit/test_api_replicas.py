"""Two replicas of the API on one database: of two acknowledgements of the same alert, one wins
and the other gets 409 with the alert as it is now, never a silent second "win"."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from alerts.api import make_app
from alerts.api.engine_ops import EngineOperations
from alerts.db import SqlStore
from alerts.lifecycle import AlertsConfig
from alerts.lifecycle.engine import Engine
from alerts.model import Alert
from tests.lifecycle_helpers import T0, event, minutes
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
