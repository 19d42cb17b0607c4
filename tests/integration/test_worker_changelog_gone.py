"""A table's changelog topic deleted under the running worker (a clean-up gone wrong): the
producer's flush before every commit and rebalance waited for it for good, and the worker
stopped consuming while its process ran on and said it was healthy. It is made again, and
what is written from then on is recovered after a restart. (The states held before are lost
with the topic: the rebalance the deletion sets off drops them, README "Operations".)"""

from __future__ import annotations

import signal

import pytest
from kafka.admin import KafkaAdminClient

from schemas import deadletter as dl
from tests.helpers import feedback, line
from tests.integration.conftest import Env
from tests.waiting import wait_for

pytestmark = pytest.mark.kafka


def kept(env: Env) -> set[bytes]:
    """The stores on the store table's changelog (not tombstoned)."""
    return {k for k, v in env.newest("store-state").items() if v is not None}


def test_deleted_changelogs_are_made_again_and_consumption_goes_on(env: Env) -> None:
    worker = env.start_worker(CXPULSE_WORKER__METADATA_MAX_AGE="2")
    env.produce([("feedback", b"S1", line(feedback(i, 5, store="S1"))) for i in range(3)])
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S1", window="24h") == 3,
        what="S1's 3 ratings",
    )
    changelog = f"{env.settings.worker.app_id}-store-state-changelog"
    wait_for(lambda: kept(env) == {b"S1"}, what="S1 written")
    admin = KafkaAdminClient(bootstrap_servers=env.settings.kafka.bootstrap)
    try:
        gone = [
            t
            for t in admin.list_topics()
            if t.startswith(env.settings.worker.app_id) and t.endswith("-changelog")
        ]
        assert changelog in gone
        admin.delete_topics(gone)
    finally:
        admin.close()
    env.produce(
        [("feedback", b"S2", b"not json"), ("feedback", b"S2", line(feedback(9, 1, store="S2")))]
    )
    # consumption goes on; a set: the rebalance may park the same message twice
    parked = env.consume("dlq", 1, timeout=90)
    assert {(m.key, dict(m.headers)[dl.HEADER_CODE]) for m in parked} == {(b"S2", b"not_json")}
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S2", window="24h") == 1,
        what="S2's rating",
        explain=env.log,
    )
    wait_for(lambda: b"S2" in kept(env), what="S2 on the changelog made again")
    assert all(env.metric("cxpulse_topics_remade_total", topic=t) == 1 for t in gone)
    assert env.health()["healthy"] is True

    worker.send_signal(signal.SIGTERM)
    worker.wait(60)
    env.start_worker()
    wait_for(
        lambda: env.metric("cxpulse_store_ratings", store_id="S2", window="24h") == 1,
        what="S2 recovered after a restart",
        explain=env.log,
    )
    assert env.health()["healthy"] is True
