"""Everything the web layer needs to let people in: accounts, sessions, login throttles, and
the cookie rules, bundled so ``make_app`` takes one argument."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from argon2 import PasswordHasher
from sqlalchemy import Engine

from alerts.auth.accounts import Accounts
from alerts.auth.config import AuthSettings
from alerts.auth.sessions import Sessions
from alerts.auth.throttle import Throttle
from alerts.clock import Clock, utcnow

SESSION_COOKIE = "cxpulse_session"
# Set by the login form before anyone is signed in; the form echoes it (double submit), so a
# page elsewhere cannot sign a browser in to an account of its choosing (login CSRF).
LOGIN_COOKIE = "cxpulse_login"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Access:
    accounts: Accounts
    sessions: Sessions
    settings: AuthSettings
    by_name: Throttle
    by_ip: Throttle

    @classmethod
    def open(
        cls,
        engine: Engine,
        settings: AuthSettings | None = None,
        *,
        hasher: PasswordHasher | None = None,
        clock: Clock = utcnow,
    ) -> Access:
        """On the alerts database's engine (its migrations create the tables)."""
        cfg = settings or AuthSettings()
        return cls(
            accounts=Accounts(engine, hasher=hasher, clock=clock),
            sessions=Sessions(engine, cfg, clock),
            settings=cfg,
            by_name=Throttle(cfg.login_failures_per_name, cfg.login_window),
            by_ip=Throttle(cfg.login_failures_per_ip, cfg.login_window),
        )

    def secure(self, request: web.Request) -> bool:
        """Whether cookies get the Secure flag: the request came over TLS, or a proxy in
        front terminates TLS (``behind_tls``)."""
        return request.secure or self.settings.behind_tls

    def client_ip(self, request: web.Request) -> str:
        """The address login failures are counted against."""
        header = self.settings.client_ip_header
        if header:
            last = request.headers.get(header, "").split(",")[-1].strip()
            if last:
                return last[:64]
        return request.remote or "unknown"

    def set_session(self, response: web.StreamResponse, request: web.Request, sid: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            sid,
            max_age=int(self.settings.session_max),
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self.secure(request),
        )


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only. ``//host``, ``/\\host`` (browsers
    read a backslash as a slash), ``http:...`` and anything with a host or control characters
    fall back to the start page."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target
