"""``GET /login``, ``POST /login`` and ``POST /logout``: the sign-in page of the console.

Chinese by default, ``?lang=en`` for English; one column that fits a 360-px phone, every input
labelled, 16-px inputs (phones zoom into smaller ones). The form carries a token bound to a
pre-login cookie (double submit), and a POST whose ``Origin`` names another site is refused, so
another page can neither post guesses through a victim's browser nor sign it in to an account
of its choosing. Failures are counted per login name and per client address
(``alerts.auth.throttle``): past the limit the answer is 429 with ``Retry-After``, before any
password is checked. Passwords are never logged; a failed login's name only when it exists
(an unknown "name" may be a password typed in the wrong box).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import secrets
from typing import Literal
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from alerts.auth.access import LOGIN_COOKIE, SESSION_COOKIE, Access, safe_next
from alerts.auth.identity import CSRF_FIELD, User, current_user

log = logging.getLogger("alerts.auth")

ACCESS: web.AppKey[Access] = web.AppKey("access")
Lang = Literal["zh", "en"]

TEXT: dict[Lang, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "登录 cxpulse 值班控制台",
        "name": "用户名",
        "password": "密码",
        "submit": "登录",
        "other": "English",
        "other_lang": "en",
        "wrong": "用户名或密码错误。",
        "throttled": "失败次数过多，请 {s} 秒后再试。",
        "stale": "登录页已过期，请重新输入。",
        "forbidden": "无权执行此操作",
        "forbidden_body": "您的角色（{role}）只能查看，不能执行此操作。"
        "如需处理告警，请联系管理员。",
        "signed_out": "需要登录",
        "signed_out_body": "会话已过期或未登录，请重新登录。",
        "csrf": "请求被拒绝",
        "csrf_body": "表单已失效（缺少或错误的校验码），请刷新页面后重试。",
        "login": "去登录",
    },
    "en": {
        "html_lang": "en",
        "title": "Sign in to the cxpulse duty console",
        "name": "Login",
        "password": "Password",
        "submit": "Sign in",
        "other": "中文",
        "other_lang": "zh",
        "wrong": "Wrong login or password.",
        "throttled": "Too many failed attempts; try again in {s} s.",
        "stale": "The sign-in page expired; please enter your details again.",
        "forbidden": "Not allowed",
        "forbidden_body": "Your role ({role}) may look but not act. Ask an admin if you need to "
        "handle alerts.",
        "signed_out": "Sign-in needed",
        "signed_out_body": "Your session has ended or you are not signed in.",
        "csrf": "Request refused",
        "csrf_body": "The form is stale (its check token is missing or wrong); reload the page "
        "and try again.",
        "login": "Sign in",
    },
}

_STYLE = """*{box-sizing:border-box}
body{font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;
padding:1.5rem 1rem;color:#1a1a1a;background:#f3f4f6}
main{max-width:24rem;margin:0 auto;background:#fff;padding:1.25rem;border-radius:8px}
h1{font-size:1.25rem;margin:0 0 1rem}label{display:block;margin:1rem 0 .25rem;font-weight:600}
input{width:100%;font-size:16px;padding:.65rem;border:1px solid #6b7280;border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #1d4ed8;outline-offset:2px}
button{width:100%;margin-top:1.5rem;font-size:1rem;padding:.75rem;color:#fff;
background:#1d4ed8;border:0;border-radius:4px;cursor:pointer}
.err{color:#b91c1c;font-weight:600}a{color:#1d4ed8}"""

_HEADERS = {
    "Cache-Control": "no-store",
    # Not no-referrer: under it browsers send "Origin: null" with the form's own POST, which
    # the same-origin check must refuse. same-origin still tells other sites nothing.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def lang_of(request: web.Request) -> Lang:
    return "en" if request.query.get("lang") == "en" else "zh"


def page(status: int, lang: Lang, title: str, body: str) -> web.Response:
    """A small complete page; ``body`` is HTML the caller escaped."""
    text = (
        f'<!doctype html><html lang="{TEXT[lang]["html_lang"]}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>{html.escape(title)}</h1>{body}"
        "</main></body></html>"
    )
    return web.Response(
        status=status, text=text, content_type="text/html", charset="utf-8", headers=_HEADERS
    )


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


def login_url(request: web.Request) -> str:
    """The sign-in page that brings the user back to this request's page afterwards."""
    query = {"next": request.path_qs}
    if request.query.get("lang") == "en":
        query["lang"] = "en"
    return "/login?" + urlencode(query)


def message(request: web.Request, status: int, key: str, **values: str) -> web.Response:
    """One of the refusals above as a page: ``key`` names its title; ``key_body`` its text."""
    t = TEXT[lang_of(request)]
    body = f"<p>{html.escape(t[key + '_body'].format(**values))}</p>"
    if status == 401:  # a refused form post: its URL is no page to come back to
        where = "/login?lang=en" if lang_of(request) == "en" else "/login"
        body += f'<p><a href="{where}">{t["login"]}</a></p>'
    return page(status, lang_of(request), t[key], body)


def forbidden(request: web.Request, user: User) -> web.HTTPForbidden:
    done = message(request, 403, "forbidden", role=user.role)
    return web.HTTPForbidden(text=done.text, content_type="text/html", headers=_HEADERS)


def _form(
    lang: Lang, token: str, target: str, name: str = "", error: str = "", status: int = 200
) -> web.Response:
    t = TEXT[lang]
    e = html.escape
    other = "/login?" + urlencode({"lang": t["other_lang"], "next": target})
    body = (
        (f'<p class="err" role="alert">{e(error)}</p>' if error else "")
        + '<form method="post" action="/login">'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{e(token)}">'
        f'<input type="hidden" name="next" value="{e(target)}">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<label for="name">{t["name"]}</label>'
        f'<input id="name" name="name" value="{e(name)}" autocomplete="username" '
        'autocapitalize="none" spellcheck="false" maxlength="100" required autofocus>'
        f'<label for="password">{t["password"]}</label>'
        '<input id="password" name="password" type="password" '
        'autocomplete="current-password" maxlength="1024" required>'
        f'<button type="submit">{t["submit"]}</button></form>'
        f'<p><a href="{e(other)}" lang="{t["other_lang"]}">{t["other"]}</a></p>'
    )
    return page(status, lang, t["title"], body)


def _with_login_cookie(request: web.Request) -> tuple[str, bool]:
    """The pre-login token of this browser, and whether it is new (to be set as a cookie)."""
    token = request.cookies.get(LOGIN_COOKIE, "")
    if 20 <= len(token) <= 100:
        return token, False
    return secrets.token_urlsafe(32), True


def _answer(
    request: web.Request, access: Access, response: web.Response, token: str, new: bool
) -> web.Response:
    if new:
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            path="/login",
            httponly=True,
            samesite="Strict",
            secure=access.secure(request),
        )
    return response


async def login_form(request: web.Request) -> web.Response:
    access = request.app[ACCESS]
    token, new = _with_login_cookie(request)
    target = safe_next(request.query.get("next"))
    return _answer(request, access, _form(lang_of(request), token, target), token, new)


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # older browsers and non-browser clients send none
        return True
    return origin != "null" and urlsplit(origin).netloc == request.host


async def login(request: web.Request) -> web.StreamResponse:
    access = request.app[ACCESS]
    form = await request.post()
    lang: Lang = "en" if form.get("lang") == "en" else "zh"
    t = TEXT[lang]
    target = safe_next(str(form.get("next", "")))
    name = str(form.get("name", "")).strip()[:100]
    password = str(form.get("password", ""))
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    token, new = _with_login_cookie(request)
    presented = str(form.get(CSRF_FIELD, ""))
    if (
        not _same_origin(request)
        or not cookie
        or not hmac.compare_digest(presented.encode(), cookie.encode())
    ):
        log.info("login: refused a form without its token from %s", access.client_ip(request))
        stale = _form(lang, token, target, name, t["stale"], status=403)
        return _answer(request, access, stale, token, new)
    address = access.client_ip(request)
    ip = f"ip:{address}"
    key = f"name:{name.lower()}"
    wait = access.by_name.retry_after(key) or access.by_ip.retry_after(ip)
    if wait is not None:
        shown = await asyncio.to_thread(_shown, access, name)
        log.warning("login: throttled %s from %s", shown, address)
        refused = _form(lang, token, target, name, t["throttled"].format(s=wait), status=429)
        refused.headers["Retry-After"] = str(wait)
        return refused
    # Counted as a failure before the check, taken back if right: a burst of parallel guesses
    # would otherwise all pass the limit while the first ones are still being hashed.
    access.by_name.fail(key)
    access.by_ip.fail(ip)
    user = await asyncio.to_thread(access.accounts.authenticate, name, password)
    if user is None:
        shown = await asyncio.to_thread(_shown, access, name)
        log.warning("login: failed for %s from %s", shown, address)
        return _form(lang, token, target, name, t["wrong"], status=401)
    access.by_name.clear(key)
    access.by_ip.forgive(ip)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await asyncio.to_thread(access.sessions.end, old)
    sid, _ = await asyncio.to_thread(access.sessions.start, user.name)
    log.info("login: %s (%s) signed in from %s", user.name, user.role, address)
    done = see_other(target)
    access.set_session(done, request, sid)
    done.del_cookie(LOGIN_COOKIE, path="/login")
    return done


def _shown(access: Access, name: str) -> str:
    return repr(name) if access.accounts.get(name) is not None else "an unknown login"


async def logout(request: web.Request) -> web.StreamResponse:
    """Ends the session (the middleware has checked it and its CSRF token)."""
    access = request.app[ACCESS]
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        await asyncio.to_thread(access.sessions.end, sid)
    user = current_user(request)
    if user is not None:
        log.info("login: %s signed out", user.name)
    done = see_other("/login")
    done.del_cookie(SESSION_COOKIE, path="/")
    return done
