"""The silences in force and those still to come (``/silences``), each with what it mutes now
and a button that ends it. A silence set by mistake at 3 a.m. hides every page it matches until
it runs out, so the person on duty must be able to see it and lift it from the phone."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from alerts.api.ops import OpsError
from alerts.auth.identity import User, may
from alerts.console.i18n import Words
from alerts.console.page import CONSOLE, call, csrf_field, e, flash, guarded, shell, when
from alerts.lifecycle import matchers as m
from alerts.model import Silence

SHOWN = 200  # more silences than this at once is an operations problem of its own


def current(silences: list[Silence], now: datetime) -> list[Silence]:
    """Silences not ended (by time or by hand), the soonest to end first."""
    live = [s for s in silences if s.expired_at is None and s.ends_at > now]
    return sorted(live, key=lambda s: (s.ends_at, s.id))


@guarded("view")
async def silence_list(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    c = request.app[CONSOLE]
    now = c.clock()
    found = current(await call(c.ops.silences, None), now)
    note = ""
    done = request.query.get("done", "")
    if done == "ended":
        note = flash(w("flash_silence_ended"))
    elif done == "gone":
        note = flash(w("flash_error") + w("silence_gone"), True)
    if not found:
        return shell(request, w, w("silences"), note + f"<p>{e(w('silences_none'))}</p>")
    act = may(user, "act")
    rows = []
    for s in found[:SHOWN]:
        muted = await call(c.ops.would_mute, list(s.matchers), now)
        rendered = "\n".join(m.render(x) for x in s.matchers)
        pending = s.starts_at > now
        state = f"{e(w('silence_from'))} {when(s.starts_at)} · " if pending else ""
        end = (
            f'<form method="post" action="/silences/{e(s.id)}/end">{csrf_field(request)}'
            f'<button type="submit">{e(w("end_silence"))}</button></form>'
            if act
            else ""
        )
        rows.append(
            f'<li class="silence"><pre><code>{e(rendered)}</code></pre>'
            f'<p class="meta">{state}{e(w("ends"))} {when(s.ends_at)} · '
            f"{e(w('created_by'))} {e(s.created_by)}"
            + (f" · {e(s.comment)}" if s.comment else "")
            + f"</p><p>{e(w('mutes_now'))}: <strong>{0 if pending else len(muted)}</strong></p>"
            f"{end}</li>"
        )
    more = f"<p>{e(w('silences_more'))} {len(found) - SHOWN}</p>" if len(found) > SHOWN else ""
    body = note + f'<ul class="silences">{"".join(rows)}</ul>' + more
    return shell(request, w, w("silences"), body)


@guarded("act")
async def silence_end(request: web.Request, user: User, w: Words) -> web.StreamResponse:
    c = request.app[CONSOLE]
    sid = request.match_info["silence_id"]
    try:
        await call(c.ops.expire_silence, sid, user.name, c.clock())
    except OpsError:
        raise web.HTTPSeeOther("/silences?done=gone") from None
    raise web.HTTPSeeOther("/silences?done=ended")
