"""``alerts.db.SqlStore`` on a real PostgreSQL server (Debian's, started by ``pg_fixture``):
the same contract as on SQLite, the migrations against the models, and concurrent writers."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from alerts.db import SqlStore
from alerts.db.migrate import diff, head
from tests.integration.pg_fixture import (  # noqa: F401  (pg_url, postgres: fixtures)
    Postgres,
    pg_url,
    postgres,
)
from tests.unit.test_db import StoreContract, alert, at, item
from tests.unit.test_db_replicas import ReplicaContract
from tests.waiting import wait_for

pytestmark = pytest.mark.postgres
REPO = Path(__file__).parents[2]


class TestPostgres(StoreContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:  # noqa: F811  (the fixture, not the import)
        return pg_url


class TestPostgresReplicas(ReplicaContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:  # noqa: F811  (the fixture, not the import)
        return pg_url


def test_migrations_match_the_models(pg_url: str) -> None:  # noqa: F811
    store = SqlStore(pg_url)
    assert diff(store.engine) == []
    with store.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_alert_labels_name_value"))
    assert "ix_alert_labels_name_value" in repr(diff(store.engine))
    store.close()


def test_datetimes_come_back_in_utc_whatever_the_session_zone(
    postgres: Postgres,  # noqa: F811
    pg_url: str,  # noqa: F811
) -> None:
    store = SqlStore(pg_url)
    # A server or role set to Shanghai time must not shift or de-UTC the values.
    with store.engine.begin() as conn:
        db = conn.execute(text("SELECT current_database()")).scalar_one()
        conn.execute(text(f"ALTER DATABASE \"{db}\" SET timezone TO 'Asia/Shanghai'"))
    store.close()
    store = SqlStore(pg_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SHOW timezone")).scalar_one() == "Asia/Shanghai"
    store.save([alert("fp1")], [])
    got = store.get("fp1")
    assert got is not None and got.starts_at == at(0)
    assert got.starts_at.utcoffset() == timedelta(0)
    store.close()


def test_concurrent_first_upgrades_both_succeed(pg_url: str) -> None:  # noqa: F811
    """The worker and the API starting together on an empty database, as two processes: one
    migrates, the other waits on the advisory lock and then finds nothing to do."""
    code = (
        "import sys; from alerts.db import upgrade; print('ready', flush=True); "
        "sys.stdin.readline(); print(upgrade(sys.argv[1]))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, pg_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for _ in range(2)
    ]
    try:
        for p in procs:  # both have imported everything: release them together
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outs]
    assert [out.strip() for out, _ in outs] == [head(), head()]


def test_enqueue_waits_for_an_uncommitted_insert_of_the_same_key(pg_url: str) -> None:  # noqa: F811
    """A key inserted by another transaction that has not committed yet: ON CONFLICT makes our
    insert wait for it, then count nothing, instead of failing or inserting twice."""
    store = SqlStore(pg_url)
    other = store.engine.connect()
    tx = other.begin()
    other.execute(
        text(
            "INSERT INTO outbox (key, receiver, group_key, payload, created_at, due_at, state,"
            " attempts) VALUES ('k1', 'dingtalk', 'g', '{}', now(), now(), 'pending', 0)"
        )
    )
    got: list[int] = []
    t = threading.Thread(target=lambda: got.append(store.enqueue([item("k1"), item("k2")])))
    t.start()
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )

    def blocked() -> bool:
        # A new transaction each time: pg_stat_activity is a snapshot taken once per transaction.
        with store.engine.connect() as watch:
            return bool(watch.execute(waiting).scalar_one() == 1)

    try:
        wait_for(blocked, 30, "enqueue to wait for the lock")
        assert t.is_alive()
    finally:
        tx.commit()  # releases the thread whatever happened
        t.join(timeout=30)
    assert got == [1]
    assert sorted(i.key for i in store.outbox()) == ["k1", "k2"]
    other.close()
    store.close()
