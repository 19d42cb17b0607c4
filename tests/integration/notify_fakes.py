"""Real stand-ins for the receivers' far ends, all on 127.0.0.1: a robot server that checks
signatures the way each platform documents them (computed here, independently of the code
under test), an SMTP server (aiosmtpd), and Prometheus Alertmanager from Debian; plus the
sample notifications that the unit tests share.

The pytest fixtures that start them are in ``notify_fixtures`` (loaded by ``pytest_plugins``;
kept apart so that importing these helpers does not pre-empt pytest's loading of the plugin).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from alerts.notify.base import AlertView, DeliveryError, Notification
from schemas.alerts import AlertStatus, Summary
from tests.integration.debian import install
from tests.waiting import wait_for as poll

# Secrets of the fake platforms; a test greps every output for them.
DING_TOKEN = "ding-access-token-7f3a9c"
DING_SECRET = "SECding-signing-secret-51b2"
WECOM_KEY = "wecom-key-0c9d8e"
FEISHU_HOOK = "feishu-hook-token-a1b2c3"
FEISHU_SECRET = "feishu-signing-secret-d4e5"
SLACK_PATH = "T000/B000/slack-secret-path-9z8y"
WEBHOOK_SECRET = "webhook-hmac-secret-3344"
SMTP_PASSWORD = "smtp-password-7788"
ALL_SECRETS = (
    DING_TOKEN,
    DING_SECRET,
    WECOM_KEY,
    FEISHU_HOOK,
    FEISHU_SECRET,
    SLACK_PATH,
    WEBHOOK_SECRET,
    SMTP_PASSWORD,
)


# --- the robot server ---------------------------------------------------------------------


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    peer: str  # client address and port: one per TCP connection

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeRobots:
    """One aiohttp server for every platform. ``script`` holds the next answers to give
    (``("json", status, body)``, ``("text", status, body)`` or ``("hang",)``); when it is
    empty, each route gives its platform's success answer after checking the signature."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    script: list[tuple[Any, ...]] = field(default_factory=list)
    sign_failures: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _release: asyncio.Event | None = None

    # Each check returns None when the request is what the platform accepts, else its answer.
    def _dingtalk(self, r: Request) -> web.Response | None:
        if r.query.get("access_token") != DING_TOKEN:
            return web.json_response({"errcode": 300001, "errmsg": "token is not exist"})
        ts = r.query.get("timestamp", "")
        # DingTalk: HMAC-SHA256 with the secret as key over "timestamp\nsecret", base64; the
        # query parser has already undone the URL encoding. At most an hour off.
        expected = base64.b64encode(
            hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), "sha256").digest()
        ).decode()
        fresh = ts.isdigit() and abs(time.time() * 1000 - int(ts)) < 3600_000
        if not fresh or not hmac.compare_digest(r.query.get("sign", ""), expected):
            self.sign_failures += 1
            return web.json_response({"errcode": 310000, "errmsg": "sign not match"})
        return None

    def _wecom(self, r: Request) -> web.Response | None:
        if r.query.get("key") != WECOM_KEY:
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        body = r.json()
        if body["msgtype"] == "template_card":
            card = body["template_card"]
            if not card.get("card_action", {}).get("url") or len(card["jump_list"]) > 3:
                return web.json_response({"errcode": 40058, "errmsg": "invalid template_card"})
            return None
        content = body["markdown"]["content"]
        if len(content.encode()) > 4096:
            return web.json_response({"errcode": 40058, "errmsg": "content exceed max length"})
        return None

    def _feishu(self, r: Request) -> web.Response | None:
        body = r.json()
        ts = body.get("timestamp", "")
        # Feishu: HMAC-SHA256 keyed with "timestamp\nsecret" over an empty message, base64.
        key = f"{ts}\n{FEISHU_SECRET}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        fresh = str(ts).isdigit() and abs(time.time() - int(ts)) < 3600
        if not fresh or not hmac.compare_digest(str(body.get("sign", "")), expected):
            self.sign_failures += 1
            msg = "sign match fail or timestamp is not within one hour from current time"
            return web.json_response({"code": 19021, "data": {}, "msg": msg})
        return None

    def _webhook(self, r: Request) -> web.Response | None:
        mac = hmac.new(WEBHOOK_SECRET.encode(), r.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(r.headers.get("X-Cxpulse-Signature", ""), f"sha256={mac}"):
            self.sign_failures += 1
            return web.Response(status=401, text="bad signature")
        return None

    async def _handle(self, req: web.Request) -> web.StreamResponse:
        peer = str(req.transport.get_extra_info("peername") if req.transport else None)
        r = Request(req.path, dict(req.query), dict(req.headers), await req.read(), peer)
        self.requests.append(r)
        if self.script:
            step = self.script.pop(0)
            if step[0] == "hang":
                assert self._release is not None
                await self._release.wait()
                return web.Response(status=504)
            if step[0] == "json":
                return web.json_response(step[2], status=step[1])
            return web.Response(status=step[1], text=step[2])
        platform = req.match_info["platform"]
        checks: dict[str, Callable[[Request], web.Response | None]] = {
            "dingtalk": self._dingtalk,
            "wecom": self._wecom,
            "feishu": self._feishu,
            "webhook": self._webhook,
        }
        if platform in checks and (refusal := checks[platform](r)) is not None:
            return refusal
        if platform == "slack":
            return web.Response(text="ok")
        if platform == "feishu":
            return web.json_response({"code": 0, "msg": "success", "data": {}})
        if platform == "webhook":
            return web.Response(status=204)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{platform}/{rest:.*}", self._handle)
        # No access log: it would print the request line, tokens included.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        loop = asyncio.new_event_loop()
        self._loop = loop

        async def serve() -> None:
            self._release = asyncio.Event()
            await runner.setup()
            await web.SockSite(runner, sock).start()

        loop.run_until_complete(serve())
        threading.Thread(target=loop.run_forever, daemon=True).start()
        self._runner = runner

    def stop(self) -> None:
        loop = self._loop
        assert loop is not None and self._release is not None
        loop.call_soon_threadsafe(self._release.set)
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        poll(lambda: not loop.is_running(), 10, "the robot server's loop to stop")
        loop.close()


def message_text(body: dict[str, Any]) -> str:
    """A DingTalk message's text as a person reads it: markdown as is, an ActionCard's text
    followed by its buttons as markdown links."""
    if body["msgtype"] == "actionCard":
        card = body["actionCard"]
        buttons = " | ".join(f"[{b['title']}]({b['actionURL']})" for b in card["btns"])
        return f"{card['text']}\n\n{buttons}"
    text: str = body["markdown"]["text"]
    return text


# --- SMTP -----------------------------------------------------------------------------------


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Envelope] = field(default_factory=list)
    refuse_rcpt: str | None = None  # e.g. "550 5.1.1 mailbox unavailable"
    ca_file: str | None = None

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, _: Any
    ) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def authenticator(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == b"duty"
        and data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def self_signed(tmp: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.fail("openssl (Debian package 'openssl') is needed to make the test certificate")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


# --- Alertmanager ---------------------------------------------------------------------------

AM_NAMES = ("alertmanager", "prometheus-alertmanager")  # upstream's name, Debian's name


def _am_binary() -> str | None:
    return next((p for name in AM_NAMES if (p := shutil.which(name))), None)


def ensure_alertmanager() -> str:
    """Debian's prometheus-alertmanager, installed once if it is missing."""
    found = _am_binary()
    if found:
        return found
    try:
        install("prometheus-alertmanager")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    found = _am_binary()
    if not found:
        pytest.fail("apt installed prometheus-alertmanager but it is not on PATH")
    return found


@dataclass
class Alertmanager:
    url: str

    def alerts(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts", timeout=5) as r:
            data: list[dict[str, Any]] = json.load(r)
        return data


def am_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False


# --- sample notifications (unit tests use them too) ------------------------------------------

T0 = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
CUSTOMER_MOBILE = "13812345678"
CUSTOMER_EMAIL = "wang.xiaoming@example.com"


def complaint_alert(
    *, status: str = "firing", starts_at: datetime = T0, **changes: Any
) -> AlertView:
    alert = AlertView(
        fingerprint="a1b2c3d4e5f60718",
        rule="sla_breach",
        kind="sla",
        severity="critical",
        status="firing",
        labels={
            "store_id": "S002",
            "brand": "禾风小馆",
            "city": "上海",
            "complaint_id": "TK-55120",
            "customer_tier": "vip",
            "customer_name": "王小明",
            "customer_phone": CUSTOMER_MOBILE,
        },
        summary=Summary(
            zh=f"投诉 TK-55120（门店 S002，VIP客户，电话 {CUSTOMER_MOBILE}）首次响应超时。",
            en=f"Complaint TK-55120 (store S002, VIP, phone {CUSTOMER_MOBILE}): first response "
            f"overdue. Mail: {CUSTOMER_EMAIL}",
        ),
        starts_at=starts_at,
        values={"target_seconds": 3600.0, "elapsed_seconds": 3900.0},
    )
    if status == "resolved":
        changes.setdefault("ends_at", starts_at + timedelta(minutes=40))
    return replace(alert, status=status, **changes)  # type: ignore[arg-type]


def csat_alert(i: int = 0, *, store: str = "S002", starts_at: datetime = T0) -> AlertView:
    return AlertView(
        fingerprint=f"{i:016x}",
        rule="csat_low",
        kind="satisfaction",
        severity="warning",
        status="firing",
        labels={"store_id": store},
        summary=Summary(
            zh=f"门店 {store} 满意度下降：近 60 分钟 CSAT 42%（第 {i} 条）",
            en=f"Store {store} satisfaction dropped: CSAT 42% over 60 min (#{i})",
        ),
        starts_at=starts_at,
        values={"csat": 0.42, "ratings": 25.0},
    )


def notification(*alerts: AlertView, **changes: Any) -> Notification:
    alerts = alerts or (complaint_alert(),)
    status: AlertStatus = "firing" if any(a.status == "firing" for a in alerts) else "resolved"
    base = Notification(
        key="notif-0001",
        receiver="duty",
        group_key='{}:{store_id="S002"}',
        group_labels={"store_id": "S002"},
        status=status,
        alerts=tuple(alerts),
        ack_url="https://cx.example.com/ack?t=signed-token",
        dashboard_url="https://cx.example.com/d/store?store=S002",
    )
    return replace(base, **changes)


def deliver(receiver: Any, n: Notification) -> DeliveryError | None:
    """Send once with a fresh session and close it; the error if the receiver raised one."""

    async def go() -> DeliveryError | None:
        try:
            await receiver.send(n)
        except DeliveryError as exc:
            return exc
        finally:
            await receiver.close()
        return None

    return asyncio.run(go())
