"""DingTalk (钉钉) custom group robot: one markdown message per notification.

Signed mode (加签): ``timestamp`` in milliseconds and
``sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))`` appended to
the webhook URL; DingTalk refuses a timestamp more than an hour off. The answer is
``{"errcode": 0, "errmsg": "ok"}``; anything else is a failure even with HTTP 200.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time
from typing import Any
from urllib.parse import quote_plus

from alerts.notify import render
from alerts.notify.base import Notification
from alerts.notify.configs import DingTalkConfig
from alerts.notify.transport import HttpTransport, secrets_of

log = logging.getLogger("alerts.notify.dingtalk")

# 130101: "send too fast, exceed 20 times per minute" (then throttled for 10 minutes).
# -1: "system busy". Everything else (310000 keyword/sign/IP, 300001 bad token, 400xxx payload)
# fails the same way on every retry.
RETRYABLE = frozenset({130101, -1})
_MOBILE = re.compile(r"^\+?\d{6,15}$")


def sign(secret: str, timestamp_ms: int) -> str:
    """The base64 signature, before URL encoding."""
    msg = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), msg, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={timestamp_ms}&sign={quote_plus(sign(secret, timestamp_ms))}"


class DingTalkReceiver:
    def __init__(self, cfg: DingTalkConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.rate_limit_per_minute = cfg.rate_limit_per_minute
        self._http = HttpTransport(cfg.name, cfg, secrets_of(cfg.url, cfg.secret))

    def __repr__(self) -> str:
        return f"DingTalkReceiver(name={self.name!r})"

    def payload(self, n: Notification) -> dict[str, Any]:
        doc = render.compose(n, tz=self.cfg.timezone)
        if self.cfg.cards and doc.links and not n.mention:
            return self.action_card(doc)
        body, links = render.markdown_parts(doc, "dingtalk")
        mobiles = [m for m in n.mention if _MOBILE.match(m)]
        user_ids = [m for m in n.mention if not _MOBILE.match(m)]
        # DingTalk only rings the people whose @mobile / @userId also appears in the text.
        # These are the duty roster's own numbers, shown by DingTalk as names: not masked.
        ats = "\n\n" + " ".join(f"@{m}" for m in n.mention) if n.mention else ""
        marker = render.cut_marker(n.lang)
        text = render.fit_utf8(body, self.cfg.max_bytes, tail=links + ats, marker=marker)
        return {
            "msgtype": "markdown",
            "markdown": {"title": doc.title, "text": text},
            "at": {"atMobiles": mobiles, "atUserIds": user_ids, "isAtAll": False},
        }

    def action_card(self, doc: render.Doc) -> dict[str, Any]:
        """The links ("认领", "查看详情") as buttons under the markdown text."""
        body, _ = render.markdown_parts(doc, "dingtalk", links=False)
        buttons = [{"title": t, "actionURL": u} for t, u in doc.links]
        # The size cap covers the whole message: the buttons' URLs count too.
        room = self.cfg.max_bytes - len(json.dumps(buttons, ensure_ascii=False).encode()) - 200
        text = render.fit_utf8(body, max(room, 500), marker=render.cut_marker(doc.lang))
        return {
            "msgtype": "actionCard",
            "actionCard": {
                "title": doc.title,
                "text": text,
                "btnOrientation": "1",  # side by side: two short buttons
                "btns": buttons,
            },
        }

    async def send(self, notification: Notification) -> None:
        url = self.cfg.url.get_secret_value()
        if self.cfg.secret is not None:
            now_ms = int(time.time() * 1000)
            url = signed_url(url, self.cfg.secret.get_secret_value(), now_ms)
        status, body = await self._http.post_json(url, self.payload(notification))
        self._http.check_errcode(status, body, RETRYABLE)
        log.info("%s: sent %s", self.name, notification.key)

    async def close(self) -> None:
        await self._http.close()
