"""Alert store benchmark: listing and acknowledging with 10k open alerts.

    .venv/bin/python -m bench.alerts [--alerts 10000] [--stores 500] [--reps 200]
                                     [--postgres auto|off|URL]

Prints one JSON object (progress on stderr). For each backend (SQLite in a temp file, with the
store's own settings; PostgreSQL: Debian's server started as the tests start it, a fresh
database, or ``URL`` of an empty scratch database), ``SqlStore`` is filled with N open alerts
(85% firing, 15% acknowledged) spread over ``--stores`` stores, 5 regions, 6 kinds and a day of
``last_seen``, each with its "fired" audit entry. Then, each ``--reps`` times (after a warm-up),
one call through the store as the API would make it, median and p99 in ms:

- ``list_first_page``: ``find(limit=100)``, newest first;
- ``list_by_store``: ``find(labels={"store_id": S})`` for a different store each time;
- ``list_by_state``: ``find(states=["firing"], limit=100)``;
- ``list_by_state_page_50``: the same at offset 4,900 (OFFSET paging gets slower with depth);
- ``ack``: ``get(fp)`` then ``save([acked], [Change("acknowledged")])`` on a different firing
  alert each time: the API's acknowledge, one commit;
- ``open_alerts``: every open alert (what the lifecycle loads when a silence starts or ends);
  informative, no target;
- ``count_open``: open alerts by state and severity (the gauges, after every tick).

``tick``: the lifecycle's timer tick (``Engine.tick``, every ``tick_interval`` in the service)
on a SQLite store holding 100 and then N open alerts, none of them due, routed by store with
an escalation chain: what the service pays every few seconds whatever happens (the first tick
of a process, which checks every alert against the silences once, is left out as warm-up).

``http``: the duty manager's pages through HTTP at the same number of open alerts (and twice
as many resolved), behind the real sign-in gate: ``bench.console``, whose docstring says what
each figure is.

Baselines: ``floor_select_1`` (a ``SELECT 1`` through the same session machinery: the cost of
a round trip and a transaction) and ``json_scan_by_store`` (the store filter done inside the
labels JSON column instead of the ``alert_labels`` index table). Target: p99 < 100 ms for the
listing and the ack.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from alerts.db import SqlStore
from alerts.db.migrate import downgrade
from alerts.db.store import ALERTS, NEWEST, _alert
from alerts.db.tables import AlertRow
from alerts.model import Alert, Change

TARGET_MS = 100.0
T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
KINDS = ("satisfaction", "sla", "crisis", "word_of_mouth", "calls", "coaching")
REGIONS = ("east", "north", "south", "west", "central")


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def make_alerts(n: int, stores: int, seed: int = 5) -> list[Alert]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        store = f"S{i % stores:03d}"
        kind = KINDS[rng.randrange(len(KINDS))]
        seen = T0 + timedelta(seconds=rng.uniform(0, 86400))
        acked = rng.random() < 0.15
        out.append(
            Alert(
                fingerprint=f"{i:016x}",
                rule=f"{kind}_rule",
                kind=kind,
                severity=("info", "warning", "critical")[rng.randrange(3)],
                labels={
                    "store_id": store,
                    "region": REGIONS[(i % stores) % len(REGIONS)],
                    "city": f"city{(i % stores) // 10:02d}",
                    "brand": ("cx", "cxgo")[(i % stores) % 2],
                    "kind": kind,
                },
                summary_zh=f"门店 {store} {kind} 告警",
                summary_en=f"store {store} {kind} alert",
                starts_at=seen - timedelta(minutes=rng.uniform(0, 120)),
                last_seen=seen,
                state="acknowledged" if acked else "firing",
                values={"csat": round(rng.uniform(0.2, 0.6), 3), "n": float(rng.randrange(10, 90))},
                count=rng.randrange(1, 20),
                acked_by="bench" if acked else None,
                acked_at=seen if acked else None,
                last_event_id=f"{i:016x}:firing",
                updated_at=seen,
            )
        )
    return out


def timed(fn: Callable[[int], object], reps: int, warmup: int = 10) -> dict[str, float]:
    for i in range(warmup):
        fn(i)
    ms = []
    for i in range(reps):
        t0 = time.perf_counter()
        fn(warmup + i)
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    p99 = ms[min(len(ms) - 1, max(0, round(0.99 * len(ms)) - 1))]
    return {"median_ms": round(statistics.median(ms), 2), "p99_ms": round(p99, 2)}


def bench_backend(url: str, alerts: list[Alert], stores: int, reps: int) -> dict[str, Any]:
    alerts = [replace(a, version=0) for a in alerts]  # saving bumps the versions in place
    t0 = time.perf_counter()
    store = SqlStore(url)
    migrate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(0, len(alerts), 1000):
        batch = alerts[i : i + 1000]
        store.save(batch, [Change(a.fingerprint, a.starts_at, "fired", "streams") for a in batch])
    load_s = time.perf_counter() - t0
    say(f"  {len(alerts)} alerts stored in {load_s:.1f} s; measuring ...")
    server = None
    if store.engine.dialect.name == "postgresql":
        with store.engine.begin() as conn:  # the planner statistics autovacuum would keep
            conn.execute(text("ANALYZE"))
            server = conn.execute(text("SHOW server_version")).scalar_one()

    firing = [a for a in alerts if a.state == "firing"]
    rng = random.Random(11)
    rng.shuffle(firing)
    store_ids = [f"S{rng.randrange(stores):03d}" for _ in range(reps + 20)]

    def ack(i: int) -> None:
        fp = firing[i].fingerprint
        a = store.get(fp)
        assert a is not None and a.state == "firing"
        now = datetime.now(UTC)
        acked = replace(a, state="acknowledged", acked_by="店长", acked_at=now, updated_at=now)
        store.save([acked], [Change(fp, now, "acknowledged", "店长", "bench")])

    def json_scan(i: int) -> list[Alert]:
        q = (
            select(ALERTS)
            .where(AlertRow.labels["store_id"].as_string() == store_ids[i])
            .order_by(*NEWEST)
            .limit(100)
        )
        return [_alert(r) for r in store._rows(q)]

    def floor(_: int) -> None:
        with store._read() as c:
            c.execute(text("SELECT 1"))

    checks = {
        "list_by_store": len(store.find(labels={"store_id": "S001"})),
        "list_by_state": len(store.find(states=["firing"])),
        "open_alerts": len(store.open_alerts()),
        "json_scan_by_store": len(json_scan(0)),
    }
    figures = {
        "list_first_page": timed(lambda i: store.find(limit=100), reps),
        "list_by_store": timed(lambda i: store.find(labels={"store_id": store_ids[i]}), reps),
        "list_by_state": timed(lambda i: store.find(states=["firing"], limit=100), reps),
        "list_by_state_page_50": timed(
            lambda i: store.find(states=["firing"], limit=100, offset=4900), reps
        ),
        "ack": timed(ack, reps),
        "open_alerts": timed(lambda i: store.open_alerts(), max(20, reps // 10), warmup=2),
        "count_open": timed(lambda i: store.count_open(), reps),
        "floor_select_1": timed(floor, reps),
        "json_scan_by_store": timed(json_scan, reps),
    }
    targeted = ("list_first_page", "list_by_store", "list_by_state", "ack")
    store.close()
    return {
        "url": make_url(url).render_as_string(hide_password=True),
        "server": server,
        "migrate_s": round(migrate_s, 2),
        "load_alerts_per_s": round(len(alerts) / load_s),
        "rows_returned": checks,
        "figures": figures,
        "target_p99_ms": TARGET_MS,
        "pass": all(figures[k]["p99_ms"] < TARGET_MS for k in targeted),
    }


TICK_CONFIG = {
    "receivers": [{"type": "webhook", "name": "duty", "url": "http://127.0.0.1:9/duty"}],
    "route": {"receiver": "duty", "group_by": ["store_id"], "escalation": "store"},
    "escalation": {"store": {"steps": [{"wait": "10m", "receiver": "duty"}]}},
}


def _tick(engine: Any, store: SqlStore, now: datetime, _: int) -> None:
    engine.tick(store, now)


def bench_tick(tmp: Path, sizes: tuple[int, ...], stores: int, reps: int) -> dict[str, Any]:
    from alerts.lifecycle import AlertsConfig, Engine

    engine = Engine(AlertsConfig.model_validate(TICK_CONFIG))
    now = T0 + timedelta(days=1)
    out: dict[str, Any] = {}
    for n in sizes:
        store = SqlStore(f"sqlite:///{tmp / f'tick-{n}.db'}")
        alerts = make_alerts(n, min(stores, n))
        for i in range(0, n, 1000):
            store.save(alerts[i : i + 1000], [])
        out[f"open_{n}"] = timed(partial(_tick, engine, store, now), reps, warmup=2)
        store.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--alerts", type=int, default=10_000)
    p.add_argument("--stores", type=int, default=500)
    p.add_argument("--reps", type=int, default=200)
    p.add_argument(
        "--postgres",
        default="auto",
        help="auto (start the local server as the tests do), off, or the URL of an empty "
        "scratch database (its alerts tables are dropped at the end)",
    )
    args = p.parse_args()
    if args.reps + 10 > args.alerts * 0.85:
        p.error("--reps must stay below the number of firing alerts (each ack takes a new one)")
    load_at_start = os.getloadavg()[0]  # another benchmark or test run skews the figures
    alerts = make_alerts(args.alerts, args.stores)
    out: dict[str, Any] = {"open_alerts": args.alerts, "stores": args.stores, "reps": args.reps}

    with tempfile.TemporaryDirectory(prefix="cxpulse-bench-alerts-") as tmp:
        say("tick ...")
        out["tick"] = bench_tick(Path(tmp), (100, args.alerts), args.stores, 20)
        say("SQLite ...")
        out["sqlite"] = bench_backend(
            f"sqlite:///{Path(tmp) / 'alerts.db'}", alerts, args.stores, args.reps
        )

    say("the console through HTTP ...")
    from bench import console  # it builds its alerts with this module's make_alerts

    out["http"] = console.run(args.alerts, args.stores, 2 * args.alerts, args.reps)

    if args.postgres != "off":
        say("PostgreSQL ...")
        out["postgresql"] = bench_postgres(args.postgres, alerts, args.stores, args.reps)

    out["machine"] = {
        "nproc": os.cpu_count(),
        "python": sys.version.split()[0],
        "loadavg_1m_at_start": round(load_at_start, 2),
        "loadavg_1m_at_end": round(os.getloadavg()[0], 2),
    }
    out["command"] = "python -m bench.alerts " + " ".join(sys.argv[1:])
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


def bench_postgres(where: str, alerts: list[Alert], stores: int, reps: int) -> dict[str, Any]:
    if where != "auto":
        try:
            return bench_backend(where, alerts, stores, reps)
        finally:
            downgrade(where, "base")
    # The tests' fixture module knows how to install and start Debian's server idempotently.
    from tests.integration.pg_fixture import ensure_postgres

    pg = ensure_postgres()
    url = pg.create_database()
    try:
        return bench_backend(url, alerts, stores, reps)
    finally:
        pg.drop_database(make_url(url).database or "")


if __name__ == "__main__":
    sys.exit(main())
