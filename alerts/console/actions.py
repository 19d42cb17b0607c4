"""The console's actions: forms POST here, the change goes through the lifecycle engine under
the signed-in user's name, and the answer is a redirect back to the incident with a flash
line. A refused change answers with the incident page as it is now: 409 with "changed
meanwhile" when the alert moved on since the form was drawn (its ``version``), 400 with the
reason otherwise.

A silence is two steps: ``GET /silences/new`` previews which open alerts it would mute (a GET
changes nothing), and its confirm form POSTs ``/silences``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta

from aiohttp import web

from alerts.api.ops import MAX_SILENCE, BadRequest, Conflict, NotFound, OpsError
from alerts.auth.identity import User
from alerts.console import detail
from alerts.console.i18n import Words
from alerts.console.page import (
    CN,
    CONSOLE,
    call,
    csrf_field,
    e,
    flash,
    guarded,
    masked,
    shell,
    summary_of,
    when,
)
from alerts.lifecycle import matchers as m
from alerts.model import Alert, Matcher

MAX_NOTE = 1000
MAX_MATCHERS = 20


def _field(data: Mapping[str, object], name: str, limit: int = 200) -> str:
    value = data.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def _version(data: Mapping[str, object]) -> int | None:
    raw = _field(data, "version")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest("version must be a number") from None


def tomorrow_9(now: datetime) -> datetime:
    day = now.astimezone(CN).date() + timedelta(days=1)
    return datetime.combine(day, time(9, 0), CN)


def _local_input(raw: str) -> datetime:
    """A ``datetime-local`` field, read as Beijing time."""
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"not a time: {raw!r}") from None
    return dt.replace(tzinfo=CN) if dt.tzinfo is None else dt


def _until(data: Mapping[str, object], now: datetime, default: datetime | None) -> datetime | None:
    preset = _field(data, "until") or _field(data, "preset")
    if preset == "1h":
        return now + timedelta(hours=1)
    if preset == "4h":
        return now + timedelta(hours=4)
    if preset == "tomorrow":
        return tomorrow_9(now)
    if preset == "custom":
        return _local_input(_field(data, "custom"))
    return default


def _done(fp: str, what: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/incidents/{fp}?done={what}")


async def _act(
    request: web.Request,
    user: User,
    w: Words,
    what: str,
    change: Callable[[datetime], Alert | None],
) -> web.StreamResponse:
    fp = request.match_info["fingerprint"]
    try:
        await call(change, request.app[CONSOLE].clock())
    except Conflict:
        return await detail.render(request, user, w, fp, flash(w("flash_changed"), True), 409)
    except NotFound:
        return await detail.render(request, user, w, fp)  # its own 404 page
    except OpsError as exc:
        note = flash(w("flash_error") + str(exc), True)
        return await detail.render(request, user, w, fp, note, exc.status)
    raise _done(fp, what)


async def _form(request: web.Request) -> Mapping[str, object]:
    return await request.post()


@guarded("act")
async def ack(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    data = await _form(request)
    ops, fp = request.app[CONSOLE].ops, request.match_info["fingerprint"]

    def change(now: datetime) -> Alert:
        return ops.ack(fp, user.name, now, _until(data, now, None), None, _version(data))

    return await _act(request, user, w, "acked", change)


@guarded("act")
async def resolve(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    data = await _form(request)
    ops, fp = request.app[CONSOLE].ops, request.match_info["fingerprint"]
    note = _field(data, "note", MAX_NOTE)

    def change(now: datetime) -> Alert:
        alert = ops.resolve(fp, user.name, now, _version(data))
        if note:
            ops.comment(fp, user.name, note, now)
        return alert

    return await _act(request, user, w, "resolved", change)


@guarded("act")
async def escalate(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    data = await _form(request)
    ops, fp = request.app[CONSOLE].ops, request.match_info["fingerprint"]

    def change(now: datetime) -> Alert:
        return ops.escalate_now(fp, user.name, now, _version(data))

    return await _act(request, user, w, "escalated", change)


@guarded("act")
async def assign(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    data = await _form(request)
    ops, fp = request.app[CONSOLE].ops, request.match_info["fingerprint"]
    who = _field(data, "assignee") or None

    def change(now: datetime) -> Alert:
        return ops.assign(fp, user.name, who, now, _version(data))

    return await _act(request, user, w, "assigned", change)


# --- silences -------------------------------------------------------------------------------


def _matchers(text: str) -> list[Matcher]:
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    if not lines:
        raise BadRequest("a silence needs at least one matcher")
    if len(lines) > MAX_MATCHERS:
        raise BadRequest(f"at most {MAX_MATCHERS} matchers")
    try:
        return [m.parse(x) for x in lines]
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _silence_end(data: Mapping[str, object], now: datetime) -> datetime:
    ends = _until(data, now, None)
    if ends is None:
        raw = _field(data, "ends_at")
        ends = _local_input(raw) if raw else now + timedelta(hours=1)
    if ends <= now:
        raise BadRequest("a silence must end in the future")
    if ends - now > MAX_SILENCE:
        raise BadRequest(f"a silence may last at most {MAX_SILENCE.days} days")
    return ends


def _back(fp: str, w: Words) -> str:
    return f'<p><a href="/incidents/{e(fp)}">{e(w("back"))}</a></p>' if fp else ""


@guarded("act")
async def silence_preview(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    c = request.app[CONSOLE]
    q = request.query
    fp = _field(q, "fp", 64)
    now = c.clock()
    try:
        matchers = _matchers(_field(q, "matchers", 4000))
        ends = _silence_end(q, now)
        muted = await call(c.ops.would_mute, matchers, now)
    except OpsError as exc:
        note = flash(w("flash_error") + str(exc), True)
        return shell(request, w, w("silence"), note + _back(fp, w), status=exc.status)
    rendered = "\n".join(m.render(x) for x in matchers)
    shown = "".join(
        f'<li><span class="badge {e(a.severity)}">{e(w(a.severity))}</span> '
        f'<a href="/incidents/{e(a.fingerprint)}">{masked(summary_of(a, w))}</a>'
        f' <span class="meta">{e(w(a.state))}</span></li>'
        for a in muted[:100]
    )
    listing = f'<ul class="incidents">{shown}</ul>' if muted else f"<p>{e(w('mutes_none'))}</p>"
    body = (
        f"<p><code>{e(rendered)}</code></p>"
        f"<p>{e(w('ends'))} {when(ends)}</p>"
        f'<h2>{e(w("would_mute"))}: <span id="mute-count">{len(muted)}</span></h2>{listing}'
        f'<form method="post" action="/silences">{csrf_field(request)}'
        f'<input type="hidden" name="fp" value="{e(fp)}">'
        f'<input type="hidden" name="matchers" value="{e(rendered)}">'
        f'<input type="hidden" name="ends_at" value="{e(ends.isoformat())}">'
        f'<label for="silence-comment">{e(w("comment"))}</label>'
        '<input id="silence-comment" name="comment" maxlength="1000">'
        f'<button type="submit">{e(w("confirm_silence"))}</button></form>' + _back(fp, w)
    )
    return shell(request, w, w("preview"), body)


@guarded("act")
async def silence_create(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    c = request.app[CONSOLE]
    data = await _form(request)
    fp = _field(data, "fp", 64)
    now = c.clock()
    try:
        matchers = _matchers(_field(data, "matchers", 4000))
        ends = _silence_end(data, now)
        comment = _field(data, "comment", MAX_NOTE)
        await call(c.ops.add_silence, matchers, now, ends, user.name, comment, now)
    except OpsError as exc:
        note = flash(w("flash_error") + str(exc), True)
        return shell(request, w, w("silence"), note + _back(fp, w), status=exc.status)
    if fp:
        raise _done(fp, "silenced")
    raise web.HTTPSeeOther("/?tab=silenced")
