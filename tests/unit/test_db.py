"""``alerts.db.SqlStore`` on SQLite: the store contract, plus the schema and migration checks.

``StoreContract`` is the behaviour every ``AlertStore`` must have; a backend's test class
inherits it and provides the ``url`` fixture (``tests/integration/test_db_postgres.py`` runs it
on a real PostgreSQL).
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from alerts.db import SqlStore, upgrade
from alerts.db.cli import add_db_parser
from alerts.db.migrate import diff, downgrade, head
from alerts.model import Alert, Change, Group, Matcher, OutboxItem, Silence

SHANGHAI = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def alert(fp: str, minutes: float = 0, store: str = "S001", **kw: object) -> Alert:
    base = Alert(
        fingerprint=fp,
        rule="csat_low",
        kind="satisfaction",
        severity="warning",
        labels={"store_id": store, "region": "east"},
        summary_zh=f"{store} 满意度下降",
        summary_en=f"{store} CSAT dropped",
        starts_at=at(minutes),
        last_seen=at(minutes),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def item(key: str, minutes: float = 0, receiver: str = "dingtalk", **kw: object) -> OutboxItem:
    base = OutboxItem(
        key=key,
        receiver=receiver,
        group_key=f"g-{receiver}",
        payload='{"text": "告警"}',
        created_at=at(minutes),
        due_at=at(minutes),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


class StoreContract:
    """Runs against the store the subclass's ``url`` fixture points at (a fresh database)."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def store(self, url: str) -> Iterator[SqlStore]:
        s = SqlStore(url)
        yield s
        s.close()

    # --- alerts ---------------------------------------------------------------------------
    def test_alert_round_trip_with_every_field(self, store: SqlStore) -> None:
        a = alert(
            "fp-full",
            state="acknowledged",
            severity="critical",
            labels={"store_id": "S001", "city": "上海", "kind": "crisis"},
            values={"csat": 0.41, "n": 37.0},
            count=7,
            ends_at=at(90),
            acked_by="王经理",
            acked_at=at(5),
            ack_until=at(65),
            resolved_by="streams",
            silenced_by="sil-1",
            inhibited_by="fp-crisis",
            escalation_step=2,
            next_escalation_at=at(20),
            last_event_id="fp-full:firing:2026-11-23T04:00:00+00:00",
            updated_at=datetime(2026, 11, 23, 4, 6, 30, 123456, tzinfo=UTC),
            evidence={"events": [{"event_id": "rv-1", "excerpt": "吃坏肚子", "views": 52000}]},
        )
        store.save([a], [])
        got = store.get("fp-full")
        assert got == a
        assert got is not None
        # Same instant, still aware, and in UTC whatever offset went in.
        assert got.starts_at.utcoffset() == timedelta(0)
        assert got.updated_at is not None and got.updated_at.microsecond == 123456

    def test_minimal_alert_keeps_defaults(self, store: SqlStore) -> None:
        a = alert("fp-min")
        store.save([a], [])
        assert store.get("fp-min") == a
        assert store.get("nope") is None

    def test_save_upserts_and_reindexes_labels(self, store: SqlStore) -> None:
        store.save([alert("fp1", store="S001")], [])
        moved = alert("fp1", 3, store="S002", state="acknowledged", count=2, acked_by="li")
        store.save([moved], [])
        assert store.get("fp1") == moved
        assert store.find(labels={"store_id": "S001"}) == []
        assert store.find(labels={"store_id": "S002"}) == [moved]

    def test_save_is_one_transaction(self, store: SqlStore) -> None:
        bad = alert("fp-bad", state="bogus")  # refused by the table's CHECK
        with pytest.raises(Exception, match=r"(?i)check"):
            store.save([alert("fp-ok"), bad], [Change("fp-ok", at(0), "fired", "streams")])
        assert store.get("fp-ok") is None
        assert store.history("fp-ok") == []

    def test_naive_datetime_is_refused(self, store: SqlStore) -> None:
        with pytest.raises(Exception, match="naive"):
            store.save([alert("fp-naive", starts_at=datetime(2026, 11, 23, 4))], [])
        assert store.get("fp-naive") is None

    def test_find_orders_newest_first_and_pages(self, store: SqlStore) -> None:
        # Two alerts share a last_seen: the order between them must still be stable.
        alerts = [alert(f"fp{i:02d}", minutes=i // 2) for i in range(25)]
        store.save(alerts, [])
        everything = store.find(limit=1000)
        assert [a.last_seen for a in everything] == sorted(
            (a.last_seen for a in alerts), reverse=True
        )
        pages = [store.find(limit=10, offset=o) for o in (0, 10, 20)]
        assert [len(p) for p in pages] == [10, 10, 5]
        assert [a.fingerprint for p in pages for a in p] == [a.fingerprint for a in everything]
        assert store.find(limit=10, offset=25) == []

    def test_find_filters_by_state_and_labels(self, store: SqlStore) -> None:
        store.save(
            [
                alert("a", 1, store="S001"),
                alert("b", 2, store="S001", state="acknowledged"),
                alert("c", 3, store="S002"),
                alert("d", 4, store="S001", state="resolved", labels={"store_id": "S001"}),
            ],
            [],
        )

        def fps(**kw: object) -> list[str]:
            return [a.fingerprint for a in store.find(**kw)]  # type: ignore[arg-type]

        assert fps(states=["firing"]) == ["c", "a"]
        assert fps(states=["firing", "acknowledged"]) == ["c", "b", "a"]
        assert fps(states=[]) == []
        assert fps(labels={"store_id": "S001"}) == ["d", "b", "a"]
        # Every label must match: "d" has no region.
        assert fps(labels={"store_id": "S001", "region": "east"}) == ["b", "a"]
        assert fps(labels={"store_id": "S001", "region": "west"}) == []
        assert fps(labels={"store_id": "S001"}, states=["firing"]) == ["a"]

    def test_open_alerts_leave_out_resolved(self, store: SqlStore) -> None:
        store.save([alert("a"), alert("b", state="acknowledged"), alert("c", state="resolved")], [])
        assert sorted(a.fingerprint for a in store.open_alerts()) == ["a", "b"]

    def test_history_oldest_first(self, store: SqlStore) -> None:
        store.save([alert("fp1")], [Change("fp1", at(10), "acknowledged", "王经理", "电话已回")])
        # Written later but earlier in time; then two entries at the same instant, whose
        # order is the order they were written in.
        store.save(
            [],
            [
                Change("fp1", at(0), "fired", "streams"),
                Change("fp1", at(20), "escalated", "escalation", "step 1"),
                Change("fp1", at(20), "notified", "escalation", "dingtalk"),
                Change("other", at(5), "fired", "streams"),
            ],
        )
        trail = store.history("fp1")
        assert [c.action for c in trail] == ["fired", "acknowledged", "escalated", "notified"]
        assert trail[1] == Change("fp1", at(10), "acknowledged", "王经理", "电话已回")
        assert store.history("nope") == []

    # --- silences -------------------------------------------------------------------------
    def test_silences_round_trip_and_active_at(self, store: SqlStore) -> None:
        s1 = Silence(
            id="sil-1",
            matchers=(Matcher("store_id", "S001"), Matcher("kind", "crisis|sla", "=~")),
            starts_at=at(0),
            ends_at=at(60),
            created_by="王经理",
            comment="装修中",
        )
        s2 = Silence("sil-2", (Matcher("severity", "info", "!="),), at(30), at(90), "li")
        store.save_silence(s1)
        store.save_silence(s2)
        assert store.silences() == [s1, s2]
        assert store.silences(active_at=at(0)) == [s1]  # starts_at is inclusive
        assert store.silences(active_at=at(45)) == [s1, s2]
        assert store.silences(active_at=at(60)) == [s2]  # ends_at is exclusive
        assert store.silences(active_at=at(-1)) == []
        # Expired early: saved again with expired_at, it stops matching from then on.
        expired = replace(s2, expired_at=at(40))
        store.save_silence(expired)
        assert store.silences(active_at=at(35)) == [s1, expired]
        assert store.silences(active_at=at(40)) == [s1]
        assert store.silences() == [s1, expired]

    # --- groups ---------------------------------------------------------------------------
    def test_groups_round_trip_and_upsert(self, store: SqlStore) -> None:
        g1 = Group("route0/dingtalk/S001", "dingtalk", {"store_id": "S001"}, at(1))
        g2 = Group("route0/wecom/S002", "wecom", {"store_id": "S002", "区域": "华东"}, None)
        store.save_groups([g1, g2])
        assert store.groups() == [g1, g2]
        flushed = replace(g1, next_flush_at=None, last_flush_at=at(1), last_digest="ab12")
        store.save_groups([flushed])
        assert store.groups() == [flushed, g2]
        store.save_groups([])
        assert len(store.groups()) == 2

    # --- outbox ---------------------------------------------------------------------------
    def test_enqueue_is_idempotent_on_key(self, store: SqlStore) -> None:
        assert store.enqueue([item("k1"), item("k2"), item("k1", payload="dup")]) == 2
        assert store.enqueue([item("k2", payload="changed"), item("k3", 1)]) == 1
        assert store.enqueue([]) == 0
        got = {i.key: i for i in store.outbox()}
        assert sorted(got) == ["k1", "k2", "k3"]
        # An existing key is left exactly as it was.
        assert got["k1"] == item("k1")
        assert got["k2"].payload == item("k2").payload

    def test_due_mark_sent_and_failed(self, store: SqlStore) -> None:
        store.enqueue([item("late", 5), item("old", 0), item("mid", 2), item("future", 30)])
        assert [i.key for i in store.due(at(10))] == ["old", "mid", "late"]
        assert [i.key for i in store.due(at(10), limit=2)] == ["old", "mid"]
        assert [i.key for i in store.due(at(2))] == ["old", "mid"]  # due_at is inclusive

        store.mark_sent("old", at(10))
        store.mark_failed("mid", "HTTP 502", retry_at=at(12))
        store.mark_failed("late", "bad token", retry_at=None)
        assert [i.key for i in store.due(at(11))] == []
        assert [i.key for i in store.due(at(12))] == ["mid"]
        # Longest due first: a retry due earlier goes before an older item due later.
        store.enqueue([item("retry-later", -10, due_at=at(13)), item("new", 11, due_at=at(11))])
        assert [i.key for i in store.due(at(13))] == ["new", "mid", "retry-later"]
        store.mark_sent("new", at(13))
        store.mark_sent("retry-later", at(13))

        by_key = {i.key: i for i in store.outbox()}
        assert (by_key["old"].state, by_key["old"].sent_at, by_key["old"].attempts) == (
            "sent",
            at(10),
            1,
        )
        mid = by_key["mid"]
        assert (mid.state, mid.due_at, mid.attempts, mid.last_error) == (
            "pending",
            at(12),
            1,
            "HTTP 502",
        )
        assert (by_key["late"].state, by_key["late"].attempts) == ("failed", 1)

        store.mark_failed("mid", "HTTP 503", retry_at=at(20))
        mid = next(i for i in store.outbox() if i.key == "mid")
        assert (mid.attempts, mid.last_error, mid.due_at) == (2, "HTTP 503", at(20))

    def test_a_sent_item_stays_sent(self, store: SqlStore) -> None:
        store.enqueue([item("k")])
        store.mark_sent("k", at(1))
        store.mark_sent("k", at(9))  # a duplicate report
        store.mark_failed("k", "timeout after success", retry_at=at(2))
        (k,) = store.outbox()
        assert (k.state, k.sent_at, k.attempts, k.last_error) == ("sent", at(1), 1, None)
        assert store.due(at(100)) == []

    def test_unknown_outbox_key_is_an_error(self, store: SqlStore) -> None:
        with pytest.raises(KeyError):
            store.mark_sent("nope", at(0))
        with pytest.raises(KeyError):
            store.mark_failed("nope", "x", None)

    def test_outbox_newest_first_by_receiver(self, store: SqlStore) -> None:
        store.enqueue([item("a", 0), item("b", 1, receiver="wecom"), item("c", 2), item("d", 3)])
        assert [i.key for i in store.outbox()] == ["d", "c", "b", "a"]
        assert [i.key for i in store.outbox(receiver="dingtalk", limit=2)] == ["d", "c"]
        assert [i.key for i in store.outbox(receiver="nobody")] == []

    # --- concurrency and restarts -----------------------------------------------------------
    def test_sent_since_reads_the_latest_sends_of_one_receiver(self, store: SqlStore) -> None:
        store.enqueue([item(f"k{i}", i) for i in range(5)] + [item("w", 0, receiver="wecom")])
        for i in range(5):
            store.mark_sent(f"k{i}", at(10 + i))
        store.mark_sent("w", at(14))
        store.enqueue([item(f"p{i}", 20) for i in range(50)])  # a backlog, newer than the sends
        assert store.sent_since("dingtalk", at(10), 3) == [at(12), at(13), at(14)]
        assert store.sent_since("dingtalk", at(13), 10) == [at(14)]
        assert store.sent_since("slack", at(0), 10) == []

    def test_concurrent_enqueue_of_the_same_key_sends_once(self, url: str) -> None:
        """Two processes' connections (two engines) enqueue the same keys at the same moment:
        each key is new for exactly one of them."""
        stores = [SqlStore(url), SqlStore(url, migrate=False)]
        keys = [f"k{i}" for i in range(40)]
        counts: list[list[int]] = [[], []]
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(n: int) -> None:
            try:
                for k in keys:
                    barrier.wait(timeout=30)
                    counts[n].append(stores[n].enqueue([item(k), item(k + "-both-" + str(n))]))
            except BaseException as exc:
                errors.append(exc)
                barrier.abort()

        threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        # Per round: each side's private key is new (1 each), the shared one for one side only.
        assert [a + b for a, b in zip(*counts, strict=True)] == [3] * len(keys)
        assert len(stores[0].outbox(limit=1000)) == 3 * len(keys)
        for s in stores:
            s.close()

    def test_state_survives_a_new_store(self, url: str, store: SqlStore) -> None:
        store.save([alert("fp1")], [Change("fp1", at(0), "fired", "streams")])
        store.enqueue([item("k1")])
        again = SqlStore(url)
        assert again.get("fp1") == alert("fp1", version=1)  # saved once
        assert [c.action for c in again.history("fp1")] == ["fired"]
        assert again.enqueue([item("k1")]) == 0
        again.close()


class TestSqlite(StoreContract):
    @pytest.fixture
    def url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'alerts.db'}"


# --- schema and migrations ------------------------------------------------------------------
def test_migrations_match_the_models(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'a.db'}")
    assert diff(store.engine) == []
    # The comparison does see a difference when there is one.
    with store.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_alerts_last_seen"))
    assert "ix_alerts_last_seen" in repr(diff(store.engine))
    store.close()


def test_upgrade_is_idempotent_and_reversible(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert upgrade(url) == head() == upgrade(url)
    assert downgrade(url, "base") == ""
    assert inspect(create_engine(url)).get_table_names() == ["alerts_alembic_version"]
    assert upgrade(url) == head()


def test_default_url_is_a_file_under_dot_cxpulse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = SqlStore()
    store.save([alert("fp1")], [])
    store.close()
    assert (tmp_path / ".cxpulse" / "alerts.db").is_file()


def test_cli_upgrade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="cxpulse alerts")
    add_db_parser(parser.add_subparsers(dest="alerts_command"))
    db = tmp_path / "cli.db"
    args = parser.parse_args(["db", "upgrade", "--url", f"sqlite:///{db}"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.strip().endswith(f"at {head()}")
    assert diff(SqlStore(f"sqlite:///{db}", migrate=False).engine) == []


def test_in_memory_database_is_shared_across_threads() -> None:
    store = SqlStore("sqlite://")
    store.save([alert("fp1")], [])
    seen: list[Alert | None] = []
    t = threading.Thread(target=lambda: seen.append(store.get("fp1")))
    t.start()
    t.join(timeout=30)
    assert seen == [alert("fp1", version=1)]
