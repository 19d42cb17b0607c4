"""The composition root of ``cxpulse alerts serve``: the configuration in, a running service out.

``compose`` wires the parts: the SQL store, the receivers (``alerts.notify.registry``), the
lifecycle engine behind the API (``EngineOperations``), its timer tick and the consumer of the
alerts topic, the three sharing one lock so an API write, a tick and an alert event never
interleave. ``serve`` adds logging and runs it until SIGINT or SIGTERM. Everything else in the
package takes its parts ready made.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from alerts.api.engine_ops import EngineOperations
from alerts.api.metrics import LifecycleMetrics
from alerts.api.service import Background, Service, serve_forever, tick_loop
from alerts.auth.access import Access
from alerts.clock import utcnow
from alerts.console import add_console
from alerts.db import SqlStore
from alerts.lifecycle import payload
from alerts.lifecycle.engine import Engine
from alerts.links import LinkSigner
from alerts.notify.registry import build
from alerts.ports import ConcurrentUpdate
from alerts.settings import AlertsTopic, Loaded
from schemas.alerts import AlertEvent
from streams.core.errors import said

if TYPE_CHECKING:
    from alerts.source import SourceState  # aiokafka: imported only when a topic is consumed

log = logging.getLogger("alerts.main")

RETRIES = 5  # of an alert event that met a concurrent update of its alert
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str | None = None) -> None:
    """INFO and up to stderr (the outbox's retries, the consumer's rejects), or
    ``$CXPULSE_LOG_LEVEL``. Messages never carry secrets: the receivers scrub them."""
    name = (level or os.environ.get("CXPULSE_LOG_LEVEL") or "INFO").upper()
    logging.basicConfig(level=getattr(logging, name, logging.INFO), format=LOG_FORMAT)
    # aiohttp's access log would print each ack link's token; the service runs without it.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def compose(
    loaded: Loaded, host: str | None = None, port: int | None = None, *, source: bool = True
) -> Service:
    """The service from the ``alerts`` settings; ``source=False`` leaves out the consumer of
    the alerts topic (a test that feeds the engine itself)."""
    cfg = loaded.alerts
    tokens = {"cli": cfg.token, **cfg.tokens}
    plain = {n: t.get_secret_value() for n, t in tokens.items() if t is not None}
    if cfg.link_secret is None:
        raise SystemExit(
            "set alerts.link_secret (or CXPULSE_ALERTS__LINK_SECRET): it signs the ack links"
        )
    signer = LinkSigner(cfg.link_secret.get_secret_value(), timedelta(seconds=cfg.link_ttl))
    clock = utcnow
    engine = Engine(
        cfg,
        ack_url=signer.ack_url_factory(cfg.public_url, clock) if cfg.public_url else None,
        calendars=loaded.calendars,
    )
    warn_roster_gaps(engine, clock())
    store = SqlStore(cfg.db_url) if cfg.db_url else SqlStore()
    access = Access.open(store.engine, cfg.auth, clock=clock)
    if not any(plain.values()) and not any(t.revoked_at is None for t in access.accounts.tokens()):
        raise SystemExit(
            "the API has no token: set alerts.token (or CXPULSE_ALERTS__TOKEN), or add a "
            "client's token with `cxpulse alerts token add NAME`"
        )
    lock = threading.Lock()
    registry = CollectorRegistry()
    lifecycle_metrics = LifecycleMetrics(
        registry,
        steps=max((len(c.steps) * (c.repeat + 1) for c in cfg.escalation.values()), default=0),
    )

    def tick(now: datetime) -> None:
        lifecycle_metrics.after_tick(engine.tick(store, now), store.count_open())

    background = [tick_loop(tick, lock, interval=cfg.tick_interval, clock=clock)]
    health: Callable[[], dict[str, Any]] | None = None
    if source and loaded.source is not None:  # the alerts topic, where the stream worker writes
        from alerts.source import SourceState

        state = SourceState(registry)
        background.append(
            alert_source(
                loaded.source, lambda e: engine.apply_event(store, e, clock()), lock, state
            )
        )

        def source_health() -> dict[str, Any]:
            return {"source": state.as_json()}

        health = source_health
    ops = EngineOperations(store, engine, lock)

    def console(app: web.Application) -> None:
        add_console(app, ops, engine, clock=clock, calendars=loaded.calendars)

    return Service(
        registry=registry,
        store=store,
        receivers={r.name: build(r) for r in cfg.receivers},
        decode=payload.decode,
        tokens=plain,
        link_signer=signer,
        ops=ops,
        host=host or cfg.api_host,
        port=port if port is not None else cfg.api_port,
        background=background,
        outbox_lease=timedelta(seconds=cfg.outbox_lease),
        access=access,
        console=console,
        health=health,
    )


def alert_source(
    topic: AlertsTopic,
    apply: Callable[[AlertEvent], object],
    lock: threading.Lock,
    state: SourceState,
) -> Background:
    """The alerts topic into the engine, under the same lock as the API and the timer. A broker
    that is down is retried (the stream worker keeps its alerts on the topic meanwhile), and
    ``state`` says so meanwhile."""
    from alerts import source  # aiokafka, only when a topic is consumed

    def locked(event: AlertEvent) -> None:
        # Another replica (its API or its tick) may save the same alert in between: the
        # engine re-reads and decides again. Applying an event is idempotent.
        for attempt in range(RETRIES):
            try:
                with lock:
                    apply(event)
                return
            except ConcurrentUpdate:
                if attempt == RETRIES - 1:
                    raise

    async def to_engine(event: AlertEvent) -> None:
        await asyncio.to_thread(locked, event)

    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await source.consume(topic, to_engine, stop, state)
            except Exception as exc:
                state.failed(said(exc))
                log.exception("alerts: the alerts topic consumer failed; retrying in 5 s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 5.0)

    return loop


def serve(loaded: Loaded, host: str | None = None, port: int | None = None) -> None:
    """``cxpulse alerts serve``: log, compose, run until SIGINT or SIGTERM."""
    configure_logging()
    serve_forever(compose(loaded, host, port))


def warn_roster_gaps(engine: Engine, now: datetime, days: int = 60) -> dict[str, list[str]]:
    """Say at start-up which escalation roles reach nobody on some day ahead (a holiday on the
    office calendar, say), so the gap is closed before a page falls into it."""
    roles = {
        r
        for c in engine.cfg.escalation.values()
        for r in (c.mention, *(s.role for s in c.steps))
        if r
    }
    found = (
        {
            role: [d.isoformat() for d in days_]
            for role, days_ in engine.roster.gaps(roles, now, days).items()
        }
        if engine.cfg.roster
        else {}
    )
    for role, empty in found.items():
        shown = ", ".join(empty[:5]) + (f" and {len(empty) - 5} more" if len(empty) > 5 else "")
        log.warning(
            "escalation role %r reaches nobody on %d of the next %d days (%s): pages of that "
            "role mention no one then; set alerts.fallback_role to a 24x7 contact",
            role,
            len(empty),
            days,
            shown,
        )
    return found
