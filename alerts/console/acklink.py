"""The signed one-click link of a page (``/ack/<token>``): it acknowledges the page's whole
notification group, and it lands on the incident.

Chat apps fetch links themselves to preview them, so a GET never changes anything: it shows
the alerts the button will acknowledge, and only the button's POST (to the same signed URL)
acknowledges. HEAD is not routed. The signature is the link's authentication: it needs no
session, and whoever holds the message holds the link, so texts are masked as in the message.
The actor is the signed-in user when there is one, else ``ack-link``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from alerts.api.ops import Conflict, ConsoleOperations, NotFound, Operations
from alerts.auth.identity import current_user
from alerts.clock import Clock
from alerts.console.i18n import Words, lang_of
from alerts.console.page import call, csrf_field, e, local, masked, shell
from alerts.links import LinkError, LinkSigner
from alerts.model import Alert

log = logging.getLogger("alerts.console")

LINK_ACTOR = "ack-link"

# "title|text" per key; the Chinese texts are those of the messages' links since the start.
_ZH = {
    "malformed": "链接无效|链接不完整或已损坏，请从告警消息中重新打开。",
    "bad_signature": "链接无效|链接签名校验失败，无法确认此告警。",
    "expired": "链接已过期|此确认链接已过期，"
    "请在值班群的最新消息中确认，或使用 cxpulse alerts ack。",
    "stale": "链接已失效|此链接属于该告警已结束的上一次告警，不能确认当前告警。"
    "请在值班群的最新消息中确认。",
    "changed": "告警已变化|告警在确认时已解决或再次触发，本次未确认。请在值班群的最新消息中查看。",
    "gone": "告警不存在|找不到此告警，可能已被清理。",
    "resolved": "告警已解决|此告警已解决，无需确认。",
    "acked": "告警已确认|此告警已由 {who} 于 {at} 确认。",
    "ask": "确认告警？|确认后升级通知将停止。以下 {n} 条告警将被确认：",
    "button": "确认告警|确认全部 {n} 条告警",
    "done": "已确认告警|已于 {at} 确认 {n} 条告警，升级通知已停止。",
    "open": "查看告警详情|",
}
_EN = {
    "malformed": "Invalid link|The link is incomplete or damaged; open it again from the message.",
    "bad_signature": "Invalid link|The link's signature does not verify: nothing acknowledged.",
    "expired": "Link expired|This link has expired; acknowledge from the latest message.",
    "stale": "Link outdated|This link is for an earlier episode of the alert, not this one.",
    "changed": "Alert changed|It resolved or fired again meanwhile: nothing acknowledged.",
    "gone": "No such alert|The alert is gone.",
    "resolved": "Alert resolved|This alert is resolved; nothing to acknowledge.",
    "acked": "Already acknowledged|Acknowledged by {who} at {at}.",
    "ask": "Acknowledge?|Escalation stops once acknowledged. These {n} alerts will be "
    "acknowledged:",
    "button": "Acknowledge|Acknowledge all {n}",
    "done": "Acknowledged|{n} alerts acknowledged at {at}; escalation stopped.",
    "open": "Open the incident|",
}
_STATUS = {"malformed": 400, "bad_signature": 403, "expired": 410}


def _say(w: Words, key: str, **kw: object) -> tuple[str, str]:
    title, _, text = (_EN if w.lang == "en" else _ZH)[key].partition("|")
    return title.format(**kw), text.format(**kw)


def _listing(alerts: list[Alert], w: Words) -> str:
    items = "".join(
        f"<li>{masked(a.summary_en if w.lang == 'en' and a.summary_en else a.summary_zh)}</li>"
        for a in alerts
    )
    return f"<ul>{items}</ul>"


def ack_link_handler(
    ops: Operations, signer: LinkSigner, clock: Clock
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def ack_link(request: web.Request) -> web.Response:
        w = Words(lang_of(request))

        def page(status: int, key: str, extra: str = "", **kw: object) -> web.Response:
            title, text = _say(w, key, **kw)
            return shell(request, w, title, f"<p>{e(text)}</p>{extra}", status)

        now = clock()
        try:
            link = signer.verify(request.match_info["token"], now, action="ack")
        except LinkError as exc:
            log.info("console: refused an ack link (%s)", exc.reason)
            return page(_STATUS[exc.reason], exc.reason)
        fp = link.fingerprint
        before = await call(ops.get, fp)
        if before is None:
            return page(404, "gone")
        summary = f"<p>{masked(before.summary_zh if w.lang == 'zh' else before.summary_en)}</p>"
        incident = f'<p><a href="/incidents/{e(fp)}">{e(_say(w, "open")[0])}</a></p>'
        if before.starts_at != link.episode:
            return page(410, "stale", summary)
        if before.state == "resolved":
            return page(200, "resolved", summary + incident)
        # The page's group; an API without the console's operations acks the one alert.
        group = (
            await call(ops.group_of, fp, now) if isinstance(ops, ConsoleOperations) else [before]
        )
        waiting = [a for a in group if a.state == "firing"]
        if not waiting:
            at = local(before.acked_at)
            return page(200, "acked", summary + incident, who=before.acked_by or "", at=at)
        if request.method != "POST":
            one, many = _say(w, "button", n=len(waiting))
            form = (
                f'<form method="post">{csrf_field(request)}'
                f'<button type="submit">{e(one if len(waiting) == 1 else many)}</button></form>'
            )
            return page(200, "ask", _listing(waiting, w) + form + incident, n=len(waiting))
        user = current_user(request)
        actor = user.name if user is not None else LINK_ACTOR
        acked: list[Alert] = []
        for a in waiting:
            episode = link.episode if a.fingerprint == fp else None
            try:
                acked.append(await call(ops.ack, a.fingerprint, actor, now, None, episode))
            except (Conflict, NotFound):  # resolved or re-fired since the look: left as it is
                continue
        if not acked:
            return page(409, "changed", summary)
        return page(
            200, "done", _listing(acked, w) + incident, n=len(acked), at=local(acked[0].acked_at)
        )

    return ack_link
