"""Browser sessions in the alerts database, so every replica of the service knows them.

A session id is 32 random bytes in an HttpOnly cookie; the table keeps its SHA-256 only. Each
lookup re-reads the user, so disabling an account or changing its role takes effect on the
next request. Sessions end after ``session_idle`` without a request and ``session_max`` in any
case (``alerts.auth.config``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, RowMapping, delete, insert, select, update

from alerts.auth.accounts import SESSIONS, USERS, token_hash
from alerts.auth.config import AuthSettings
from alerts.auth.identity import Role, User
from alerts.clock import Clock, utcnow

# last_seen is written at most this often per session: a page that polls every few seconds
# should not turn each read into a write. The idle lifetime is therefore up to this much longer.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str  # what every unsafe request of this session must echo


class Sessions:
    def __init__(
        self, engine: Engine, settings: AuthSettings | None = None, clock: Clock = utcnow
    ) -> None:
        self.engine = engine
        self.clock = clock
        cfg = settings or AuthSettings()
        self.idle = timedelta(seconds=cfg.session_idle)
        self.max = timedelta(seconds=cfg.session_max)

    def start(self, user_name: str) -> tuple[str, Session]:
        """A new session for an authenticated user: (the cookie's value, the session). The
        id is always fresh, so an id planted before login is worth nothing after it."""
        sid = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as c:
            c.execute(delete(SESSIONS).where(SESSIONS.c.expires_at <= now))  # keep it small
            c.execute(
                insert(SESSIONS).values(
                    id_hash=token_hash(sid),
                    user_name=user_name,
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + self.max,
                    last_seen=now,
                )
            )
            row = c.execute(select(USERS).where(USERS.c.name == user_name)).mappings().one()
        return sid, Session(_user(row), csrf)

    def lookup(self, sid: str) -> Session | None:
        """The live session with this id of an enabled user, or None."""
        if not sid or len(sid) > 200:
            return None
        now = self.clock()
        key = token_hash(sid)
        q = (
            select(SESSIONS.c.csrf, SESSIONS.c.expires_at, SESSIONS.c.last_seen, USERS)
            .join(USERS, USERS.c.name == SESSIONS.c.user_name)
            .where(SESSIONS.c.id_hash == key)
        )
        with self.engine.connect() as c:
            row = c.execute(q).mappings().first()
        if row is None or row["disabled"]:
            return None
        if now >= row["expires_at"] or now >= row["last_seen"] + self.idle:
            self.end(sid)
            return None
        if now - row["last_seen"] >= TOUCH_EVERY:
            with self.engine.begin() as c:
                c.execute(update(SESSIONS).where(SESSIONS.c.id_hash == key).values(last_seen=now))
        return Session(_user(row), str(row["csrf"]))

    def end(self, sid: str) -> None:
        with self.engine.begin() as c:
            c.execute(delete(SESSIONS).where(SESSIONS.c.id_hash == token_hash(sid)))


def _user(row: RowMapping) -> User:
    role: Role = row["role"]
    return User(name=str(row["name"]), role=role, display=str(row["display"]))
