"""``cxpulse alerts serve``: the duty-manager API and the outbox dispatcher in one small process.

Why not in the stream worker: the worker's job is low-latency event processing under a Kafka
consumer group; an HTTP server and robots that hang for seconds would share its event loop, and
every restart of the API would rebalance the group. Here a slow robot or a burst of API calls
touches nothing but this process, and the database is the only thing the two share.

``run`` takes ready parts (store, receivers, operations, background loops) so tests and other
entry points can assemble them; ``from_settings`` builds them from the config: the SQL store,
the receivers, the lifecycle engine behind the API (``EngineOperations``) and its timer tick,
sharing one lock so an API write and a tick never interleave.
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
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from alerts.api.app import make_app
from alerts.api.ops import Operations
from alerts.clock import Clock, utcnow
from alerts.links import LinkSigner
from alerts.notify.base import Notification, Receiver
from alerts.outbox import Dispatcher
from alerts.ports import AlertStore

if TYPE_CHECKING:
    from cxpulse.config import Settings

log = logging.getLogger("alerts.api.service")

DEFAULT_PORT = 9110
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
    # More loops to run until stop, e.g. the lifecycle's timer tick.
    background: Sequence[Background] = ()


async def run(
    svc: Service, stop: asyncio.Event, ready: Callable[[int], None] | None = None
) -> None:
    """Serve until ``stop`` is set; the dispatcher and the background loops run alongside."""
    app = make_app(
        svc.ops,
        svc.tokens,
        svc.link_signer,
        registry=svc.registry,
    )
    dispatcher = Dispatcher(svc.store, svc.receivers, svc.decode, registry=svc.registry)
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
            except Exception:  # the database is down: keep ticking, it will come back
                log.exception("alerts: lifecycle tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    return loop


def from_settings(
    settings: Settings, host: str | None = None, port: int | None = None, *, source: bool = True
) -> Service:
    """The service from the ``alerts`` section; ``source=False`` leaves out the consumer of
    the alerts topic (a test that feeds the engine itself)."""
    from alerts.api.engine_ops import EngineOperations
    from alerts.api.metrics import LifecycleMetrics
    from alerts.db import SqlStore
    from alerts.lifecycle import payload
    from alerts.lifecycle.engine import Engine
    from alerts.notify.registry import build

    cfg = settings.alerts
    tokens = {"cli": cfg.token, **cfg.tokens}
    plain = {n: t.get_secret_value() for n, t in tokens.items() if t is not None}
    if not any(plain.values()):
        raise SystemExit("set alerts.token (or CXPULSE_ALERTS__TOKEN) before serving the API")
    if cfg.link_secret is None:
        raise SystemExit(
            "set alerts.link_secret (or CXPULSE_ALERTS__LINK_SECRET): it signs the ack links"
        )
    signer = LinkSigner(cfg.link_secret.get_secret_value(), timedelta(seconds=cfg.link_ttl))
    clock = utcnow
    engine = Engine(
        cfg,
        ack_url=signer.ack_url_factory(cfg.public_url, clock) if cfg.public_url else None,
        calendars=settings.sla.calendars,
    )
    store = SqlStore(cfg.db_url) if cfg.db_url else SqlStore()
    lock = threading.Lock()
    registry = CollectorRegistry()
    lifecycle_metrics = LifecycleMetrics(
        registry,
        steps=max((len(c.steps) * (c.repeat + 1) for c in cfg.escalation.values()), default=0),
    )

    def tick(now: datetime) -> None:
        lifecycle_metrics.after_tick(engine.tick(store, now))

    background = [tick_loop(tick, lock, interval=cfg.tick_interval, clock=clock)]
    if source:  # the alerts topic, where the stream worker publishes
        background.append(
            alert_source(settings, lambda e: engine.apply_event(store, e, clock()), lock)
        )
    return Service(
        registry=registry,
        store=store,
        receivers={r.name: build(r) for r in cfg.receivers},
        decode=payload.decode,
        tokens=plain,
        link_signer=signer,
        ops=EngineOperations(store, engine, lock),
        host=host or cfg.api_host,
        port=port if port is not None else cfg.api_port,
        background=background,
    )


def alert_source(
    settings: Settings, apply: Callable[[Any], object], lock: threading.Lock
) -> Background:
    """The alerts topic into the engine, under the same lock as the API and the timer. A broker
    that is down is retried (the stream worker keeps its alerts on the topic meanwhile)."""
    from alerts import source

    def locked(event: Any) -> None:
        with lock:
            apply(event)

    async def to_engine(event: Any) -> None:
        await asyncio.to_thread(locked, event)

    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await source.consume(settings, to_engine, stop)
            except Exception:
                log.exception("alerts: the alerts topic consumer failed; retrying in 5 s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 5.0)

    return loop
