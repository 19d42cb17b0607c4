"""What several ``cxpulse alerts serve`` replicas on one database rely on, as a store contract:
outbox leases (claim, renew, take-over after expiry, concurrent claims disjoint), versioned
alert saves, and the due-time reads the timer tick makes. ``ReplicaContract`` runs on SQLite
here and on PostgreSQL in ``tests/integration/test_db_postgres.py``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from alerts.db import SqlStore
from alerts.model import Change, Group
from alerts.ports import ConcurrentUpdate
from tests.unit.test_db import alert, at, item


class ReplicaContract:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def store(self, url: str) -> Iterator[SqlStore]:
        s = SqlStore(url)
        yield s
        s.close()

    # --- outbox leases --------------------------------------------------------------------
    def test_a_claim_is_one_replicas_until_its_lease_runs_out(self, store: SqlStore) -> None:
        store.enqueue([item("a", 0), item("b", 1), item("w", 0, receiver="wecom")])
        now = at(2)
        got = store.claim("dingtalk", "A", now, now + timedelta(seconds=60), 10)
        assert [(i.key, i.lease_owner) for i in got] == [("a", "A"), ("b", "A")]
        # B finds the receiver busy, but another receiver free.
        assert store.claim("dingtalk", "B", now, now + timedelta(seconds=60), 10) == []
        assert [i.key for i in store.claim("wecom", "B", now, at(3), 10)] == ["w"]
        # A claims again (its next round): its own leases come back.
        assert len(store.claim("dingtalk", "A", now, now + timedelta(seconds=60), 10)) == 2
        store.mark_sent("a", now)
        # A died: once the lease has run out, B takes over what is left.
        later = now + timedelta(seconds=61)
        taken = store.claim("dingtalk", "B", later, later + timedelta(seconds=60), 10)
        assert [(i.key, i.lease_owner) for i in taken] == [("b", "B")]
        sent = next(i for i in store.outbox() if i.key == "a")
        assert (sent.state, sent.lease_owner, sent.lease_until) == ("sent", None, None)

    def test_renew_keeps_the_lease_and_reports_what_was_lost(self, store: SqlStore) -> None:
        store.enqueue([item("a", 0), item("b", 0)])
        now = at(1)
        store.claim("dingtalk", "A", now, now + timedelta(seconds=30), 10)
        assert store.renew(["a", "b"], "A", now + timedelta(seconds=90)) == {"a", "b"}
        mid = now + timedelta(seconds=60)  # past the first lease, within the renewed one
        assert store.claim("dingtalk", "B", mid, mid + timedelta(seconds=60), 10) == []
        assert store.renew(["a"], "B", mid) == set()  # not B's
        store.mark_failed("b", "busy", at(30))  # a retry later: the lease ends with it
        assert store.renew(["a", "b"], "A", mid + timedelta(seconds=60)) == {"a"}

    def test_concurrent_claims_never_hand_out_one_item_twice(self, url: str) -> None:
        stores = [SqlStore(url), SqlStore(url, migrate=False)]
        receivers = [f"r{i}" for i in range(20)]
        stores[0].enqueue([item(f"{r}-{k}", 0, receiver=r) for r in receivers for k in range(3)])
        got: list[list[str]] = [[], []]
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(n: int) -> None:
            try:
                for r in receivers:
                    barrier.wait(timeout=30)
                    until = at(1) + timedelta(seconds=60)
                    got[n] += [i.key for i in stores[n].claim(r, f"owner{n}", at(1), until, 10)]
            except BaseException as exc:
                errors.append(exc)
                barrier.abort()

        threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        assert not set(got[0]) & set(got[1])
        assert len(got[0]) + len(got[1]) == 60  # every receiver went whole to one of them
        for s in stores:
            s.close()

    # --- versions ---------------------------------------------------------------------------
    def test_a_save_of_an_outdated_read_is_refused_whole(self, store: SqlStore) -> None:
        store.save([alert("fp1"), alert("fp2")], [])
        first, other = store.get("fp1"), store.get("fp1")
        assert first is not None and other is not None and first.version == 1
        first.acked_by = "王经理"
        store.save([first], [Change("fp1", at(1), "acknowledged", "王经理")])
        assert first.version == 2
        two = store.get("fp2")
        assert two is not None
        other.acked_by = "李经理"
        with pytest.raises(ConcurrentUpdate):
            store.save([replace(two, count=9), other], [Change("fp1", at(2), "commented", "x")])
        now = store.get("fp1")
        assert now is not None and (now.acked_by, now.version) == ("王经理", 2)
        assert store.get("fp2") == two  # the whole save rolled back
        assert [c.action for c in store.history("fp1")] == ["acknowledged"]
        # Never read (version 0): saved as is, over whatever version is there.
        blind = alert("fp1", count=5)
        store.save([blind], [])
        assert blind.version == 3

    # --- due-time reads -----------------------------------------------------------------------
    def test_due_alerts_and_groups_are_read_by_their_times(self, store: SqlStore) -> None:
        store.save(
            [
                alert("esc", next_escalation_at=at(10)),
                alert("ack", state="acknowledged", ack_until=at(5)),
                alert("later", next_escalation_at=at(60)),
                alert("idle"),
                alert("done", state="resolved", next_escalation_at=at(1)),
            ],
            [],
        )
        assert [a.fingerprint for a in store.due_alerts(at(10))] == ["ack", "esc"]
        assert store.count_open() == {("firing", "warning"): 3, ("acknowledged", "warning"): 1}
        store.save_groups([Group("g1", "duty", {}, at(3)), Group("g2", "duty", {}, None)])
        assert [g.key for g in store.due_groups(at(3))] == ["g1"]
        assert store.due_groups(at(2)) == []
        got = store.group("g2")
        assert got is not None and got.next_flush_at is None and store.group("nope") is None


class TestSqliteReplicas(ReplicaContract):
    @pytest.fixture
    def url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'alerts.db'}"
