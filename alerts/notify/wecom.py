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


# WeCom's group-robot template card (text_notice) limits, in characters: title 26, its desc 30,
# sub_title_text 112, at most 6 key/value rows (key 5, value 26) and 3 jump links (title 13).
CARD_TITLE, CARD_DESC, CARD_TEXT = 26, 30, 112
CARD_ROWS, CARD_KEY, CARD_VALUE = 6, 5, 26
CARD_JUMPS, CARD_JUMP_TITLE = 3, 13


def template_card(doc: render.Doc) -> dict[str, Any]:
    """The message as a text_notice card: title, the facts as rows, the first alerts as the
    text, and the links ("认领", "查看详情") as jump buttons; tapping the card opens the last."""
    cut = render.cut_chars
    what = "；".join(doc.alerts)
    rows = [{"keyname": cut(k, CARD_KEY), "value": cut(v, CARD_VALUE)} for k, v in doc.facts]
    jumps = [{"type": 1, "url": u, "title": cut(t, CARD_JUMP_TITLE)} for t, u in doc.links][
        :CARD_JUMPS
    ]
    return {
        "msgtype": "template_card",
        "template_card": {
            "card_type": "text_notice",
            "source": {"desc": "cxpulse"},
            "main_title": {"title": cut(doc.title, CARD_TITLE), "desc": cut(doc.store, CARD_DESC)},
            "sub_title_text": cut(what, CARD_TEXT),
            "horizontal_content_list": rows[:CARD_ROWS],
            "jump_list": jumps,
            "card_action": {"type": 1, "url": doc.links[-1][1]},
        },
    }


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
        users = [m for m in n.mention if not _MOBILE.match(m)]
        if self.cfg.cards and doc.links and not users:
            return template_card(doc)
        body, links = render.markdown_parts(doc, "wecom")
        ats = "\n" + " ".join(f"<@{u}>" for u in users) if users else ""
        content = render.fit_utf8(
            body, MAX_BYTES, tail=links + ats, marker=render.cut_marker(n.lang)
        )
        return {"msgtype": "markdown", "markdown": {"content": content}}

    async def send(self, notification: Notification) -> None:
        status, body = await self._http.post_json(
            self.cfg.url.get_secret_value(), self.payload(notification)
        )
        self._http.check_errcode(status, body, RETRYABLE)
        log.info("%s: sent %s", self.name, notification.key)

    async def close(self) -> None:
        await self._http.close()
