"""A worker that holds two stores decoded and the others compressed, on the real broker: every
store counts each rating once, before and after a restart that recovers them compressed."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer

from tests.helpers import feedback, line
from tests.integration.conftest import Env, lag
from tests.waiting import wait_for

pytestmark = pytest.mark.kafka

STORES = [f"S{i}" for i in range(1, 7)]
DECODED = "2"


def rating(store: str, i: int, stars: int) -> tuple[str, bytes, bytes]:
    return ("feedback", store.encode(), line(feedback(i, stars, store=store)))


def ratings(env: Env) -> dict[str, float | None]:
    return {s: env.metric("cxpulse_store_ratings", store_id=s, window="24h") for s in STORES}


def test_stores_held_compressed_count_each_rating_once_across_a_restart(
    env: Env, offsets: KafkaConsumer
) -> None:
    env.start_worker(CXPULSE_WORKER__STORES_DECODED=DECODED)
    env.produce([rating(s, i, 5) for i in range(5) for s in STORES])
    wait_for(
        lambda: ratings(env) == dict.fromkeys(STORES, 5.0),
        what="5 ratings at each store",
        explain=lambda: f"{ratings(env)}\n{env.log()}",
    )
    assert env.metric("cxpulse_stores_decoded") == 2.0
    # The stores pushed out are compressed once written (worker.state_write_every after).
    wait_for(
        lambda: (env.metric("cxpulse_stores_compressed_total") or 0) >= len(STORES) - 2,
        what="the four stores pushed out held compressed",
        explain=env.log,
    )

    # Every event committed before the kill, so none is read again: the stores' counts after
    # the restart come from their recovered states alone.
    wait_for(
        lambda: lag(env, offsets) == (5 * len(STORES), 0),
        what="30 events committed",
        explain=env.log,
    )
    env.procs[0].kill()
    env.procs[0].wait(10)
    env.start_worker(CXPULSE_WORKER__STORES_DECODED=DECODED)
    # Five new ratings each, and S1's first five again (read twice: counted once).
    env.produce(
        [rating(s, 5 + i, 4) for i in range(5) for s in STORES]
        + [rating("S1", i, 5) for i in range(5)]
    )
    wait_for(
        lambda: ratings(env) == dict.fromkeys(STORES, 10.0),
        what="10 ratings at each store after the restart",
        explain=lambda: f"{ratings(env)}\n{env.log()}",
    )
    # S1's five (more if a partition's last commit was read again: its events count once too)
    duplicates = env.metric("cxpulse_events_duplicate_total", event_type="feedback")
    assert duplicates is not None and duplicates >= 5
    assert env.metric("cxpulse_stores_decoded") == 2.0
    read_back = env.metric("cxpulse_stores_read_back_total")  # each recovered store, at least
    assert read_back is not None and read_back >= len(STORES)
    assert env.health()["healthy"] is True
