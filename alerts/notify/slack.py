"""Slack incoming webhook: header, mrkdwn section and link buttons (Block Kit).

Slack answers 200 ``ok``, or an HTTP error with a short code in the body (400
``invalid_payload``, 403 ``action_prohibited``, 404 ``no_service``, 410 ``channel_is_archived``,
429, 500 ``rollup_error``), which ``check_http`` sorts into retryable or not.
"""

from __future__ import annotations

import logging
from typing import Any

from alerts.notify import render
from alerts.notify.base import Notification
from alerts.notify.configs import SlackConfig
from alerts.notify.transport import HttpTransport, secrets_of

log = logging.getLogger("alerts.notify.slack")

# Block Kit limits: a section's text 3000 characters, a header's 150. Cutting at 3000 bytes
# keeps within 3000 characters whatever the script.
SECTION_MAX = 3000
HEADER_MAX = 150


class SlackReceiver:
    def __init__(self, cfg: SlackConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.rate_limit_per_minute = cfg.rate_limit_per_minute
        self._http = HttpTransport(cfg.name, cfg, secrets_of(cfg.url))

    def __repr__(self) -> str:
        return f"SlackReceiver(name={self.name!r})"

    def payload(self, n: Notification) -> dict[str, Any]:
        doc = render.compose(n, tz=self.cfg.timezone)
        body, _ = render.markdown_parts(doc, "slack", title=False, links=False)
        ats = " ".join(f"<@{m}>" for m in n.mention if not m.lstrip("+").isdigit())
        tail = "\n" + ats if ats else ""
        section = render.fit_utf8(body, SECTION_MAX, tail=tail, marker=render.cut_marker(n.lang))
        header = doc.title if len(doc.title) <= HEADER_MAX else doc.title[: HEADER_MAX - 1] + "…"
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text": section}},
        ]
        if doc.links:
            buttons: list[dict[str, Any]] = []
            for text, url in doc.links:
                button = {
                    "type": "button",
                    "text": {"type": "plain_text", "text": text},
                    "url": url,
                }
                if url == n.ack_url:
                    button["style"] = "danger"
                buttons.append(button)
            blocks.append({"type": "actions", "elements": buttons})
        # ``text`` is what notifications and screen readers show.
        return {"text": doc.title, "blocks": blocks}

    async def send(self, notification: Notification) -> None:
        status, body = await self._http.post_json(
            self.cfg.url.get_secret_value(), self.payload(notification)
        )
        self._http.check_http(status, body)
        log.info("%s: sent %s", self.name, notification.key)

    async def close(self) -> None:
        await self._http.close()
