"""What signing people in costs: a password check with the production argon2id parameters, and
the session gate on every console request, measured through HTTP.

    python -m bench.auth [--reps 500] [--hashes 20]

Prints one JSON object: ``argon2`` (hash and verify, median and p99 ms, with the parameters;
the production ones and argon2-cffi's defaults),
``http`` (a trivial handler behind the session gate vs. a public route on the same server,
median and p99 ms per request over real sockets, on SQLite in a temp directory: the gate's
cost is the difference).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, CookieJar, web
from aiohttp.test_utils import TestServer
from argon2 import PasswordHasher

from alerts.api import make_app
from alerts.api.engine_ops import EngineOperations
from alerts.auth.access import SESSION_COOKIE, Access
from alerts.auth.accounts import production_hasher
from alerts.auth.web import require
from alerts.db import SqlStore
from alerts.lifecycle import AlertsConfig, Engine
from bench.alerts import timed

PW = "bench password 1234"


def stats(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, max(0, round(0.99 * len(ms)) - 1))]
    return {"median_ms": round(statistics.median(ms), 2), "p99_ms": round(p99, 2)}


def bench_argon2(n: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, hasher in (
        ("production", production_hasher()),
        ("argon2_cffi_default", PasswordHasher()),
    ):
        out[name] = _hasher(hasher, n)
    return out


def _hasher(hasher: PasswordHasher, n: int) -> dict[str, Any]:
    stored = hasher.hash(PW)
    return {
        "params": {
            "time_cost": hasher.time_cost,
            "memory_kib": hasher.memory_cost,
            "parallelism": hasher.parallelism,
        },
        "hash": timed(lambda _: hasher.hash(PW), n, warmup=2),
        "verify": timed(lambda _: hasher.verify(stored, PW), n, warmup=2),
    }


async def page(request: web.Request) -> web.Response:
    return web.json_response({"user": require(request, "view").name})


async def bench_http(tmp: Path, reps: int) -> dict[str, Any]:
    store = SqlStore(f"sqlite:///{tmp / 'alerts.db'}")
    access = Access.open(store.engine)
    access.accounts.add_user("bench", PW, "duty")
    sid, _ = access.sessions.start("bench")
    ops = EngineOperations(store, Engine(AlertsConfig()))
    app = make_app(ops, {}, "bench-link-secret-0123456789", access=access)
    app.router.add_get("/console", page)
    server = TestServer(app)
    await server.start_server()
    out: dict[str, Any] = {}
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
            http.cookie_jar.update_cookies({SESSION_COOKIE: sid}, server.make_url("/"))
            for name, path in (("public_healthz", "/healthz"), ("session_page", "/console")):
                ms = []
                for i in range(reps + 20):
                    t0 = time.perf_counter()
                    async with http.get(server.make_url(path)) as r:
                        assert r.status == 200, (path, r.status)
                        await r.read()
                    if i >= 20:  # warm-up
                        ms.append((time.perf_counter() - t0) * 1000)
                out[name] = stats(ms)
    finally:
        await server.close()
        store.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--reps", type=int, default=500, help="HTTP requests per route")
    p.add_argument("--hashes", type=int, default=20, help="argon2 hashes and verifications")
    args = p.parse_args()
    load_at_start = os.getloadavg()[0]
    out: dict[str, Any] = {"argon2": bench_argon2(args.hashes)}
    with tempfile.TemporaryDirectory(prefix="cxpulse-bench-auth-") as tmp:
        out["http"] = asyncio.run(bench_http(Path(tmp), args.reps))
    out["machine"] = {
        "nproc": os.cpu_count(),
        "python": sys.version.split()[0],
        "loadavg_1m_at_start": round(load_at_start, 2),
        "loadavg_1m_at_end": round(os.getloadavg()[0], 2),
    }
    out["command"] = "python -m bench.auth " + " ".join(sys.argv[1:])
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
