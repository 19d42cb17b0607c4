"""E-mail through a real SMTP server (aiosmtpd) on 127.0.0.1: plain, and STARTTLS with login."""

from __future__ import annotations

import traceback
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from alerts.notify.base import DeliveryError
from alerts.notify.configs import EmailConfig
from alerts.notify.email import EmailReceiver
from tests.integration.notify_fakes import (
    CUSTOMER_EMAIL,
    CUSTOMER_MOBILE,
    SMTP_PASSWORD,
    Mailbox,
    complaint_alert,
    deliver,
    notification,
)
from tests.waiting import free_port

pytest_plugins = ["tests.integration.notify_fixtures"]


def mailer(box: Mailbox, **changes: Any) -> EmailReceiver:
    fields: dict[str, Any] = {
        "type": "email",
        "name": "mail",
        "host": box.host,
        "port": box.port,
        "sender": "cxpulse@example.com",
        "to": ["duty@example.com", "backup@example.com"],
        "timeout_seconds": 5,
    }
    return EmailReceiver(EmailConfig(**(fields | changes)))


def received(box: Mailbox) -> EmailMessage:
    (envelope,) = box.messages
    assert isinstance(envelope.content, bytes)
    msg = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_plain_smtp_delivers_text_and_html_masked(smtp_plain: Mailbox) -> None:
    assert deliver(mailer(smtp_plain), notification()) is None
    (envelope,) = smtp_plain.messages
    assert envelope.mail_from == "cxpulse@example.com"
    assert envelope.rcpt_tos == ["duty@example.com", "backup@example.com"]
    msg = received(smtp_plain)
    assert msg["Subject"] == "[cxpulse] 🔴 严重告警 · 门店 S002 禾风小馆 上海"
    assert msg["X-Cxpulse-Key"] == "notif-0001"
    assert msg["Message-ID"].endswith("@cxpulse>") and msg["References"] != msg["Message-ID"]
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    body, page = plain.get_content(), html.get_content()
    assert "客户=王**" in body and "138****5678" in body
    assert "1. 让客户发泄：耐心倾听，不打断" in body
    assert "认领：https://cx.example.com/ack?t=signed-token" in body
    assert '<a href="https://cx.example.com/ack?t=signed-token">' in page
    raw = envelope.content.decode() if isinstance(envelope.content, bytes) else ""
    for personal in (CUSTOMER_MOBILE, CUSTOMER_EMAIL, "王小明"):
        assert personal not in body and personal not in page and personal not in raw


def test_english_subject_says_resolved(smtp_plain: Mailbox) -> None:
    n = notification(complaint_alert(status="resolved"), lang="en")
    assert deliver(mailer(smtp_plain, subject_prefix="[CX]"), n) is None
    assert received(smtp_plain)["Subject"] == "[CX] ✅ Resolved · Store S002 禾风小馆 上海"


def test_starttls_and_login(smtp_tls: Mailbox) -> None:
    rx = mailer(
        smtp_tls,
        starttls=True,
        tls_ca_file=smtp_tls.ca_file,
        username="duty",
        password=SMTP_PASSWORD,
    )
    assert deliver(rx, notification()) is None
    assert received(smtp_tls)["X-Cxpulse-Key"] == "notif-0001"


def test_a_wrong_password_is_not_retried_and_not_repeated(smtp_tls: Mailbox) -> None:
    wrong = "not-the-" + SMTP_PASSWORD
    rx = mailer(
        smtp_tls, starttls=True, tls_ca_file=smtp_tls.ca_file, username="duty", password=wrong
    )
    err = deliver(rx, notification())
    assert isinstance(err, DeliveryError) and not err.retryable
    assert "SMTP 535" in str(err)
    text = "".join(traceback.format_exception(err)) + repr(rx) + repr(rx.cfg)
    assert wrong not in text and SMTP_PASSWORD not in text
    assert not smtp_tls.messages


def test_login_without_starttls_where_the_server_requires_it(smtp_tls: Mailbox) -> None:
    rx = mailer(smtp_tls, username="duty", password=SMTP_PASSWORD)
    err = deliver(rx, notification())
    assert isinstance(err, DeliveryError) and not err.retryable
    assert "STARTTLS or AUTH" in str(err)


def test_an_untrusted_certificate_is_not_retried(smtp_tls: Mailbox) -> None:
    err = deliver(mailer(smtp_tls, starttls=True), notification())  # no CA given
    assert isinstance(err, DeliveryError) and not err.retryable
    assert "certificate" in str(err)


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [("550 5.1.1 mailbox unavailable", False), ("451 4.3.0 try again later", True)],
)
def test_refused_recipients(smtp_plain: Mailbox, reply: str, retryable: bool) -> None:
    smtp_plain.refuse_rcpt = reply
    err = deliver(mailer(smtp_plain), notification())
    assert isinstance(err, DeliveryError) and err.retryable is retryable
    assert "all recipients refused" in str(err) and reply[:3] in str(err)
    assert "duty@example.com" not in str(err)


def test_no_server_is_retryable() -> None:
    box = Mailbox("127.0.0.1", free_port())
    err = deliver(mailer(box), notification())
    assert isinstance(err, DeliveryError) and err.retryable
    assert "ConnectionRefusedError" in str(err)


def test_a_long_subject_arrives_whole_with_its_spaces(smtp_plain: Mailbox) -> None:
    # Python's header folding drops the space at a fold between encoded words; the receiver
    # keeps the subject on one line so none is lost.
    alert = complaint_alert()
    long_brand = replace(alert, labels={**alert.labels, "brand": " ".join(["禾风小馆"] * 40)})
    assert deliver(mailer(smtp_plain), notification(long_brand)) is None
    subject = received(smtp_plain)["Subject"]
    expected = f"[cxpulse] 🔴 严重告警 · 门店 S002 {' '.join(['禾风小馆'] * 40)} 上海"
    assert subject == expected[:160] + "…"
