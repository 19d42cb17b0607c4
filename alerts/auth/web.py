"""The gate in front of every route of the alerts service.

- Public routes (the app's list: health, metrics, the signed ack link; the sign-in page; static
  files) need nothing.
- ``/api/*`` needs ``Authorization: Bearer <token>``: a token from the configuration
  (``alerts.token``/``tokens``) or a live one made by ``cxpulse alerts token add`` (kept
  hashed). The token's client name is the request's ``CALLER``, the default actor of a change.
- Everything else needs a browser session (``alerts.auth.sessions``): without one a GET is sent
  to ``/login?next=<path>`` (303) and anything else gets 401. With one, ``USER``, ``CSRF`` and
  ``CALLER`` (the user's name) are set, and every unsafe method must echo the session's CSRF
  token in the form field ``csrf`` or the ``X-CSRF-Token`` header, else 403.

Without an ``Access`` (no accounts configured) every non-public route needs the bearer token.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from alerts.auth.access import SAFE_METHODS, SESSION_COOKIE, Access
from alerts.auth.identity import (
    CALLER,
    CSRF,
    CSRF_FIELD,
    CSRF_HEADER,
    USER,
    Permission,
    User,
    current_user,
    may,
)
from alerts.auth.login import (
    ACCESS,
    forbidden,
    login,
    login_form,
    login_url,
    logout,
    message,
    see_other,
)
from alerts.auth.sessions import Session

log = logging.getLogger("alerts.auth")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REALM = 'Bearer realm="cxpulse"'
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_SIGN_IN = frozenset({login_form, login})


def add_login_routes(app: web.Application, access: Access) -> None:
    app[ACCESS] = access
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)


def require(request: web.Request, permission: Permission) -> User:
    """The signed-in user if they may do ``permission``; else a sign-in redirect (GET without a
    session), 401, or a 403 page that says the role may not."""
    user = current_user(request)
    if user is None:
        if request.method in SAFE_METHODS:
            raise web.HTTPSeeOther(login_url(request))
        raise web.HTTPUnauthorized(text="sign in first", headers={"Cache-Control": "no-store"})
    if not may(user, permission):
        raise forbidden(request, user)
    return user


def _digest(token: str) -> bytes:
    # Comparing fixed-length digests: the comparison time says nothing about the token length.
    return hashlib.sha256(token.encode()).digest()


def _json_error(status: int, text: str, **headers: str) -> web.Response:
    body = json.dumps({"error": text}, ensure_ascii=False)
    return web.json_response(text=body, status=status, headers=headers or None)


def _is_public(request: web.Request, public: frozenset[Any]) -> bool:
    info = request.match_info
    if info.handler in public or info.handler in _SIGN_IN:
        return True
    route = info.route
    return route is not None and isinstance(route.resource, web.StaticResource)


async def _session_of(request: web.Request, access: Access) -> Session | None:
    """The live session the request's cookie names, if any."""
    sid = request.cookies.get(SESSION_COOKIE, "")
    return await asyncio.to_thread(access.sessions.lookup, sid) if sid else None


def _sign_in(request: web.Request, found: Session) -> None:
    request[USER] = found.user
    request[CSRF] = found.csrf
    request[CALLER] = found.user.name


def auth_middleware(
    tokens: Mapping[str, str],
    public: frozenset[Any],
    access: Access | None = None,
    *,
    sessions_read_by: frozenset[Any] | set[Any] = frozenset(),
) -> Any:
    """``tokens``: client name -> bearer token from the configuration. ``public``: the handlers
    that need nothing. ``sessions_read_by``: public handlers that still name the signed-in
    user when there is one (the ack link: its signature authorises, the session only says who
    acted)."""
    known = [(name, _digest(tok)) for name, tok in tokens.items() if tok]

    async def bearer(request: web.Request, handler: Handler) -> web.StreamResponse:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        presented = presented.strip()
        if scheme.lower() != "bearer" or not presented:
            return _json_error(401, "missing bearer token", **{"WWW-Authenticate": REALM})
        got = _digest(presented)
        caller = None
        for name, want in known:  # no early exit: every token is compared every time
            if hmac.compare_digest(got, want) and caller is None:
                caller = name
        if caller is None and access is not None:
            # Looked up by the token's hash (an index): the timing tells nothing of a token.
            caller = await asyncio.to_thread(access.accounts.token_client, presented)
        if caller is None:
            log.info("api: refused a bearer token from %s", request.remote)
            value = f'{REALM}, error="invalid_token"'
            return _json_error(401, "invalid bearer token", **{"WWW-Authenticate": value})
        request[CALLER] = caller
        return await handler(request)

    async def session(request: web.Request, handler: Handler, gate: Access) -> web.StreamResponse:
        found = await _session_of(request, gate)
        if found is None:
            if request.method in SAFE_METHODS:
                return see_other(login_url(request))
            return message(request, 401, "signed_out")
        if request.method not in SAFE_METHODS:
            presented = request.headers.get(CSRF_HEADER, "")
            if not presented and request.content_type in _FORMS:
                presented = str((await request.post()).get(CSRF_FIELD, ""))
            if not hmac.compare_digest(presented.encode(), found.csrf.encode()):
                log.info("auth: refused a %s without its CSRF token", request.method)
                return message(request, 403, "csrf")
        _sign_in(request, found)
        return await handler(request)

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        # Deny by default: only listed routes skip authentication, whatever the path looks
        # like (an unknown path is refused too, not a map of what exists).
        if _is_public(request, public):
            if access is not None and request.match_info.handler in sessions_read_by:
                found = await _session_of(request, access)
                if found is not None:
                    _sign_in(request, found)
            return await handler(request)
        if access is None or request.path == "/api" or request.path.startswith("/api/"):
            return await bearer(request, handler)
        return await session(request, handler, access)

    return auth
