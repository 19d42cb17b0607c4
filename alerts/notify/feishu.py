"""Feishu / Lark (飞书) custom bot: an interactive card per notification.

Signature check (签名校验): ``timestamp`` in seconds and
``sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))`` go into the JSON body
(note: the key is the string to sign and the message is empty, unlike DingTalk). Feishu
answers ``{"code": 0, ...}``; any other code is a failure even with HTTP 200.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from typing import Any

from alerts.notify import render
from alerts.notify.base import Notification
from alerts.notify.configs import FeishuConfig
from alerts.notify.transport import (
    HttpTransport,
    loads_object,
    secrets_of,
)

log = logging.getLogger("alerts.notify.feishu")

# 11232: frequency limited (Feishu advises avoiding :00 and :30, when the system is busy);
# 9499 comes with HTTP 400 for bad payloads too, so it is *not* here. 19021 (sign or
# timestamp), 19022 (IP), 19024 (keyword) fail the same way on every retry.
RETRYABLE = frozenset({11232, 99991400})
# Feishu's body limit is 20 KB; the card's markdown gets what the rest leaves.
MAX_MARKDOWN_BYTES = 16_000
TEMPLATE = {"critical": "red", "warning": "orange", "info": "blue", "resolved": "green"}


def sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class FeishuReceiver:
    def __init__(self, cfg: FeishuConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.rate_limit_per_minute = cfg.rate_limit_per_minute
        self._http = HttpTransport(cfg.name, cfg, secrets_of(cfg.url, cfg.secret))

    def __repr__(self) -> str:
        return f"FeishuReceiver(name={self.name!r})"

    def card(self, n: Notification) -> dict[str, Any]:
        doc = render.compose(n, tz=self.cfg.timezone)
        body, _ = render.markdown_parts(doc, "feishu", title=False, links=False)
        # Card markdown mentions open_ids/user_ids; a custom bot cannot @ by mobile number.
        ats = " ".join(f"<at id={m}></at>" for m in n.mention if not m.lstrip("+").isdigit())
        tail = "\n" + ats if ats else ""
        md = render.fit_utf8(body, MAX_MARKDOWN_BYTES, tail=tail, marker=render.cut_marker(n.lang))
        colour = TEMPLATE["resolved" if n.status == "resolved" else doc.severity]
        buttons = [
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": text},
                "type": "danger" if i == 0 and n.status == "firing" and n.ack_url else "default",
                "url": url,
            }
            for i, (text, url) in enumerate(doc.links)
        ]
        elements: list[dict[str, Any]] = [{"tag": "markdown", "content": md}]
        if buttons:
            elements.append({"tag": "action", "actions": buttons})
        return {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": doc.title}, "template": colour},
            "elements": elements,
        }

    def payload(self, n: Notification, now_s: int) -> dict[str, Any]:
        signed: dict[str, Any] = {}
        if self.cfg.secret is not None:
            signed = {
                "timestamp": str(now_s),
                "sign": sign(self.cfg.secret.get_secret_value(), now_s),
            }
        return {**signed, "msg_type": "interactive", "card": self.card(n)}

    async def send(self, notification: Notification) -> None:
        payload = self.payload(notification, int(time.time()))
        status, body = await self._http.post_json(self.cfg.url.get_secret_value(), payload)
        # Feishu sends its own code with HTTP 200, 400 or 429: look at it before the status.
        answer = loads_object(body) or {}
        code = answer.get("code", answer.get("StatusCode"))
        if code in RETRYABLE:
            self._http.fail(f"rate limited (code {code})", retryable=True)
        self._http.check_http(status, body)
        if code is None:
            self._http.json_body(body)  # fails: not Feishu's answer
        if code != 0:
            msg = str(answer.get("msg", ""))[:200]
            self._http.fail(f"code {code}: {msg}", retryable=False)
        log.info("%s: sent %s", self.name, notification.key)

    async def close(self) -> None:
        await self._http.close()
