"""Accounts: argon2 hashes, login checks, and hashed machine tokens, on in-memory SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from alerts.auth.accounts import TOKENS, USERS, AccountError, Accounts, token_hash
from alerts.db import SqlStore
from tests.auth_helpers import CHEAP

PW = "correct horse battery"


@pytest.fixture
def store() -> Iterator[SqlStore]:
    s = SqlStore("sqlite://")
    yield s
    s.close()


@pytest.fixture
def accounts(store: SqlStore) -> Accounts:
    return Accounts(store.engine, hasher=CHEAP)


def test_password_is_stored_as_an_argon2id_hash_and_verifies(accounts: Accounts) -> None:
    accounts.add_user("Wang.Li", PW, "duty", "王丽")
    with accounts.engine.connect() as c:
        stored = c.execute(select(USERS.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PW not in stored
    user = accounts.authenticate(" wang.li ", PW)
    assert user is not None and (user.name, user.role, user.label) == ("wang.li", "duty", "王丽")


def test_wrong_password_unknown_user_and_disabled_user_are_refused(accounts: Accounts) -> None:
    accounts.add_user("ops", PW, "admin")
    assert accounts.authenticate("ops", PW + "x") is None
    assert accounts.authenticate("nobody", PW) is None
    accounts.disable("ops")
    assert accounts.authenticate("ops", PW) is None
    assert [a.disabled for a in accounts.users()] == [True]


class Counting(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified: list[str | bytes] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified.append(hash)
        return super().verify(hash, password)


def test_unknown_user_costs_a_hash_verification(store: SqlStore) -> None:
    hasher = Counting()
    Accounts(store.engine, hasher=hasher).authenticate("nobody", PW)
    assert len(hasher.verified) == 1 and str(hasher.verified[0]).startswith("$argon2id$")


def test_short_password_duplicate_name_and_bad_role_are_refused(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="at least 10"):
        accounts.add_user("a", "short", "viewer")
    accounts.add_user("a", PW, "viewer")
    with pytest.raises(AccountError, match="exists"):
        accounts.add_user("A", PW, "viewer")
    with pytest.raises(AccountError, match="role"):
        accounts.add_user("b", PW, "root")  # type: ignore[arg-type]
    with pytest.raises(AccountError, match="no user"):
        accounts.disable("ghost")


def test_weaker_hash_is_upgraded_at_the_next_login(store: SqlStore) -> None:
    Accounts(store.engine, hasher=CHEAP).add_user("a", PW, "viewer")
    stronger = Accounts(store.engine, hasher=PasswordHasher(time_cost=2, memory_cost=1024))
    assert stronger.authenticate("a", PW) is not None
    with store.engine.connect() as c:
        assert "t=2" in c.execute(select(USERS.c.password_hash)).scalar_one()


def test_new_password_works_and_the_old_one_does_not(accounts: Accounts) -> None:
    accounts.add_user("a", PW, "viewer")
    accounts.set_password("a", "another long one")
    assert accounts.authenticate("a", PW) is None
    assert accounts.authenticate("a", "another long one") is not None


def test_api_token_is_hashed_at_rest_and_revocable(accounts: Accounts) -> None:
    token = accounts.add_token("grafana")
    assert len(token) >= 40  # 32 random bytes, URL-safe base64
    with accounts.engine.connect() as c:
        assert c.execute(select(TOKENS.c.token_hash)).scalar_one() == token_hash(token)
        assert token not in repr(c.execute(select(TOKENS)).all())
    assert accounts.token_client(token) == "grafana"
    assert accounts.token_client(token + "x") is None
    with pytest.raises(AccountError, match="revoke it first"):
        accounts.add_token("grafana")
    accounts.revoke_token("grafana")
    assert accounts.token_client(token) is None
    assert accounts.tokens()[0].revoked_at is not None
    again = accounts.add_token("grafana")
    assert accounts.token_client(again) == "grafana" and accounts.token_client(token) is None


def test_a_session_of_a_user_disabled_behind_its_back_is_refused(store: SqlStore) -> None:
    from sqlalchemy import update

    from alerts.auth.sessions import Sessions

    Accounts(store.engine, hasher=CHEAP).add_user("a", PW, "duty")
    sessions = Sessions(store.engine)
    sid, started = sessions.start("a")
    assert sessions.lookup(sid) == started and len(started.csrf) >= 40
    with store.engine.begin() as c:  # not through Accounts.disable, which ends sessions too
        c.execute(update(USERS).values(disabled=True))
    assert sessions.lookup(sid) is None
    assert sessions.lookup("") is None and sessions.lookup("x" * 500) is None


def test_session_ids_are_stored_hashed(store: SqlStore) -> None:
    from alerts.auth.accounts import SESSIONS
    from alerts.auth.sessions import Sessions

    Accounts(store.engine, hasher=CHEAP).add_user("a", PW, "duty")
    sid, _ = Sessions(store.engine).start("a")
    with store.engine.connect() as c:
        assert c.execute(select(SESSIONS.c.id_hash)).scalar_one() == token_hash(sid)


def test_auth_settings_read_durations_and_refuse_nonsense() -> None:
    from pydantic import ValidationError

    from alerts.settings import AlertsSettings

    cfg = AlertsSettings.model_validate({"auth": {"session_idle": "30m", "behind_tls": True}})
    assert cfg.auth.session_idle == 1800 and cfg.auth.behind_tls
    assert AlertsSettings().auth.session_max == 14 * 3600
    for bad in ({"session_idle": 0}, {"login_failures_per_name": 0}, {"remember_me": True}):
        with pytest.raises(ValidationError):
            AlertsSettings.model_validate({"auth": bad})
