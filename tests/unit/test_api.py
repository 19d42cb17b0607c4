"""The duty-manager HTTP API through aiohttp's test client: auth failures change nothing, the
happy paths, clear 4xx errors, and the one-click link."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from alerts.api import make_app
from alerts.api.engine_ops import EngineOperations
from alerts.lifecycle import AlertsConfig
from alerts.lifecycle.engine import Engine
from alerts.links import LinkSigner
from alerts.model import Alert, Change
from alerts.source import SourceState
from tests.helpers import T0
from tests.unit.test_outbox_fakes import Clock, FakeStore, item

TOKEN = "duty-token-5c1f0e"
LINK_SECRET = "ack-link-secret-98a7b6c5d4"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def alert(fp: str, store: str = "S001", state: str = "firing", minutes: int = 0) -> Alert:
    return Alert(
        fingerprint=fp,
        rule="csat_low",
        kind="satisfaction",
        severity="warning",
        labels={"store_id": store},
        summary_zh=f"门店 {store} 满意度下降",
        summary_en=f"Store {store} CSAT dropped",
        starts_at=T0,
        last_seen=T0 + timedelta(minutes=minutes),
        state=state,  # type: ignore[arg-type]
    )


def seeded() -> FakeStore:
    store = FakeStore()
    store.save(
        [
            alert("fp-a", "S001", minutes=1),
            alert("fp-b", "S002", minutes=2),
            alert("fp-c", "S001", "resolved", minutes=3),
        ],
        [Change("fp-a", T0, "fired", "streams")],
    )
    store.enqueue([item(1, "ding")])
    store.writes = 0
    return store


def ops(store: FakeStore) -> EngineOperations:
    return EngineOperations(store, Engine(AlertsConfig()))


Test = Callable[[TestClient[Any, Any], FakeStore, Clock], Awaitable[None]]


def run(test: Test, store: FakeStore | None = None, **kw: Any) -> FakeStore:
    store = store or seeded()
    clock = Clock(T0 + timedelta(minutes=10))
    app = make_app(ops(store), {"duty": TOKEN}, LINK_SECRET, clock=clock, **kw)

    async def go() -> None:
        async with TestClient(TestServer(app)) as client:
            await test(client, store, clock)

    asyncio.run(go())
    return store


# --- auth ---------------------------------------------------------------------------------

WRITES = [
    ("POST", "/api/alerts/fp-a/ack", {"who": "mallory"}),
    ("POST", "/api/alerts/fp-a/resolve", {"who": "mallory"}),
    (
        "POST",
        "/api/silences",
        {"matchers": [{"name": "store_id", "value": "S001"}], "duration_minutes": 60},
    ),
    ("DELETE", "/api/silences/anything", None),
    ("GET", "/api/alerts", None),
    ("GET", "/api/does-not-exist", None),
]


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, "missing bearer token"),
        ({"Authorization": "Basic ZHV0eTp4"}, "missing bearer token"),
        ({"Authorization": "Bearer "}, "missing bearer token"),
        ({"Authorization": "Bearer wrong-token"}, "invalid bearer token"),
        ({"Authorization": f"Bearer {TOKEN}x"}, "invalid bearer token"),
    ],
)
def test_unauthorised_requests_get_401_and_change_nothing(
    headers: dict[str, str], error: str
) -> None:
    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        for method, path, body in WRITES:
            r = await client.request(method, path, json=body, headers=headers)
            assert r.status == 401, (method, path)
            assert r.headers["WWW-Authenticate"].startswith('Bearer realm="cxpulse"')
            assert (await r.json()) == {"error": error}
            assert TOKEN not in await r.text()

    store = run(test)
    assert store.writes == 0
    assert store.get("fp-a").state == "firing"  # type: ignore[union-attr]
    assert store.silence_list == {}


def test_health_needs_no_token() -> None:
    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        r = await client.get("/healthz")
        assert r.status == 200 and (await r.json()) == {"status": "ok"}

    run(test)


def test_health_is_degraded_with_the_reason_while_the_alerts_topic_is_not_read() -> None:
    """The console stays reachable (200), and says that new alerts are not arriving."""
    now = [1000.0]
    registry = CollectorRegistry()
    state = SourceState(registry, clock=lambda: now[0])

    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        async def health() -> dict[str, Any]:
            r = await client.get("/healthz")
            assert r.status == 200
            answer: dict[str, Any] = await r.json()
            return answer

        assert await health() == {
            "status": "degraded",
            "source": {"up": False, "since": 1000.0, "error": "starting", "unreadable": []},
        }
        now[0] = 1002.0
        state.reading()
        assert await health() == {
            "status": "ok",
            "source": {"up": True, "since": 1002.0, "error": None, "unreadable": []},
        }
        now[0] = 1100.0
        state.failed("KafkaConnectionError: Unable to bootstrap from 127.0.0.1:9")
        now[0] = 1105.0
        state.failed("KafkaConnectionError: Unable to bootstrap from 127.0.0.1:9")
        assert await health() == {
            "status": "degraded",
            "source": {
                "up": False,
                "since": 1100.0,  # since it went down, not since the last retry
                "error": "KafkaConnectionError: Unable to bootstrap from 127.0.0.1:9",
                "unreadable": [],
            },
        }
        assert registry.get_sample_value("cxpulse_alerts_source_failures_total") == 2
        assert registry.get_sample_value("cxpulse_alerts_source_up") == 0

    run(test, health=lambda: {"source": state.as_json()})


def test_a_partition_set_aside_keeps_the_source_down_until_every_one_is_read_again() -> None:
    registry = CollectorRegistry()
    state = SourceState(registry, clock=lambda: 1000.0)
    state.reading()
    state.set_aside("p.alerts", 1, 40, "UnsupportedCodecError: zstd")
    state.reading()  # the other partitions are read: still down, naming the one that is not
    assert state.up is False and registry.get_sample_value("cxpulse_alerts_source_up") == 0
    assert state.error == (
        "p.alerts[1] cannot be read from offset 40: UnsupportedCodecError: zstd; "
        "its other partitions are read"
    )
    assert state.as_json()["unreadable"] == [
        {"topic": "p.alerts", "partition": 1, "offset": 40, "reason": "UnsupportedCodecError: zstd"}
    ]
    state.assigned({("p.alerts", 0), ("p.alerts", 1)})  # still this replica's: still down
    state.reading()
    assert state.up is False
    state.assigned({("p.alerts", 0)})  # moved to another replica, which reads it or says so
    state.reading()
    assert state.up is True and state.error is None
    state.set_aside("p.alerts", 0, 7, "CorruptRecordException")
    state.restarted()  # a new consumer tries it again
    state.reading()
    assert state.up is True and state.as_json()["unreadable"] == []


def test_a_partition_set_aside_is_tried_again_after_a_while() -> None:
    now = [1000.0]
    state = SourceState(CollectorRegistry(), clock=lambda: now[0])
    state.set_aside("p.alerts", 1, 40, "CorruptRecordException")
    now[0] += 299
    assert state.to_retry(300) == [] and state.unreadable
    now[0] += 1
    assert state.to_retry(300) == [("p.alerts", 1)]
    assert state.unreadable == {} and state.to_retry(300) == []  # taken off the list once
    state.reading()  # read again: the source is up
    assert state.up is True
    state.set_aside("p.alerts", 1, 40, "CorruptRecordException")  # or it fails again
    assert state.up is False and state.to_retry(300) == []  # and waits its time anew


# --- alerts -------------------------------------------------------------------------------


def test_list_filters_and_pages() -> None:
    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        async def fps(query: str) -> list[str]:
            r = await client.get(f"/api/alerts{query}", headers=AUTH)
            assert r.status == 200
            return [a["fingerprint"] for a in (await r.json())["alerts"]]

        assert await fps("") == ["fp-c", "fp-b", "fp-a"]  # newest last_seen first
        assert await fps("?state=firing") == ["fp-b", "fp-a"]
        assert await fps("?state=firing,resolved&store_id=S001") == ["fp-c", "fp-a"]
        assert await fps("?limit=1&offset=1") == ["fp-b"]
        for bad, says in [
            ("?state=open", "unknown state 'open'"),
            ("?limit=0", "limit must be between 1 and 1000"),
            ("?limit=x", "limit must be an integer"),
            ("?offset=-1", "offset must be between"),
        ]:
            r = await client.get(f"/api/alerts{bad}", headers=AUTH)
            assert r.status == 400 and says in (await r.json())["error"], bad

    run(test)


def test_ack_then_show_history_then_resolve() -> None:
    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        until = (clock.now + timedelta(hours=2)).isoformat()
        r = await client.post(
            "/api/alerts/fp-a/ack", json={"who": "王经理", "until": until}, headers=AUTH
        )
        assert r.status == 200
        body = await r.json()
        assert body["alert"]["state"] == "acknowledged"
        assert body["alert"]["acked_by"] == "王经理"
        assert body["alert"]["ack_until"] == until

        r = await client.get("/api/alerts/fp-a", headers=AUTH)
        shown = await r.json()
        assert [(c["action"], c["actor"]) for c in shown["history"]] == [
            ("fired", "streams"),
            ("acknowledged", "王经理"),
        ]

        # No body: the token's name is the actor.
        r = await client.post("/api/alerts/fp-a/resolve", headers=AUTH)
        assert r.status == 200 and (await r.json())["alert"]["resolved_by"] == "duty"
        r = await client.post("/api/alerts/fp-a/resolve", headers=AUTH)
        assert r.status == 409
        conflict = await r.json()
        assert conflict["error"] == "alert fp-a is already resolved"
        assert conflict["alert"]["state"] == "resolved"  # the state as it is now
        r = await client.post("/api/alerts/fp-a/ack", json={"who": "x"}, headers=AUTH)
        assert r.status == 409

    store = run(test)
    assert [c.action for c in store.history("fp-a")] == ["fired", "acknowledged", "resolved"]


def test_bad_requests_are_clear_400s_and_404s() -> None:
    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        cases: list[tuple[str, str, Any, int, str]] = [
            ("POST", "/api/alerts/nope/ack", {"who": "a"}, 404, "no alert with fingerprint"),
            ("GET", "/api/alerts/nope", None, 404, "no alert with fingerprint"),
            ("POST", "/api/alerts/fp-a/ack", "[1, 2]", 400, "must be a JSON object"),
            ("POST", "/api/alerts/fp-a/ack", "{oops", 400, "not valid JSON"),
            ("POST", "/api/alerts/fp-a/ack", {"who": ""}, 400, "who must be a non-empty"),
            ("POST", "/api/alerts/fp-a/ack", {"until": "tomorrow"}, 400, "until is not"),
            ("POST", "/api/alerts/fp-a/ack", {"until": "2026-11-24T10:00"}, 400, "UTC offset"),
            ("POST", "/api/alerts/fp-a/ack", {"until": T0.isoformat()}, 400, "future"),
            ("POST", "/api/alerts/fp-a/ack", {"version": "7"}, 400, "version must be"),
            ("POST", "/api/alerts/fp-a/resolve", {"version": 0}, 400, "version must be"),
            ("POST", "/api/silences", {"matchers": []}, 400, "matchers must be"),
            (
                "POST",
                "/api/silences",
                {"matchers": [{"name": "a", "value": "b", "op": "~"}], "duration_minutes": 5},
                400,
                "op must be one of",
            ),
            ("POST", "/api/silences", {"matchers": [{"name": "a", "value": "b"}]}, 400, "ends_at"),
            (
                "POST",
                "/api/silences",
                {"matchers": [{"name": "a", "value": "b"}], "duration_minutes": 1e308},
                400,
                "at most 30 days",
            ),
            (
                "POST",
                "/api/silences",
                {"matchers": [{"name": "a", "value": "b"}], "ends_at": "9999-01-01T00:00:00+00:00"},
                400,
                "at most 30 days",
            ),
            (
                "POST",
                "/api/silences",
                '{"matchers": [{"name": "a", "value": "b"}], "duration_minutes": Infinity}',
                400,
                "at most 30 days",
            ),
            (  # a backreference needs a backtracking engine: refused, not stored
                "POST",
                "/api/silences",
                {"matchers": [{"name": "a", "value": r"(x)\1", "op": "=~"}], "duration_minutes": 5},
                400,
                "bad regular expression",
            ),
            ("DELETE", "/api/silences/nope", None, 404, "no silence with id"),
            ("GET", "/api/elsewhere", None, 404, "Not Found"),
            ("PUT", "/api/alerts", None, 405, "Method Not Allowed"),
        ]
        for method, path, body, status, says in cases:
            kw: dict[str, Any] = {"data": body} if isinstance(body, str) else {"json": body}
            r = await client.request(method, path, headers=AUTH, **kw)
            assert r.status == status, (method, path, body, await r.text())
            assert says in (await r.json())["error"], (path, body)

    store = run(test)
    assert store.writes == 0 and store.get("fp-a").state == "firing"  # type: ignore[union-attr]


def test_silences_and_outbox() -> None:
    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        r = await client.post(
            "/api/silences",
            json={
                "matchers": [{"name": "store_id", "value": "S00[12]", "op": "=~"}],
                "duration_minutes": 90,
                "comment": "门店装修",
            },
            headers=AUTH,
        )
        assert r.status == 201
        made = (await r.json())["silence"]
        assert made["ends_at"] == (clock.now + timedelta(minutes=90)).isoformat()
        assert made["matchers"] == [{"name": "store_id", "value": "S00[12]", "op": "=~"}]
        assert made["created_by"] == "duty"

        r = await client.get("/api/silences?active=1", headers=AUTH)
        assert [s["id"] for s in (await r.json())["silences"]] == [made["id"]]
        clock.advance(minutes=5)
        r = await client.delete(f"/api/silences/{made['id']}", headers=AUTH)
        assert r.status == 200
        assert (await r.json())["silence"]["expired_at"] == clock.now.isoformat()
        r = await client.get("/api/silences?active=1", headers=AUTH)
        assert (await r.json())["silences"] == []

        r = await client.get("/api/outbox?receiver=ding", headers=AUTH)
        log = (await r.json())["outbox"]
        assert [(i["key"], i["state"]) for i in log] == [("k0001", "pending")]
        assert "payload" not in log[0]

    run(test)


# --- the one-click link ---------------------------------------------------------------------


def test_ack_link_acknowledges_once_and_is_idempotent() -> None:
    signer = LinkSigner(LINK_SECRET)

    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        url = f"/ack/{signer.sign('fp-a', T0, clock.now)}"
        with_phone = replace(alert("fp-a"), summary_zh="门店 S001 客户 13812345678 投诉未回复")
        store.save([with_phone], [])
        assert (await client.head(url)).status >= 400  # link checkers must not acknowledge
        assert store.get("fp-a").state == "firing"  # type: ignore[union-attr]

        r = await client.post(url)  # no bearer: the signature is the authentication
        page = await r.text()
        assert r.status == 200 and r.content_type == "text/html"
        assert "已确认告警" in page and "升级通知已停止" in page and "门店 S001" in page
        assert "13812345678" not in page and "5678" in page  # masked like the message
        assert r.headers["Cache-Control"] == "no-store"
        writes = store.writes

        r = await client.post(url)
        assert r.status == 200 and "此告警已由 ack-link 于" in await r.text()
        assert store.writes == writes  # the second click changed nothing

        resolved = f"/ack/{signer.sign('fp-c', T0, clock.now)}"
        r = await client.post(resolved)
        assert r.status == 200 and "无需确认" in await r.text()
        r = await client.post(f"/ack/{signer.sign('gone', T0, clock.now)}")
        assert r.status == 404

    store = run(test)
    acked = store.get("fp-a")
    assert acked is not None and acked.acked_by == "ack-link"
    assert [c.action for c in store.history("fp-a")] == ["fired", "acknowledged"]


def test_bad_links_are_refused_and_change_nothing() -> None:
    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        expired = LinkSigner(LINK_SECRET, timedelta(minutes=5)).sign("fp-a", T0, T0)
        forged = LinkSigner("not-the-link-secret-42", timedelta(days=1)).sign("fp-a", T0, clock.now)
        good = LinkSigner(LINK_SECRET).sign("fp-a", T0, clock.now)
        tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
        for token, status, says in [
            (expired, 410, "链接已过期"),
            (forged, 403, "签名校验失败"),
            (tampered, 403, "签名校验失败"),
            ("garbage", 400, "链接不完整"),
        ]:
            r = await client.get(f"/ack/{token}")
            assert r.status == status and says in await r.text(), token

    store = run(test)
    assert store.writes == 0 and store.get("fp-a").state == "firing"  # type: ignore[union-attr]


def test_a_get_of_the_link_never_acknowledges() -> None:
    # Chat apps fetch a link to preview it: that fetch must leave the alert waiting for a person.
    async def test(client: TestClient[Any, Any], store: FakeStore, clock: Clock) -> None:
        url = f"/ack/{LinkSigner(LINK_SECRET).sign('fp-a', T0, clock.now)}"
        for _ in range(3):
            r = await client.get(url)
            page = await r.text()
            assert r.status == 200 and '<form method="post">' in page and "门店 S001" in page
        assert store.writes == 0
        assert store.get("fp-a").state == "firing"  # type: ignore[union-attr]
        r = await client.post(url)
        assert r.status == 200 and "已确认告警" in await r.text()

    store = run(test)
    assert store.get("fp-a").state == "acknowledged"  # type: ignore[union-attr]


def test_the_app_refuses_to_start_without_tokens() -> None:
    with pytest.raises(ValueError, match="at least one bearer token"):
        make_app(ops(FakeStore()), {"duty": ""}, LINK_SECRET)
