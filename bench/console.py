"""Console benchmark: the incident list and the incident page through HTTP with 10k open alerts.

    .venv/bin/python -m bench.console [--alerts 10000] [--resolved 20000] [--stores 500]
                                      [--reps 200]

Prints one JSON object (progress on stderr). A SQLite store in a temp file is filled with N open
alerts (``bench.alerts.make_alerts``: 85% firing, 15% acknowledged, over ``--stores`` stores
and 5 regions) and ``--resolved`` resolved ones (the history a running service keeps), each
with its "fired" audit entry; one in ten carries evidence (five review
excerpts and an SLA timeline, near the 4 KB cap). The real app (``make_app`` +
``add_console``, the lifecycle engine behind it, a roster and an escalation chain) is served on
127.0.0.1 behind the real sign-in gate (a duty manager's session, looked up in the same
database on every request, as in production), and each request below is timed ``--reps``
times from an HTTP client (after a warm-up), median and p99 in ms:

- ``list_first_page``: ``/`` (the firing tab, 50 rows, and the tab counts);
- ``list_by_store``: ``/?store=S…``, a different store each time;
- ``list_critical_in_region``: ``/?severity=critical&region=…``;
- ``list_text_search``: ``/?q=…`` (a substring of the summaries, a different one each time);
- ``list_poll``: ``/console/rows`` (what an open list fetches every 5 s);
- ``detail``: ``/incidents/<fp>`` of a different alert each time (evidence, chain, audit).

Target: p99 ≤ 100 ms for each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from argon2 import PasswordHasher

from alerts.api import make_app
from alerts.api.engine_ops import EngineOperations
from alerts.auth.access import SESSION_COOKIE, Access
from alerts.console import add_console
from alerts.db import SqlStore
from alerts.lifecycle import AlertsConfig
from alerts.lifecycle.engine import Engine
from alerts.model import Change
from bench.alerts import REGIONS, T0, make_alerts, say
from schemas.alerts import Evidence, EvidenceEvent, SlaTimeline

TARGET_MS = 100.0
CONFIG = {
    "receivers": [{"type": "webhook", "name": "duty", "url": "http://127.0.0.1:9/duty"}],
    "route": {"receiver": "duty", "group_by": ["store_id"], "escalation": "store"},
    "escalation": {
        "store": {"mention": "duty_manager", "steps": [{"wait": "10m", "role": "area_manager"}]}
    },
    "roster": [
        {"name": "王经理", "role": "duty_manager", "weekly": {"mon-sun": ["09:00-21:00"]}},
        {"name": "赵总", "role": "area_manager", "scope": {"regions": list(REGIONS)}},
    ],
}


def evidence(i: int) -> dict[str, Any]:
    events = [
        EvidenceEvent(
            event_id=f"rv-{i}-{k}",
            kind="review",
            occurred_at=T0,
            rating=1,
            excerpt=("菜凉了，服务员态度很差，等了四十分钟才上菜。" * 4)[:120],
            platform="dianping",
            views=1000 * k,
        )
        for k in range(5)
    ]
    timeline = SlaTimeline(complaint_id=f"C{i}", policy="standard", tier="vip",
                           deadline=T0 + timedelta(hours=4), calendar="office")  # fmt: skip
    return Evidence(events=events, timeline=timeline).model_dump(mode="json", exclude_none=True)


def fill(url: str, n: int, stores: int, resolved: int) -> list[str]:
    store = SqlStore(url)
    alerts = make_alerts(n + resolved, stores)
    for i, a in enumerate(alerts):
        if i % 10 == 0:
            a.evidence = evidence(i)
        if i >= n:  # the history a service keeps: resolved alerts stay in the table
            a.state, a.ends_at, a.resolved_by = "resolved", a.last_seen, "streams"
    for i in range(0, len(alerts), 1000):
        batch = alerts[i : i + 1000]
        store.save(batch, [Change(a.fingerprint, a.starts_at, "fired", "streams") for a in batch])
    store.close()
    return [a.fingerprint for a in alerts[:n]]


# Page timing, not password checks: the bench signs its one user in without a login.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def percentiles(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, max(0, round(0.99 * len(ms)) - 1))]
    return {"median_ms": round(statistics.median(ms), 2), "p99_ms": round(p99, 2)}


async def measure(base: str, paths: Callable[[int], str], reps: int, sid: str) -> dict[str, Any]:
    async with aiohttp.ClientSession(cookies={SESSION_COOKIE: sid}) as http:
        times = []
        size = 0
        for i in range(reps + 10):
            t0 = time.perf_counter()
            async with http.get(base + paths(i)) as r:
                body = await r.read()
                assert r.status == 200, (r.status, paths(i))
            if i >= 10:  # the first ten warm the caches
                times.append((time.perf_counter() - t0) * 1000)
                size = max(size, len(body))
    return {**percentiles(times), "max_bytes": size}


async def serve_and_measure(url: str, fps: list[str], stores: int, reps: int) -> dict[str, Any]:
    store = SqlStore(url)
    engine = Engine(AlertsConfig.model_validate(CONFIG))
    ops = EngineOperations(store, engine)
    access = Access.open(store.engine, hasher=CHEAP)
    access.accounts.add_user("bench", "bench-password-0123", "duty")
    sid, _ = access.sessions.start("bench")
    app = make_app(
        ops, {"bench": "bench-token-0123"}, "bench-link-secret-0123456789", access=access
    )
    add_console(app, ops, engine)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.create_server(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    await web.SockSite(runner, sock).start()
    rng = random.Random(7)
    picks = [fps[rng.randrange(len(fps))] for _ in range(reps + 10)]
    store_ids = [f"S{rng.randrange(stores):03d}" for _ in range(reps + 10)]
    try:
        figures = {
            "list_first_page": await measure(base, lambda i: "/", reps, sid),
            "list_by_store": await measure(base, lambda i: f"/?store={store_ids[i]}", reps, sid),
            "list_critical_in_region": await measure(
                base, lambda i: f"/?severity=critical&region={REGIONS[i % 5]}", reps, sid
            ),
            "list_text_search": await measure(base, lambda i: f"/?q={store_ids[i]}", reps, sid),
            "list_poll": await measure(base, lambda i: "/console/rows?tab=firing", reps, sid),
            "detail": await measure(base, lambda i: f"/incidents/{picks[i]}", reps, sid),
        }
    finally:
        await runner.cleanup()
        store.close()
    return figures


def run(alerts: int, stores: int, resolved: int, reps: int) -> dict[str, Any]:
    """The figures as one JSON-ready object (``bench.alerts`` includes them too)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'alerts.db'}"
        say(f"filling {alerts} open alerts ...")
        fps = fill(url, alerts, stores, resolved)
        say("serving and measuring ...")
        figures = asyncio.run(serve_and_measure(url, fps, stores, reps))
    return {
        "backend": "sqlite",
        "open_alerts": alerts,
        "resolved_alerts": resolved,
        "stores": stores,
        "reps": reps,
        "figures": figures,
        "target_p99_ms": TARGET_MS,
        "pass": all(f["p99_ms"] <= TARGET_MS for f in figures.values()),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--alerts", type=int, default=10_000)
    p.add_argument("--stores", type=int, default=500)
    p.add_argument("--resolved", type=int, default=20_000, help="resolved alerts kept besides")
    p.add_argument("--reps", type=int, default=200)
    args = p.parse_args()
    out = run(args.alerts, args.stores, args.resolved, args.reps)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
