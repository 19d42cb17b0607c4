"""Accounts, tokens and sessions on a real PostgreSQL: the SQLite tests of
``tests/unit/test_auth_accounts.py`` with this module's ``store``, plus two concurrent adds."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from alerts.auth.accounts import AccountError, Accounts
from alerts.db import SqlStore
from tests.auth_helpers import CHEAP
from tests.integration.pg_fixture import (  # noqa: F401  (pg_url, postgres: fixtures)
    pg_url,
    postgres,
)
from tests.unit.test_auth_accounts import (  # noqa: F401  (collected here, on PostgreSQL)
    PW,
    accounts,
    test_a_session_of_a_user_disabled_behind_its_back_is_refused,
    test_api_token_is_hashed_at_rest_and_revocable,
    test_new_password_works_and_the_old_one_does_not,
    test_password_is_stored_as_an_argon2id_hash_and_verifies,
    test_session_ids_are_stored_hashed,
    test_short_password_duplicate_name_and_bad_role_are_refused,
    test_wrong_password_unknown_user_and_disabled_user_are_refused,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(pg_url: str) -> Iterator[SqlStore]:  # noqa: F811  (the fixture, not the import)
    s = SqlStore(pg_url)
    yield s
    s.close()


def test_two_concurrent_adds_of_one_name_make_one_user(store: SqlStore) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def add() -> None:
        start.wait()
        try:
            Accounts(store.engine, hasher=CHEAP).add_user("same", PW, "duty")
            outcomes.append("added")
        except AccountError:
            outcomes.append("refused")

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["added", "refused"]


def test_two_concurrent_token_adds_of_one_client_make_one_token(store: SqlStore) -> None:
    made: list[str] = []
    start = threading.Barrier(2)

    def add() -> None:
        start.wait()
        try:
            made.append(Accounts(store.engine, hasher=CHEAP).add_token("grafana"))
        except AccountError:
            made.append("refused")

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert made.count("refused") == 1
    [token] = [t for t in made if t != "refused"]
    assert Accounts(store.engine, hasher=CHEAP).token_client(token) == "grafana"
