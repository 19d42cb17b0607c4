"""What every console page shares: its parts (``Console``), the HTML shell (style, the small
script, the language switch), escaping, times in Beijing time, and the permission checks.

HTML is built from escaped strings: every value that came from outside goes through ``e``
(and free text through ``masked`` first), and markup is only ever joined, never formatted
from request data.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from alerts.api.ops import ConsoleOperations
from alerts.auth.identity import Permission, User, csrf_token, current_user, may
from alerts.clock import Clock
from alerts.console.i18n import Words, lang_of, remember
from alerts.lifecycle.engine import Engine
from alerts.model import Alert
from schemas.mask import mask_text
from streams.core.calendar import CalendarConfig

T = TypeVar("T")
CN = ZoneInfo("Asia/Shanghai")  # the stores' zone, whatever the server's is


@dataclass
class Console:
    ops: ConsoleOperations
    engine: Engine
    clock: Clock
    calendars: Mapping[str, CalendarConfig] = field(default_factory=dict)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CONSOLE: web.AppKey[Console] = web.AppKey("console")


async def call(fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    # The store is synchronous: keep the event loop free while it works.
    return await asyncio.to_thread(fn, *args, **kw)


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def masked(text: str | None) -> str:
    """Free text as a person may read it: personal data masked, then escaped."""
    return e(mask_text(text or ""))


def summary_of(a: Alert, w: Words) -> str:
    return a.summary_en if w.lang == "en" and a.summary_en else a.summary_zh


def local(dt: datetime | None, with_date: bool = True) -> str:
    if dt is None:
        return ""
    return dt.astimezone(CN).strftime("%m-%d %H:%M" if with_date else "%H:%M")


def when(dt: datetime | None) -> str:
    """A time element: Beijing time shown, the exact instant in ``datetime``."""
    if dt is None:
        return "—"
    return f'<time datetime="{e(dt.astimezone(UTC).isoformat())}">{e(local(dt))}</time>'


def countdown(dt: datetime | None, w: Words) -> str:
    """Counted down in the browser every second (the script below)."""
    if dt is None:
        return "—"
    return (
        f'<span class="countdown" data-deadline="{e(dt.astimezone(UTC).isoformat())}" '
        f'data-left="{e(w("remaining"))}" data-over="{e(w("overdue"))}">{when(dt)}</span>'
    )


def href(path: str, **query: str | int | None) -> str:
    q = {k: str(v) for k, v in query.items() if v not in (None, "")}
    return e(path + ("?" + urlencode(q) if q else ""))


def csrf_field(request: web.Request) -> str:
    return f'<input type="hidden" name="csrf" value="{e(csrf_token(request))}">'


_STYLE = """
:root{--fg:#1a1a1a;--muted:#555;--line:#ccc;--bg:#fff;--accent:#0b57d0;--crit:#b3261e;
--warn:#8a5300;--ok:#1e6b30}
*{box-sizing:border-box}
body{font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",system-ui,sans-serif;
color:var(--fg);background:var(--bg);margin:0}
header{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center;padding:.5em 1em;
border-bottom:1px solid var(--line)}
header a{color:var(--accent)}
.signout{margin-left:auto;display:flex;gap:.5em;align-items:center}
details{margin:.3em 0 .6em}summary{cursor:pointer;color:var(--accent);min-height:44px;
padding:.5em 0}
main{max-width:60em;margin:0 auto;padding:.5em 1em 3em}
h1{font-size:1.3em;margin:.5em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}
a{color:var(--accent)}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0a000;
outline-offset:2px}
button,input,select,textarea{font:inherit;min-height:44px}
button{padding:.4em 1em;border:1px solid var(--accent);background:var(--accent);color:#fff;
border-radius:6px;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
input,select,textarea{padding:.3em .5em;border:1px solid #767676;border-radius:4px;
max-width:100%}
label{display:block;font-weight:600;margin:.4em 0 .1em}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(10em,1fr));gap:.3em .8em;
align-items:end}
.tabs{display:flex;flex-wrap:wrap;gap:.3em;margin:.5em 0;padding:0;list-style:none}
.tabs a{display:inline-block;padding:.5em .8em;border:1px solid var(--line);border-radius:6px;
text-decoration:none;min-height:44px}
.tabs a[aria-current=page]{background:var(--accent);color:#fff;border-color:var(--accent)}
.incidents{list-style:none;padding:0;margin:0}
.incidents li{border-bottom:1px solid var(--line);padding:.6em 0}
.incidents a.title{font-weight:600}
.silences{list-style:none;padding:0;margin:0}.silences li{border-bottom:1px solid var(--line);
padding:.6em 0}.silences pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}
.meta{color:var(--muted);font-size:.9em}
.badge{display:inline-block;padding:0 .4em;border-radius:4px;font-size:.85em;font-weight:700;
border:1px solid currentColor}
.critical{color:var(--crit)}.warning{color:var(--warn)}.info{color:var(--muted)}
.flash{padding:.6em 1em;border-left:4px solid var(--ok);background:#eef7ee;margin:.5em 0}
.flash.error{border-color:var(--crit);background:#fbeaea}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em .4em;
border-bottom:1px solid var(--line);vertical-align:top}
.scroll{overflow-x:auto}
.actions form{border:1px solid var(--line);border-radius:6px;padding:.6em;margin:.6em 0}
.actions textarea,.actions input:not([type=hidden]),.actions select{width:100%}
.actions button{display:block;margin-top:.5em}
td{overflow-wrap:anywhere}
blockquote{margin:.2em 0;padding-left:.6em;border-left:3px solid var(--line)}
.evidence li{margin:.4em 0}
.sr{position:absolute;left:-9999px}
@media (min-width:48em){.cols{display:grid;grid-template-columns:1fr 1fr;gap:0 2em}}
"""

# Live countdowns, and (on the list) polling the rows: no build step, no library.
_SCRIPT = """
function fmt(s){s=Math.abs(Math.round(s));var h=Math.floor(s/3600),m=Math.floor(s%3600/60),
x=s%60;return (h?h+'h ':'')+(h||m?m+'m ':'')+x+'s';}
function tick(){document.querySelectorAll('.countdown').forEach(function(el){
var left=(Date.parse(el.dataset.deadline)-Date.now())/1000;
var t=el.querySelector('.left');if(!t){t=document.createElement('span');t.className='left';
el.appendChild(t);}t.textContent=' ('+(left>=0?el.dataset.left+' ':el.dataset.over+' ')
+fmt(left)+')';});}
tick();setInterval(tick,1000);
var live=document.querySelector('[data-poll]');
if(live){setInterval(function(){if(document.hidden)return;
fetch(live.dataset.poll,{credentials:'same-origin'}).then(function(r){return r.ok?r.json():null})
.then(function(d){if(!d)return;if(live.innerHTML!==d.rows){live.innerHTML=d.rows;}
for(var k in d.counts){var c=document.getElementById('count-'+k);if(c)c.textContent=d.counts[k];}
var s=document.getElementById('updated');if(s)s.textContent=d.updated;tick();});},5000);}
"""


def shell(request: web.Request, w: Words, title: str, body: str, status: int = 200) -> web.Response:
    other = "en" if w.lang == "zh" else "zh"
    switch = href(request.path, **{**request.query, "lang": other})
    page = (
        f'<!doctype html><html lang="{w.html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{e(title)} · {e(w("title"))}</title>'
        f"<style>{_STYLE}</style></head><body>"
        f'<header><strong>{e(w("title"))}</strong><nav aria-label="{e(w("title"))}">'
        f'<a href="/">{e(w("incidents"))}</a> · <a href="/duty">{e(w("duty"))}</a> · '
        f'<a href="/silences">{e(w("silences"))}</a></nav>'
        f'<a href="{switch}" lang="{"en" if other == "en" else "zh-CN"}">{e(w("switch"))}</a>'
        f"{_who(request, w)}</header><main><h1>{e(title)}</h1>{body}</main>"
        f"<script>{_SCRIPT}</script></body></html>"
    )
    response = web.Response(
        status=status,
        text=page,
        content_type="text/html",
        charset="utf-8",
        # An ack link's URL is its token: other sites must not see it as a referrer. Within
        # the console the browser sends its origin with each form (no-referrer would not).
        headers={"Cache-Control": "no-store", "Referrer-Policy": "same-origin"},
    )
    remember(request, response)
    return response


def _who(request: web.Request, w: Words) -> str:
    """The signed-in user and a sign-out button (a POST with the session's CSRF token: a
    link elsewhere cannot sign anyone out)."""
    user = current_user(request)
    if user is None:
        return ""
    return (
        f'<form class="signout" method="post" action="/logout"><span>{e(user.label)}</span>'
        f'<input type="hidden" name="csrf" value="{e(csrf_token(request))}">'
        f'<button type="submit" class="secondary">{e(w("sign_out"))}</button></form>'
    )


def flash(text: str, error: bool = False) -> str:
    cls = "flash error" if error else "flash"
    return f'<p class="{cls}" role="status">{e(text)}</p>'


def refuse(request: web.Request, w: Words) -> web.Response:
    return shell(request, w, w("forbidden"), f"<p>{e(w('forbidden_text'))}</p>", status=403)


Page = Callable[[web.Request, User, Words], Awaitable[web.StreamResponse]]


def guarded(permission: Permission) -> Callable[[Page], Handler]:
    """The handler runs with the signed-in user, or answers 403: no user (the sign-in
    middleware redirects those first), or a role without ``permission``."""

    def wrap(fn: Page) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            w = Words(lang_of(request))
            user = current_user(request)
            if user is None or not may(user, permission):
                return refuse(request, w)
            return await fn(request, user, w)

        handler.__name__ = fn.__name__
        handler.__doc__ = fn.__doc__
        return handler

    return wrap
