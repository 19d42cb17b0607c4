"""People against a real ``cxpulse alerts serve``: a user and a machine token made with the
CLI on the service's database, a sign-in over HTTP, the session's logout, the token on the API."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.integration.alerts_process import ServeProcess

PW = "integration-password-42"


def cxpulse(tmp: Path, *argv: str, stdin: str = "") -> str:
    url = f"sqlite:///{tmp / 'alerts.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "cxpulse.cli", "alerts", *argv, "--db-url", url],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_sign_in_and_machine_token_on_a_running_service(tmp_path: Path) -> None:
    cxpulse(tmp_path, "user", "add", "wang.li", "--role", "duty", "--password-stdin", stdin=PW)
    token = cxpulse(tmp_path, "token", "add", "grafana").strip()
    svc = ServeProcess(tmp_path, "serve", {})
    try:
        svc.wait_ready()
        asyncio.run(_session(svc.url, token))
        assert svc.stop() == 0
    finally:
        svc.kill()
    out = svc.output()
    assert "wang.li (duty) signed in" in out and "failed for 'wang.li'" in out
    assert PW not in out and token not in out


async def _session(url: str, token: str) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(url, cookie_jar=jar) as http:
        async with http.get("/login") as r:
            csrf = re.search(r'name="csrf" value="([^"]+)"', await r.text())
        assert csrf is not None
        form = {"name": "wang.li", "password": PW + "x", "csrf": csrf.group(1), "next": "/x"}
        async with http.post("/login", data=form, allow_redirects=False) as r:
            assert r.status == 401
        form["password"] = PW
        async with http.post("/login", data=form, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/x"
        # Signed in: the logout form is accepted only with the session's token.
        async with http.post("/logout", allow_redirects=False) as r:
            assert r.status == 403
        async with http.get("/api/alerts", headers={"Authorization": f"Bearer {token}"}) as r:
            assert r.status == 200 and (await r.json())["alerts"] == []
        async with http.get("/api/alerts", headers={"Authorization": "Bearer nope"}) as r:
            assert r.status == 401
