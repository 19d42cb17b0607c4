"""The duty manager's web console: server-rendered pages for a phone first, and a desktop.

``add_console`` adds its pages to the service's aiohttp app; the sign-in middleware
(``alerts.auth``) puts the user on each request, and the pages only read it
(``alerts.auth.identity``): a viewer sees, a duty manager acts, every change is recorded
under the user's name. Chinese by default, English with ``?lang=en``.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from alerts.api.ops import ConsoleOperations
from alerts.clock import Clock, utcnow
from alerts.console import actions, detail, duty, listing, silences
from alerts.console.page import CONSOLE, Console, Handler
from alerts.lifecycle.engine import Engine
from streams.core.calendar import CalendarConfig

__all__ = ["add_console"]


def add_console(
    app: web.Application,
    ops: ConsoleOperations,
    engine: Engine,
    *,
    clock: Clock = utcnow,
    calendars: Mapping[str, CalendarConfig] | None = None,
) -> None:
    """Route the console's pages on ``app`` (the API's, from ``alerts.api.make_app``, which
    already serves the signed ack link). ``engine``: the one behind ``ops``, for the chains
    and the roster; ``calendars``: the SLA calendars, to say whether a clock runs now."""
    app[CONSOLE] = Console(ops, engine, clock, dict(calendars or {}))
    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/", listing.incident_list),
        ("GET", "/console/rows", listing.incident_rows),
        ("GET", "/incidents/{fingerprint}", detail.incident),
        ("POST", "/incidents/{fingerprint}/ack", actions.ack),
        ("POST", "/incidents/{fingerprint}/resolve", actions.resolve),
        ("POST", "/incidents/{fingerprint}/escalate", actions.escalate),
        ("POST", "/incidents/{fingerprint}/assign", actions.assign),
        ("GET", "/silences/new", actions.silence_preview),
        ("POST", "/silences", actions.silence_create),
        ("GET", "/silences", silences.silence_list),
        ("POST", "/silences/{silence_id}/end", silences.silence_end),
        ("GET", "/duty", duty.duty),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
