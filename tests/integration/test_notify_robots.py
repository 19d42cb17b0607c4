"""The HTTP receivers against a real local server that checks signatures the way each platform
documents them, and answers with the platforms' own error codes."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from typing import Any

import pytest

from alerts.notify.base import DeliveryError
from alerts.notify.configs import (
    DingTalkConfig,
    FeishuConfig,
    SlackConfig,
    WebhookConfig,
    WeComConfig,
)
from alerts.notify.dingtalk import DingTalkReceiver
from alerts.notify.feishu import FeishuReceiver
from alerts.notify.slack import SlackReceiver
from alerts.notify.webhook import WebhookReceiver
from alerts.notify.wecom import WeComReceiver
from tests.integration.notify_fakes import (
    ALL_SECRETS,
    CUSTOMER_MOBILE,
    DING_SECRET,
    DING_TOKEN,
    FEISHU_HOOK,
    FEISHU_SECRET,
    SLACK_PATH,
    WEBHOOK_SECRET,
    WECOM_KEY,
    FakeRobots,
    csat_alert,
    deliver,
    notification,
)
from tests.waiting import free_port

pytest_plugins = ["tests.integration.notify_fixtures"]

Receiver = DingTalkReceiver | WeComReceiver | FeishuReceiver | SlackReceiver | WebhookReceiver


def ding(base: str, secret: str = DING_SECRET, timeout: float = 5) -> DingTalkReceiver:
    url = f"{base}/dingtalk/robot/send?access_token={DING_TOKEN}"
    cfg = DingTalkConfig(
        type="dingtalk", name="ding", url=url, secret=secret, timeout_seconds=timeout
    )
    return DingTalkReceiver(cfg)


def wecom(base: str, key: str = WECOM_KEY, timeout: float = 5) -> WeComReceiver:
    url = f"{base}/wecom/cgi-bin/webhook/send?key={key}"
    return WeComReceiver(WeComConfig(type="wecom", name="wecom", url=url, timeout_seconds=timeout))


def lark(base: str, secret: str = FEISHU_SECRET, timeout: float = 5) -> FeishuReceiver:
    url = f"{base}/feishu/open-apis/bot/v2/hook/{FEISHU_HOOK}"
    cfg = FeishuConfig(
        type="feishu", name="feishu", url=url, secret=secret, timeout_seconds=timeout
    )
    return FeishuReceiver(cfg)


def slack(base: str, timeout: float = 5) -> SlackReceiver:
    url = f"{base}/slack/services/{SLACK_PATH}"
    return SlackReceiver(SlackConfig(type="slack", name="slack", url=url, timeout_seconds=timeout))


def hook(
    base: str, fmt: str = "cxpulse", secret: str = WEBHOOK_SECRET, timeout: float = 5
) -> WebhookReceiver:
    cfg = WebhookConfig(
        type="webhook",
        name="hook",
        url=f"{base}/webhook/in",
        secret=secret,
        format=fmt,
        timeout_seconds=timeout,
    )
    return WebhookReceiver(cfg)


def test_dingtalk_signed_markdown_is_accepted(robots: FakeRobots) -> None:
    assert deliver(ding(robots.url), notification(mention=("13900001111",))) is None
    (req,) = robots.requests
    assert robots.sign_failures == 0
    assert req.path == "/dingtalk/robot/send"
    assert abs(int(req.query["timestamp"]) - time.time() * 1000) < 60_000  # milliseconds
    body = req.json()
    assert body["at"]["atMobiles"] == ["13900001111"]
    assert body["markdown"]["text"].endswith("@13900001111")
    assert "138＊＊＊＊5678" in body["markdown"]["text"]
    assert CUSTOMER_MOBILE not in req.body.decode()
    assert req.headers["Content-Type"] == "application/json; charset=utf-8"


def test_dingtalk_wrong_secret_is_refused_for_good(robots: FakeRobots) -> None:
    err = deliver(ding(robots.url, secret="SECwrong"), notification())
    assert robots.sign_failures == 1
    assert isinstance(err, DeliveryError) and not err.retryable
    assert "errcode 310000" in str(err)


def test_feishu_signed_card_is_accepted(robots: FakeRobots) -> None:
    assert deliver(lark(robots.url), notification()) is None
    (req,) = robots.requests
    assert robots.sign_failures == 0
    body = req.json()
    assert abs(int(body["timestamp"]) - time.time()) < 60  # seconds, as a string
    assert body["msg_type"] == "interactive" and body["card"]["header"]["template"] == "red"


def test_feishu_wrong_secret_is_refused_for_good(robots: FakeRobots) -> None:
    err = deliver(lark(robots.url, secret="wrong"), notification())
    assert robots.sign_failures == 1
    assert isinstance(err, DeliveryError) and not err.retryable and "code 19021" in str(err)


def test_wecom_cuts_a_huge_group_to_what_the_server_accepts(robots: FakeRobots) -> None:
    alerts = [csat_alert(i) for i in range(300)]
    # With an @-mention: markdown (a card cannot mention), the form that needs cutting.
    assert deliver(wecom(robots.url), notification(*alerts, mention=("zhangsan",))) is None
    content = robots.requests[0].json()["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert "…及另外 295 条" in content


@pytest.mark.parametrize("fmt", ["cxpulse", "alertmanager"])
def test_webhook_signature_verifies_over_the_raw_body(robots: FakeRobots, fmt: str) -> None:
    assert deliver(hook(robots.url, fmt), notification()) is None
    (req,) = robots.requests
    assert robots.sign_failures == 0
    assert req.headers["X-Cxpulse-Key"] == "notif-0001"
    assert abs(int(req.headers["X-Cxpulse-Timestamp"]) - time.time()) < 60
    assert req.json()["version"] == ("4" if fmt == "alertmanager" else "1")


def test_webhook_wrong_secret_is_not_retried(robots: FakeRobots) -> None:
    err = deliver(hook(robots.url, secret="wrong"), notification())
    assert isinstance(err, DeliveryError) and not err.retryable and "HTTP 401" in str(err)


def test_slack_is_accepted(robots: FakeRobots) -> None:
    assert deliver(slack(robots.url), notification(lang="en")) is None
    assert robots.requests[0].json()["blocks"][0]["type"] == "header"


ERRORS: list[tuple[str, tuple[Any, ...], bool, str]] = [
    # platform, the server's answer, retryable?, what the error says
    ("dingtalk", ("json", 200, {"errcode": 130101, "errmsg": "send too fast"}), True, "130101"),
    (
        "dingtalk",
        ("json", 200, {"errcode": 310000, "errmsg": "keywords not in content"}),
        False,
        "310000",
    ),
    ("dingtalk", ("text", 500, "oops"), True, "HTTP 500"),
    ("dingtalk", ("text", 200, "<html>portal</html>"), True, "not the platform's JSON"),
    ("wecom", ("json", 200, {"errcode": 45009, "errmsg": "api freq out of limit"}), True, "45009"),
    ("wecom", ("json", 200, {"errcode": 93000, "errmsg": "invalid webhook url"}), False, "93000"),
    ("wecom", ("text", 503, "busy"), True, "HTTP 503"),
    ("feishu", ("json", 200, {"code": 11232, "msg": "frequency limited"}), True, "11232"),
    (
        "feishu",
        ("json", 429, {"code": 99991400, "msg": "request trigger frequency limit"}),
        True,
        "99991400",
    ),
    ("feishu", ("json", 400, {"code": 9499, "msg": "Bad Request"}), False, "HTTP 400"),
    ("slack", ("text", 429, "rate_limited"), True, "HTTP 429"),
    ("slack", ("text", 404, "no_service"), False, "no_service"),
    ("slack", ("text", 500, "rollup_error"), True, "rollup_error"),
    ("webhook", ("text", 502, "bad gateway"), True, "HTTP 502"),
    ("webhook", ("text", 422, "unprocessable"), False, "HTTP 422"),
]


def make(platform: str, base: str, timeout: float = 5) -> Receiver:
    if platform == "dingtalk":
        return ding(base, timeout=timeout)
    if platform == "wecom":
        return wecom(base, timeout=timeout)
    if platform == "feishu":
        return lark(base, timeout=timeout)
    if platform == "slack":
        return slack(base, timeout=timeout)
    return hook(base, timeout=timeout)


@pytest.mark.parametrize(("platform", "answer", "retryable", "says"), ERRORS)
def test_platform_errors_are_sorted_into_retryable_or_not(
    robots: FakeRobots, platform: str, answer: tuple[Any, ...], retryable: bool, says: str
) -> None:
    robots.script.append(answer)
    err = deliver(make(platform, robots.url), notification())
    assert isinstance(err, DeliveryError)
    assert err.retryable is retryable
    assert says in str(err) and str(err).startswith(f"{make(platform, robots.url).name}: ")


def test_a_server_that_does_not_answer_times_out_retryably(robots: FakeRobots) -> None:
    robots.script.append(("hang",))
    started = time.monotonic()
    err = deliver(ding(robots.url, timeout=0.5), notification())
    took = time.monotonic() - started
    assert isinstance(err, DeliveryError) and err.retryable
    assert "no answer within 0.5 s" in str(err)
    assert 0.5 <= took < 3


def test_a_closed_port_is_retryable() -> None:
    err = deliver(ding(f"http://127.0.0.1:{free_port()}"), notification())
    assert isinstance(err, DeliveryError) and err.retryable
    assert "ClientConnectorError" in str(err)


def test_one_session_and_connection_serve_many_sends(robots: FakeRobots) -> None:
    rx = wecom(robots.url)

    async def go() -> None:
        try:
            for i in range(3):
                await rx.send(notification(csat_alert(i)))
        finally:
            await rx.close()

    asyncio.run(go())
    assert len(robots.requests) == 3
    assert len({r.peer for r in robots.requests}) == 1  # keep-alive: one TCP connection


def test_no_secret_in_errors_tracebacks_reprs_or_logs(
    robots: FakeRobots, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    dead = f"http://127.0.0.1:{free_port()}"
    failures: list[DeliveryError | None] = []
    for platform in ("dingtalk", "wecom", "feishu", "slack", "webhook"):
        for answer in (("text", 500, "boom"), ("text", 400, "bad"), ("hang",)):
            robots.script.append(answer)
            rx = make(platform, robots.url, timeout=0.2 if answer[0] == "hang" else 5)
            failures.append(deliver(rx, notification()))
        failures.append(deliver(make(platform, dead), notification()))
        failures.append(deliver(make(platform, robots.url), notification()))  # success
    failures += [deliver(ding(robots.url, secret="bad"), notification())]
    failures += [deliver(wecom(robots.url, key="nokey"), notification())]
    errors = [e for e in failures if e is not None]
    assert len(errors) == 5 * 4 + 2
    shown = [caplog.text]
    for e in errors:
        shown += [str(e), repr(e), "".join(traceback.format_exception(e))]
        assert e.__cause__ is None and e.__context__ is None
    shown += [
        repr(make(p, robots.url)) for p in ("dingtalk", "wecom", "feishu", "slack", "webhook")
    ]
    for text in shown:
        for secret in ALL_SECRETS:
            assert secret not in text


def test_the_configured_proxy_carries_the_request_and_its_login_stays_secret(
    robots: FakeRobots,
) -> None:
    login = "duty:proxy-pass-5566"

    def via(proxy: str) -> WebhookReceiver:
        url = "http://robots.invalid/webhook/in"  # only the proxy can reach it
        return WebhookReceiver(
            WebhookConfig(type="webhook", name="hook", url=url, secret=WEBHOOK_SECRET, proxy=proxy)
        )

    assert deliver(via(robots.url.replace("http://", f"http://{login}@")), notification()) is None
    (req,) = robots.requests
    assert req.headers["Host"] == "robots.invalid" and robots.sign_failures == 0
    assert req.headers["Proxy-Authorization"].startswith("Basic ")
    rx = via(f"http://{login}@127.0.0.1:{free_port()}")
    err = deliver(rx, notification())
    assert isinstance(err, DeliveryError) and err.retryable
    assert "proxy-pass" not in "".join(traceback.format_exception(err)) + repr(rx) + repr(rx.cfg)


def test_wecom_and_dingtalk_cards_are_accepted(robots: FakeRobots) -> None:
    assert deliver(wecom(robots.url), notification()) is None
    assert deliver(ding(robots.url), notification()) is None
    card, action = (r.json() for r in robots.requests)
    assert card["msgtype"] == "template_card" and action["msgtype"] == "actionCard"
    assert [j["title"] for j in card["template_card"]["jump_list"]] == ["认领", "查看详情"]
    assert robots.sign_failures == 0
