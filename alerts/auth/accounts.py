"""User accounts (argon2id password hashes) and the machine clients' API tokens.

Synchronous, one short transaction per call, on the alerts database's engine; the web layer
calls it from a thread. A login name that does not exist still costs one hash verification,
so the answer time does not tell which names exist.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from alerts.auth.identity import ROLES, Role, User
from alerts.clock import Clock, utcnow
from alerts.db.rows import _table
from alerts.db.tables import ApiTokenRow, SessionRow, UserRow

USERS = _table(UserRow)
TOKENS = _table(ApiTokenRow)
SESSIONS = _table(SessionRow)

MIN_PASSWORD = 10
# Hashing is the expensive step: a megabyte of "password" must not cost a core.
MAX_PASSWORD = 1024
_NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,99}")


class AccountError(ValueError):
    """A refused account change (duplicate name, short password, unknown user), said plainly."""


@dataclass(frozen=True)
class Account:
    name: str
    display: str
    role: Role
    disabled: bool
    created_at: datetime

    @property
    def user(self) -> User:
        return User(self.name, self.role, self.display)


@dataclass(frozen=True)
class ApiToken:
    name: str
    created_at: datetime
    revoked_at: datetime | None


def login_name(raw: str) -> str:
    """The canonical login: trimmed and lower-case, so "Wang.Li" and "wang.li" are one person."""
    return raw.strip().lower()


def token_hash(token: str) -> str:
    # A token is 32 random bytes: a fast hash is enough (nothing to brute-force), and it lets
    # the middleware look the token up by its hash.
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password may have at most {MAX_PASSWORD} characters")


def production_hasher() -> PasswordHasher:
    """argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet: 19 MiB, 2
    passes, 1 lane). argon2-cffi's default (RFC 9106 low-memory: 64 MiB, 3 passes, 4 lanes) took
    0.6 s a check on our 2 shared cores (``python -m bench.auth``), and the service shares them
    with the alert pipeline; a guessing run is held back by the login throttle instead."""
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class Accounts:
    """``hasher``: ``production_hasher()`` unless given (tests pass a cheap one)."""

    def __init__(
        self, engine: Engine, *, hasher: PasswordHasher | None = None, clock: Clock = utcnow
    ) -> None:
        self.engine = engine
        self.clock = clock
        self._hasher = hasher or production_hasher()

    @cached_property
    def _decoy(self) -> str:
        # Verified against when the name is unknown: the same work as a real account's check.
        return self._hasher.hash(secrets.token_urlsafe(16))

    # --- users ----------------------------------------------------------------------------
    def add_user(self, name: str, password: str, role: Role, display: str = "") -> Account:
        login = login_name(name)
        if not _NAME.fullmatch(login):
            raise AccountError(
                "a login is 1-100 of a-z 0-9 . _ @ - and starts with a letter or digit"
            )
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        check_password(password)
        row = {
            "name": login,
            "display": display.strip()[:200],
            "role": role,
            "password_hash": self._hasher.hash(password),
            "disabled": False,
            "created_at": self.clock(),
        }
        try:
            with self.engine.begin() as c:
                c.execute(insert(USERS).values(**row))
        except IntegrityError:  # the primary key: also when two adds race
            raise AccountError(f"user {login!r} exists already") from None
        return _account(row)

    def users(self) -> list[Account]:
        with self.engine.connect() as c:
            rows = c.execute(select(USERS).order_by(USERS.c.name)).mappings().all()
        return [_account(r) for r in rows]

    def get(self, name: str) -> Account | None:
        with self.engine.connect() as c:
            row = c.execute(select(USERS).where(USERS.c.name == login_name(name))).mappings()
            found = row.first()
        return _account(found) if found else None

    def disable(self, name: str) -> None:
        """Refuse the user's logins from now on and end their sessions at once."""
        login = login_name(name)
        with self.engine.begin() as c:
            done = c.execute(update(USERS).where(USERS.c.name == login).values(disabled=True))
            if done.rowcount != 1:
                raise AccountError(f"no user {login!r}")
            c.execute(delete(SESSIONS).where(SESSIONS.c.user_name == login))

    def set_password(self, name: str, password: str) -> None:
        """A new password ends every session of the user (one may be an intruder's)."""
        check_password(password)
        login = login_name(name)
        hashed = self._hasher.hash(password)
        with self.engine.begin() as c:
            done = c.execute(
                update(USERS).where(USERS.c.name == login).values(password_hash=hashed)
            )
            if done.rowcount != 1:
                raise AccountError(f"no user {login!r}")
            c.execute(delete(SESSIONS).where(SESSIONS.c.user_name == login))

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is theirs and the account is enabled, else None. Upgrades
        the stored hash when the hasher's parameters have grown since it was made."""
        login = login_name(name)
        if len(password) > MAX_PASSWORD:
            return None
        with self.engine.connect() as c:
            found = c.execute(select(USERS).where(USERS.c.name == login)).mappings().first()
        stored = str(found["password_hash"]) if found else self._decoy
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if found is None or found["disabled"]:
            return None
        if self._hasher.check_needs_rehash(stored):
            with self.engine.begin() as c:
                c.execute(
                    update(USERS)
                    .where(USERS.c.name == login, USERS.c.password_hash == stored)
                    .values(password_hash=self._hasher.hash(password))
                )
        return _account(found).user

    # --- machine tokens -------------------------------------------------------------------
    def add_token(self, name: str, *, token_factory: Callable[[], str] | None = None) -> str:
        """A new bearer token for client ``name`` (replacing a revoked one of that name).
        Returned once; only its hash is stored."""
        client = login_name(name)
        if not _NAME.fullmatch(client):
            raise AccountError("a client name is 1-100 of a-z 0-9 . _ @ -")
        token = (token_factory or (lambda: secrets.token_urlsafe(32)))()
        row = {"token_hash": token_hash(token), "created_at": self.clock(), "revoked_at": None}
        taken = AccountError(f"client {client!r} has a token; revoke it first")
        try:
            with self.engine.begin() as c:
                # A revoked token's row is reused; a live one is never replaced.
                again = c.execute(
                    update(TOKENS)
                    .where(TOKENS.c.name == client, TOKENS.c.revoked_at.is_not(None))
                    .values(**row)
                )
                if again.rowcount == 0:
                    c.execute(insert(TOKENS).values(name=client, **row))
        except IntegrityError:  # a live token of that name, or two adds racing
            raise taken from None
        return token

    def tokens(self) -> list[ApiToken]:
        with self.engine.connect() as c:
            rows = c.execute(select(TOKENS).order_by(TOKENS.c.name)).mappings().all()
        return [ApiToken(r["name"], r["created_at"], r["revoked_at"]) for r in rows]

    def revoke_token(self, name: str) -> None:
        client = login_name(name)
        with self.engine.begin() as c:
            done = c.execute(
                update(TOKENS)
                .where(TOKENS.c.name == client, TOKENS.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
        if done.rowcount != 1:
            raise AccountError(f"no live token for client {client!r}")

    def token_client(self, token: str) -> str | None:
        """The client a presented bearer token belongs to, if it is live."""
        q = select(TOKENS.c.name).where(
            TOKENS.c.token_hash == token_hash(token), TOKENS.c.revoked_at.is_(None)
        )
        with self.engine.connect() as c:
            name = c.execute(q).scalar()
        return str(name) if name is not None else None


def _account(row: object) -> Account:
    r = cast(dict[str, object], row)
    return Account(
        name=str(r["name"]),
        display=str(r["display"]),
        role=cast(Role, r["role"]),
        disabled=bool(r["disabled"]),
        created_at=cast(datetime, r["created_at"]),
    )
