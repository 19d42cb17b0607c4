"""Sign-in, sessions and CSRF through aiohttp's test client, on in-memory SQLite: the gate in
front of the console routes and the bearer tokens of the API."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from alerts.api import make_app
from alerts.auth.access import LOGIN_COOKIE, SESSION_COOKIE, Access, safe_next
from alerts.auth.config import AuthSettings
from alerts.auth.identity import CALLER, CSRF_FIELD, CSRF_HEADER, csrf_token, current_user
from alerts.auth.web import require
from alerts.db import SqlStore
from tests.auth_helpers import CHEAP
from tests.unit.test_api import LINK_SECRET, TOKEN, ops, seeded
from tests.unit.test_outbox_fakes import Clock

PW = "correct horse battery"
Client = TestClient[Any, Any]


async def page(request: web.Request) -> web.Response:
    """Stands in for a console page: shows who is signed in and the form token."""
    user = require(request, "view")
    return web.json_response({"user": user.name, "csrf": csrf_token(request)})


async def act(request: web.Request) -> web.Response:
    """Stands in for a console action (acknowledge): duty managers and admins only."""
    user = require(request, "act")
    return web.json_response({"who": user.name, "caller": request[CALLER]})


@dataclass
class World:
    client: Client
    access: Access
    clock: Clock


Test = Callable[[World], Awaitable[None]]


@pytest.fixture
def store() -> Iterator[SqlStore]:
    s = SqlStore("sqlite://")
    yield s
    s.close()


def run(store: SqlStore, test: Test, **settings: Any) -> None:
    clock = Clock()
    access = Access.open(store.engine, AuthSettings(**settings), hasher=CHEAP, clock=clock)
    access.accounts.add_user("duty1", PW, "duty", "值班经理")
    access.accounts.add_user("viewer1", PW, "viewer")
    app = make_app(ops(seeded()), {"cli": TOKEN}, LINK_SECRET, access=access)
    app.router.add_get("/console", page)
    app.router.add_post("/console/act", act)

    async def go() -> None:
        async with TestClient(TestServer(app)) as client:
            await test(World(client, access, clock))

    asyncio.run(go())


async def login_token(client: Client, query: str = "") -> str:
    r = await client.get("/login" + query)
    assert r.status == 200
    found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', await r.text())
    assert found is not None
    return found.group(1)


async def sign_in(
    client: Client,
    name: str = "duty1",
    password: str = PW,
    next_: str = "/console",
    headers: dict[str, str] | None = None,
) -> Any:
    token = await login_token(client)
    form = {"name": name, "password": password, CSRF_FIELD: token, "next": next_}
    return await client.post("/login", data=form, headers=headers, allow_redirects=False)


def session_cookie(response: Any) -> str:
    """The Set-Cookie header of the session cookie."""
    headers: list[str] = response.headers.getall("Set-Cookie")
    return next(v for v in headers if v.startswith(SESSION_COOKIE))


def back_to(location: str) -> str:
    """The page a sign-in redirect returns to."""
    parts = urlsplit(location)
    assert parts.path == "/login"
    return parse_qs(parts.query)["next"][0]


async def session_csrf(client: Client) -> str:
    r = await client.get("/console")
    assert r.status == 200
    token: str = (await r.json())["csrf"]
    return token


# --- signing in -------------------------------------------------------------------------


def test_login_sets_a_session_cookie_and_lands_on_next(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    async def test(w: World) -> None:
        with caplog.at_level(logging.INFO, logger="alerts.auth"):
            r = await sign_in(w.client)
        assert r.status == 303 and r.headers["Location"] == "/console"
        cookie = session_cookie(r)
        flags = {f.strip().split("=")[0].lower() for f in cookie.split(";")}
        assert {"httponly", "path", "samesite"} <= flags and "secure" not in flags
        assert "SameSite=Lax" in cookie and "Path=/" in cookie
        r = await w.client.get("/console")
        assert r.status == 200 and (await r.json())["user"] == "duty1"
        assert "duty1" in caplog.text and PW not in caplog.text

    run(store, test)


def test_cookies_are_secure_behind_tls(store: SqlStore) -> None:
    async def test(w: World) -> None:
        r = await w.client.get("/login")
        assert "Secure" in r.headers["Set-Cookie"]
        token = await login_token(w.client)
        # The client keeps a Secure cookie off plain HTTP; a TLS proxy would pass it on.
        r = await w.client.post(
            "/login",
            data={"name": "duty1", "password": PW, CSRF_FIELD: token},
            cookies={LOGIN_COOKIE: token},
            allow_redirects=False,
        )
        cookie = session_cookie(r)
        assert r.status == 303 and "Secure" in cookie and "HttpOnly" in cookie

    run(store, test, behind_tls=True)


def test_wrong_password_is_refused_and_gives_no_session(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    async def test(w: World) -> None:
        with caplog.at_level(logging.INFO, logger="alerts.auth"):
            r = await sign_in(w.client, password="wrong password!")
            assert r.status == 401 and "用户名或密码错误" in await r.text()
            await sign_in(w.client, name=PW)  # a password typed into the name box
        assert SESSION_COOKIE not in r.cookies
        assert "wrong password!" not in caplog.text and PW not in caplog.text
        assert "failed for 'duty1'" in caplog.text and "unknown login" in caplog.text
        r = await w.client.get("/console", allow_redirects=False)
        assert r.status == 303 and back_to(r.headers["Location"]) == "/console"

    run(store, test)


def test_failed_logins_per_name_are_throttled_with_retry_after(store: SqlStore) -> None:
    async def test(w: World) -> None:
        for _ in range(5):
            assert (await sign_in(w.client, password="wrong password!")).status == 401
        r = await sign_in(w.client)  # even the right password waits now
        assert r.status == 429 and 1 <= int(r.headers["Retry-After"]) <= 300
        assert (await sign_in(w.client, "viewer1")).status == 303  # another name may

    run(store, test)


def test_a_burst_of_parallel_guesses_gets_no_more_than_the_limit(store: SqlStore) -> None:
    async def test(w: World) -> None:
        guesses = [sign_in(w.client, password=f"guess number {i}") for i in range(12)]
        statuses = [r.status for r in await asyncio.gather(*guesses)]
        assert sorted(statuses) == [401] * 5 + [429] * 7

    run(store, test)


def test_a_form_token_that_is_not_ascii_is_refused_not_an_error(store: SqlStore) -> None:
    async def test(w: World) -> None:
        await login_token(w.client)
        form = {"name": "duty1", "password": PW, CSRF_FIELD: "令牌"}
        assert (await w.client.post("/login", data=form)).status == 403

    run(store, test)


def test_failed_logins_per_address_are_throttled(store: SqlStore) -> None:
    async def test(w: World) -> None:
        for name in ("a1", "a2", "a3"):
            assert (await sign_in(w.client, name=name)).status == 401
        assert (await sign_in(w.client)).status == 429

    run(store, test, login_failures_per_ip=3)


def test_behind_a_proxy_the_named_header_tells_the_client_address(store: SqlStore) -> None:
    async def test(w: World) -> None:
        for name in ("a1", "a2", "a3"):  # all from the proxy, for one client
            r = await sign_in(w.client, name=name, headers={"X-Forwarded-For": "9.9.9.9, 1.1.1.1"})
            assert r.status == 401
        r = await sign_in(w.client, headers={"X-Forwarded-For": "1.1.1.1"})
        assert r.status == 429
        assert (await sign_in(w.client, headers={"X-Forwarded-For": "2.2.2.2"})).status == 303

    run(store, test, login_failures_per_ip=3, client_ip_header="X-Forwarded-For")


def test_login_post_without_its_form_token_or_from_another_site_is_refused(
    store: SqlStore,
) -> None:
    async def test(w: World) -> None:
        token = await login_token(w.client)
        form = {"name": "duty1", "password": PW}
        r = await w.client.post("/login", data=form, allow_redirects=False)
        assert r.status == 403
        r = await w.client.post(
            "/login",
            data={**form, CSRF_FIELD: token},
            headers={"Origin": "https://evil.example"},
            allow_redirects=False,
        )
        assert r.status == 403
        r = await w.client.post("/login", data={**form, CSRF_FIELD: token}, allow_redirects=False)
        assert r.status == 303

    run(store, test)


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "http://evil.example/", "https:evil.example", "/\\evil.example", "x"],
)
def test_next_is_only_ever_a_local_path(store: SqlStore, target: str) -> None:
    async def test(w: World) -> None:
        r = await sign_in(w.client, next_=target)
        assert r.status == 303 and r.headers["Location"] == "/"

    assert safe_next(target) == "/"
    run(store, test)


def test_a_local_next_keeps_its_query() -> None:
    assert safe_next("/alerts?state=firing&store=S001") == "/alerts?state=firing&store=S001"


def test_login_page_is_chinese_by_default_english_on_request_and_labelled(
    store: SqlStore,
) -> None:
    async def test(w: World) -> None:
        zh = await (await w.client.get("/login")).text()
        en = await (await w.client.get("/login?lang=en")).text()
        assert 'lang="zh-CN"' in zh and "密码" in zh and "Password" not in zh
        assert 'lang="en"' in en and "Password" in en
        for text in (zh, en):
            assert 'name="viewport" content="width=device-width' in text
            assert '<label for="name">' in text and '<input id="name"' in text
            assert '<label for="password">' in text and '<input id="password"' in text

    run(store, test)


# --- sessions -------------------------------------------------------------------------------


def test_unsafe_request_needs_the_session_csrf_token(store: SqlStore) -> None:
    async def test(w: World) -> None:
        await sign_in(w.client)
        token = await session_csrf(w.client)
        assert (await w.client.post("/console/act", data={"note": "x"})).status == 403
        r = await w.client.post("/console/act", data={CSRF_FIELD: "wrong"})
        assert r.status == 403
        r = await w.client.post("/console/act", data={"note": "x", CSRF_FIELD: token})
        assert r.status == 200 and await r.json() == {"who": "duty1", "caller": "duty1"}
        r = await w.client.post("/console/act", json={}, headers={CSRF_HEADER: token})
        assert r.status == 200

    run(store, test)


def test_a_viewer_may_look_but_not_act(store: SqlStore) -> None:
    async def test(w: World) -> None:
        await sign_in(w.client, "viewer1")
        token = await session_csrf(w.client)
        r = await w.client.post("/console/act", data={CSRF_FIELD: token})
        assert r.status == 403 and "viewer" in await r.text()

    run(store, test)


def test_no_session_redirects_a_get_and_refuses_a_post(store: SqlStore) -> None:
    async def test(w: World) -> None:
        r = await w.client.get("/console?state=firing", allow_redirects=False)
        assert r.status == 303 and back_to(r.headers["Location"]) == "/console?state=firing"
        assert (await w.client.post("/console/act")).status == 401
        assert (await w.client.get("/healthz")).status == 200

    run(store, test)


def test_disabling_a_user_ends_their_session_at_once(store: SqlStore) -> None:
    async def test(w: World) -> None:
        await sign_in(w.client)
        assert (await w.client.get("/console")).status == 200
        await asyncio.to_thread(w.access.accounts.disable, "duty1")
        r = await w.client.get("/console", allow_redirects=False)
        assert r.status == 303

    run(store, test)


def test_a_session_ends_when_idle_and_at_its_maximum(store: SqlStore) -> None:
    async def test(w: World) -> None:
        await sign_in(w.client)
        w.clock.advance(minutes=50)
        assert (await w.client.get("/console")).status == 200  # touched: idle starts again
        w.clock.advance(minutes=50)
        assert (await w.client.get("/console")).status == 200  # 100 min since login
        w.clock.advance(minutes=61)
        assert (await w.client.get("/console", allow_redirects=False)).status == 303
        await sign_in(w.client)
        for _ in range(4):
            w.clock.advance(minutes=50)
            assert (await w.client.get("/console")).status == 200
        w.clock.advance(minutes=50)  # 250 minutes after login: past the maximum
        assert (await w.client.get("/console", allow_redirects=False)).status == 303

    run(store, test, session_idle="1h", session_max="4h")


def test_login_replaces_a_planted_session_id_and_logout_ends_it(store: SqlStore) -> None:
    async def test(w: World) -> None:
        w.client.session.cookie_jar.update_cookies({SESSION_COOKIE: "planted-by-someone"})
        await sign_in(w.client)
        sid = w.client.session.cookie_jar.filter_cookies(w.client.make_url("/"))[SESSION_COOKIE]
        assert sid.value != "planted-by-someone"
        token = await session_csrf(w.client)
        r = await w.client.post("/logout", data={CSRF_FIELD: token}, allow_redirects=False)
        assert r.status == 303 and r.headers["Location"] == "/login"
        assert await asyncio.to_thread(w.access.sessions.lookup, sid.value) is None

    run(store, test)


# --- the API's bearer tokens ------------------------------------------------------------------


def test_db_api_token_works_and_a_revoked_one_does_not(store: SqlStore) -> None:
    async def test(w: World) -> None:
        token = await asyncio.to_thread(w.access.accounts.add_token, "grafana")
        auth = {"Authorization": f"Bearer {token}"}
        r = await w.client.post("/api/alerts/fp-a/ack", json={}, headers=auth)
        assert r.status == 200 and (await r.json())["alert"]["acked_by"] == "grafana"
        assert (await w.client.get("/api/alerts", headers=auth)).status == 200
        await asyncio.to_thread(w.access.accounts.revoke_token, "grafana")
        assert (await w.client.get("/api/alerts", headers=auth)).status == 401
        cli = {"Authorization": f"Bearer {TOKEN}"}
        assert (await w.client.get("/api/alerts", headers=cli)).status == 200

    run(store, test)


def test_a_session_cookie_does_not_open_the_api(store: SqlStore) -> None:
    async def test(w: World) -> None:
        await sign_in(w.client)
        assert (await w.client.get("/api/alerts")).status == 401

    run(store, test)


def test_current_user_is_none_on_a_public_route() -> None:
    from aiohttp.test_utils import make_mocked_request

    request = make_mocked_request("GET", "/healthz")
    assert current_user(request) is None and csrf_token(request) == ""


def test_static_files_need_no_session(store: SqlStore, tmp_path: Path) -> None:
    (tmp_path / "app.css").write_text("body{}")
    access = Access.open(store.engine, hasher=CHEAP)
    app = make_app(ops(seeded()), {"cli": TOKEN}, LINK_SECRET, access=access)
    app.router.add_static("/static", tmp_path)
    app.router.add_get("/console", page)

    async def go() -> None:
        async with TestClient(TestServer(app)) as client:
            r = await client.get("/static/app.css")
            assert r.status == 200 and await r.text() == "body{}"
            assert (await client.get("/console", allow_redirects=False)).status == 303

    asyncio.run(go())
