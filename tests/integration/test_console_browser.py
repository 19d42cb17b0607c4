"""The duty manager's console in a real browser (Debian's Chromium), on a phone-sized screen,
against a real ``cxpulse alerts serve`` fed by the real alerts topic: the stream core's crisis
alerts for a store, published as the worker publishes them.

One sitting, as on call: sign in (after a mistyped password), find the crisis, read its
evidence, acknowledge it, silence the store with a preview of what goes quiet, resolve with a
note, and see all of it in the audit trail under one's own name. A form posted without its
CSRF token changes nothing. A screenshot of the page is saved when a step fails
(``browser_fixture``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.alerts_process import ServeProcess
from tests.integration.conftest import Env
from tests.integration.feeds import crisis_alerts

pytest_plugins = ["tests.integration.browser_fixture"]

pytestmark = pytest.mark.kafka

LOGIN, PASSWORD = "wang.li", "browser-test-password-7"
# A Chinese mobile number: 1, then ten digits. The console shows such numbers masked only.
PHONE = re.compile(r"1[3-9]\d{9}")


def add_user(tmp: Path, name: str, role: str, password: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "cxpulse.cli", "alerts", "user", "add", name, "--role", role,
         "--password-stdin", "--db-url", f"sqlite:///{tmp / 'alerts.db'}"],
        input=password, text=True, capture_output=True, timeout=60, check=True,
    )  # fmt: skip


@pytest.fixture
def serve(env: Env) -> Any:
    env.produce([("alerts", b"S004", a) for a in crisis_alerts(env.settings)])
    add_user(env.tmp, LOGIN, "duty", PASSWORD)
    add_user(env.tmp, "zhao.viewer", "viewer", PASSWORD)
    svc = ServeProcess(env.tmp, "serve", env.vars)  # consumes this test's alerts topic
    try:
        svc.wait_ready()
        yield svc
    finally:
        svc.kill()


def shoot(page: Any, name: str) -> None:
    """With ``$CXPULSE_SCREENSHOTS`` set, the page as the README shows it (docs/img)."""
    where = os.environ.get("CXPULSE_SCREENSHOTS")
    if where:
        page.screenshot(path=str(Path(where) / f"{name}.png"))


def sign_in(page: Any, url: str, name: str, password: str) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_on_a_phone_sign_in_acknowledge_silence_resolve_and_read_the_trail(
    serve: ServeProcess, phone: Any
) -> None:
    from playwright.sync_api import expect

    page = phone
    page.goto(serve.url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F"))  # no session: sign in first

    sign_in(page, serve.url, LOGIN, PASSWORD + "x")
    expect(page.get_by_text("用户名或密码错误")).to_be_visible()

    sign_in(page, serve.url, LOGIN, PASSWORD)
    expect(page).to_have_url(serve.url + "/")
    # The alerts arrive through Kafka while the page is open: its live refresh shows them.
    crisis = page.get_by_role("link", name=re.compile(r"S004.*危机|危机.*S004")).first
    expect(crisis).to_be_visible(timeout=90_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    shoot(page, "console-phone-list")

    crisis.click()
    expect(page).to_have_url(re.compile(r"/incidents/[0-9a-f]{16}$"))
    evidence = page.locator("section", has=page.get_by_role("heading", name="证据"))
    expect(evidence).to_be_visible()
    expect(evidence.locator("li").first).to_be_visible()
    assert not PHONE.search(page.content())  # personal data masked
    shoot(page, "console-phone-incident")

    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.get_by_text("已确认").first).to_be_visible()

    # Silence the store for an hour, after seeing what it would mute.
    page.get_by_role("button", name="静默", exact=True).click()
    expect(page).to_have_url(re.compile(r"/silences/new"))
    expect(page.get_by_text("S004").first).to_be_visible()
    page.get_by_role("button", name="确认静默").click()
    expect(page).to_have_url(re.compile(r"/incidents/[0-9a-f]{16}"))

    page.get_by_label("备注").fill("已联系门店，现场已处理")
    page.get_by_role("button", name="解决", exact=True).click()
    expect(page.get_by_text("已解决").first).to_be_visible()

    trail = page.locator("section", has=page.get_by_role("heading", name="操作记录"))
    expect(trail).to_contain_text(LOGIN)
    expect(trail).to_contain_text("已联系门店")

    # A form post without the session's CSRF token is refused and changes nothing.
    fp = page.url.rsplit("/", 1)[-1]
    refused = page.request.post(f"{serve.url}/incidents/{fp}/ack", form={"version": "1"})
    assert refused.status == 403

    # The silence is listed with what it mutes, fits the phone, and can be lifted from it.
    page.get_by_role("link", name="静默规则").click()
    expect(page.get_by_text('store_id="S004"').first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="立即结束静默").click()
    expect(page.get_by_text("静默已结束").first).to_be_visible()
    expect(page.get_by_text("当前没有生效或待生效的静默。")).to_be_visible()


def test_a_viewer_sees_the_incident_but_cannot_act(serve: ServeProcess, desktop: Any) -> None:
    from playwright.sync_api import expect

    page = desktop
    page.goto(serve.url + "/")
    sign_in(page, serve.url, "zhao.viewer", PASSWORD)
    crisis = page.get_by_role("link", name=re.compile(r"S004.*危机|危机.*S004")).first
    expect(crisis).to_be_visible(timeout=90_000)
    crisis.click()
    expect(page.get_by_role("heading", name="证据")).to_be_visible()
    expect(page.get_by_role("button", name="确认", exact=True)).to_have_count(0)
    # Even with the session's own CSRF token (from the sign-out form) a viewer cannot act.
    fp = page.url.rsplit("/", 1)[-1]
    csrf = page.locator('form[action="/logout"] input[name="csrf"]').get_attribute("value")
    assert csrf
    refused = page.request.post(
        f"{serve.url}/incidents/{fp}/ack", form={"csrf": csrf, "version": "1"}
    )
    assert refused.status == 403
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{serve.url}/incidents/{fp}")
    expect(page).to_have_url(re.compile(r"/login\?next="))  # the session is over
