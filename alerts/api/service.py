"""``cxpulse alerts serve``: the duty-manager API and the outbox dispatcher in one small process.

Why not in the stream worker: the worker's job is low-latency event processing under a Kafka
consumer group; an HTTP server and robots that hang for seconds would share its event loop, and
every restart of the API would rebalance the group. Here a slow robot or a burst of API calls
touches nothing but this process, and the database is the only thing the two share.

``run`` takes ready parts (store, receivers, operations, background loops) so tests and other
entry points can assemble them; ``alerts.main`` builds them from the configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from alerts.api.app import make_app
from alerts.api.ops import Operations
from alerts.auth.access import Access
from alerts.clock import Clock, utcnow
from alerts.links import LinkSigner
from alerts.notify.base import Notification, Receiver
from alerts.outbox import Dispatcher
from alerts.ports import AlertStore, ConcurrentUpdate

log = logging.getLogger("alerts.api.service")

DEFAULT_PORT = 9110
DEFAULT_LEASE = timedelta(seconds=60)
Background = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class Service:
    store: AlertStore
    receivers: Mapping[str, Receiver]
    decode: Callable[[str], Notification]
    tokens: Mapping[str, str]
    link_signer: LinkSigner
    ops: Operations  # the lifecycle engine behind the API (engine_ops.EngineOperations)
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT  # 0: any free port (tests); the bound one is passed to `ready`
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    # How long a claimed outbox item stays this replica's: another takes it over after that.
    outbox_lease: timedelta = DEFAULT_LEASE
    # More loops to run until stop, e.g. the lifecycle's timer tick.
    background: Sequence[Background] = ()
    # People: accounts, sessions and DB API tokens; None serves the bearer-token API only.
    access: Access | None = None
    # Adds the web console's pages to the app (``alerts.console.add_console``, bound to the
    # service's engine); None: the API alone.
    console: Callable[[web.Application], None] | None = None
    # What ``/healthz`` adds to its answer (the alerts topic's consumer); a part whose "up" is
    # false makes the answer "degraded".
    health: Callable[[], dict[str, Any]] | None = None


async def run(
    svc: Service, stop: asyncio.Event, ready: Callable[[int], None] | None = None
) -> None:
    """Serve until ``stop`` is set; the dispatcher and the background loops run alongside."""
    app = make_app(
        svc.ops,
        svc.tokens,
        svc.link_signer,
        registry=svc.registry,
        access=svc.access,
        health=svc.health,
    )
    if svc.console is not None:
        svc.console(app)
    dispatcher = Dispatcher(
        svc.store, svc.receivers, svc.decode, registry=svc.registry, lease=svc.outbox_lease
    )
    # No access log: the request line of an ack link carries its token.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
    await runner.setup()
    sock = socket.create_server((svc.host, svc.port))  # bound here: port 0 tells its number
    port = int(sock.getsockname()[1])
    await web.SockSite(runner, sock).start()
    log.info("alerts API on http://%s:%d", svc.host, port)
    if ready is not None:
        ready(port)
    loops = [asyncio.create_task(dispatcher.run(stop))]
    loops += [asyncio.create_task(bg(stop)) for bg in svc.background]
    try:
        await stop.wait()
    finally:
        await asyncio.wait(loops, timeout=30)
        for t in loops:
            t.cancel()
        await runner.cleanup()
        for r in svc.receivers.values():
            close = getattr(r, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()


def serve_forever(svc: Service) -> None:
    """Run until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(svc, stop)

    asyncio.run(main())


def tick_loop(
    tick: Callable[[datetime], object],
    lock: threading.Lock,
    interval: float = 5.0,
    clock: Clock = utcnow,
) -> Background:
    """The lifecycle's timers (group flushes, escalation steps, ack timeouts, silences that
    start or end): ``tick(now)`` every ``interval`` seconds, in a thread, under ``lock`` so it
    never interleaves with an API write. Calling it late or twice is harmless (the engine's
    promise), so a slow tick only delays, never doubles, a page."""

    def locked(now: datetime) -> None:
        with lock:
            tick(now)

    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(locked, clock())
            except ConcurrentUpdate as exc:  # another replica's write won: next tick re-reads
                log.info("alerts: tick deferred: %s", exc)
            except Exception:  # the database is down: keep ticking, it will come back
                log.exception("alerts: lifecycle tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    return loop
