"""WeCom (企业微信) group robot: one markdown message per notification.

WeCom refuses markdown content over 4096 bytes of UTF-8, so the body is cut on a character
boundary with a marker, keeping the links and mentions that follow it. Markdown messages can
@ members only by user id (``<@userid>``); mobile numbers in ``mention`` are left out here
(WeCom has ``mentioned_mobile_list`` for text messages only), so list WeCom user ids in the
duty roster.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from alerts.notify import render
from alerts.notify.base import Notification
from alerts.notify.configs import WeComConfig
from alerts.notify.transport import HttpTransport, secrets_of

log = logging.getLogger("alerts.notify.wecom")

MAX_BYTES = 4096
# 45009: API frequency out of limit (20 messages/min per robot). -1: system busy.
RETRYABLE = frozenset({45009, -1})
_MOBILE = re.compile(r"^\+?\d{6,15}$")


class WeComReceiver:
    def __init__(self, cfg: WeComConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.rate_limit_per_minute = cfg.rate_limit_per_minute
        self._http = HttpTransport(cfg.name, cfg, secrets_of(cfg.url))

    def __repr__(self) -> str:
        return f"WeComReceiver(name={self.name!r})"

    def payload(self, n: Notification) -> dict[str, Any]:
        doc = render.compose(n, tz=self.cfg.timezone)
        body, links = render.markdown_parts(doc, "wecom")
        users = [m for m in n.mention if not _MOBILE.match(m)]
        ats = "\n" + " ".join(f"<@{u}>" for u in users) if users else ""
        content = render.fit_utf8(
            body, MAX_BYTES, tail=links + ats, marker=render.cut_marker(n.lang)
        )
        return {"msgtype": "markdown", "markdown": {"content": content}}

    async def send(self, notification: Notification) -> None:
        status, body = await self._http.post_json(
            self.cfg.url.get_secret_value(), self.payload(notification)
        )
        self._http.check_http(status, body)
        answer = self._http.json_body(body)
        code = answer.get("errcode", 0)
        if code != 0:
            msg = str(answer.get("errmsg", ""))[:200]
            self._http.fail(f"errcode {code}: {msg}", retryable=code in RETRYABLE)
        log.info("%s: sent %s", self.name, notification.key)

    async def close(self) -> None:
        await self._http.close()
