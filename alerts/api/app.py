"""The duty-manager HTTP API (aiohttp).

Every ``/api/*`` call needs ``Authorization: Bearer <token>``; without a valid one the answer is
401 before any handler runs, so an unauthorised request cannot change anything. ``/ack/<token>``
needs no bearer: the link's HMAC signature is its authentication (``alerts.links``; the page is
the console's, ``alerts.console.acklink``). ``/healthz`` is open. Given ``access``, every other
route (the console, ``alerts.console.add_console``) needs a browser session
(``alerts.auth.web``). Errors are JSON ``{"error": "..."}`` with a 4xx status.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, TypeVar

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from alerts.api.ops import MAX_SILENCE, BadRequest, Conflict, Operations, OpsError
from alerts.auth.access import Access
from alerts.auth.identity import CALLER
from alerts.auth.web import add_login_routes, auth_middleware
from alerts.clock import Clock, utcnow
from alerts.console.acklink import ack_link_handler
from alerts.lifecycle.matchers import compile_one
from alerts.links import LinkSigner
from alerts.model import Alert, AlertState, Change, Matcher, OutboxItem, Silence

log = logging.getLogger("alerts.api")

T = TypeVar("T")

STATES: tuple[AlertState, ...] = ("firing", "acknowledged", "resolved")
MAX_LIMIT = 1000

OPS: web.AppKey[Operations] = web.AppKey("ops")
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
SIGNER: web.AppKey[LinkSigner] = web.AppKey("signer")
REGISTRY: web.AppKey[CollectorRegistry] = web.AppKey("registry")
HEALTH: web.AppKey[Callable[[], dict[str, Any]]] = web.AppKey("health")


# --- JSON ---------------------------------------------------------------------------------


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _json(data: Any, status: int = 200) -> web.Response:
    body = json.dumps(data, default=_default, ensure_ascii=False)
    return web.json_response(text=body, status=status)


def error(status: int, message: str, **headers: str) -> web.Response:
    body = json.dumps({"error": message}, ensure_ascii=False)
    return web.json_response(text=body, status=status, headers=headers or None)


def alert_json(a: Alert) -> dict[str, Any]:
    return asdict(a)


def listed_json(a: Alert) -> dict[str, Any]:
    """An alert in a list: without its evidence (up to 4 KB each; the detail has it)."""
    d = asdict(a)
    del d["evidence"]
    return d


def change_json(c: Change) -> dict[str, Any]:
    return asdict(c)


def silence_json(s: Silence) -> dict[str, Any]:
    d = asdict(s)
    d["matchers"] = [asdict(m) for m in s.matchers]
    return d


def outbox_json(i: OutboxItem) -> dict[str, Any]:
    d = asdict(i)
    del d["payload"]  # the log is about delivery; the message itself stays in the store
    return d


# --- parsing ------------------------------------------------------------------------------


def _when(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be an ISO 8601 time with an offset")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} is not an ISO 8601 time: {value!r}") from None
    if dt.tzinfo is None:
        raise BadRequest(f"{name} needs a UTC offset, e.g. +08:00")
    return dt


def _int(query: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if not lo <= value <= hi:
        raise BadRequest(f"{name} must be between {lo} and {hi}")
    return value


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def _text(data: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise BadRequest(f"{name} must be a non-empty string (at most 200 characters)")
    return value.strip()


def _version(body: Mapping[str, Any]) -> int | None:
    """The alert version the caller acted on (from a read): 409 if it changed since."""
    value = body.get("version")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BadRequest("version must be a positive integer (the alert's version you read)")
    return value


async def _call(fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    # The store is synchronous: keep the event loop free while it works.
    return await asyncio.to_thread(fn, *args, **kw)


@web.middleware
async def _errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except Conflict as exc:
        # With the alert as it is now: the caller decides again on what really happened.
        extra = {"alert": alert_json(exc.current)} if exc.current is not None else {}
        return _json({"error": str(exc), **extra}, status=exc.status)
    except OpsError as exc:
        return error(exc.status, str(exc))
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api"):
            raise
        return error(exc.status, exc.reason)


# --- /api handlers ------------------------------------------------------------------------


async def list_alerts(request: web.Request) -> web.Response:
    q = request.query
    states: list[AlertState] | None = None
    if q.get("state"):
        wanted = q["state"].split(",")
        bad = [s for s in wanted if s not in STATES]
        if bad:
            raise BadRequest(f"unknown state {bad[0]!r}; one of {', '.join(STATES)}")
        states = [s for s in STATES if s in wanted]
    labels = {"store_id": q["store_id"]} if q.get("store_id") else None
    limit = _int(q, "limit", 100, 1, MAX_LIMIT)
    offset = _int(q, "offset", 0, 0, 10_000_000)
    ops = request.app[OPS]
    found = await _call(ops.list_alerts, states=states, labels=labels, limit=limit, offset=offset)
    return _json({"alerts": [listed_json(a) for a in found], "limit": limit, "offset": offset})


async def show_alert(request: web.Request) -> web.Response:
    fp = request.match_info["fingerprint"]
    ops = request.app[OPS]
    alert = await _call(ops.get, fp)
    if alert is None:
        return error(404, f"no alert with fingerprint {fp!r}")
    history = await _call(ops.history, fp)
    return _json({"alert": alert_json(alert), "history": [change_json(c) for c in history]})


async def ack_alert(request: web.Request) -> web.Response:
    fp = request.match_info["fingerprint"]
    body = await _body(request)
    who = _text(body, "who", request[CALLER])
    until = _when(body["until"], "until") if body.get("until") is not None else None
    version = _version(body)
    alert = await _call(request.app[OPS].ack, fp, who, request.app[CLOCK](), until, None, version)
    return _json({"alert": alert_json(alert)})


async def resolve_alert(request: web.Request) -> web.Response:
    fp = request.match_info["fingerprint"]
    body = await _body(request)
    who = _text(body, "who", request[CALLER])
    alert = await _call(request.app[OPS].resolve, fp, who, request.app[CLOCK](), _version(body))
    return _json({"alert": alert_json(alert)})


async def list_silences(request: web.Request) -> web.Response:
    active = request.query.get("active", "")
    at = request.app[CLOCK]() if active in ("1", "true", "yes") else None
    found = await _call(request.app[OPS].silences, at)
    return _json({"silences": [silence_json(s) for s in found]})


def _matchers(raw: Any) -> list[Matcher]:
    if not isinstance(raw, list) or not raw:
        raise BadRequest("matchers must be a non-empty list of {name, value, op}")
    out = []
    for m in raw:
        if not isinstance(m, dict) or not isinstance(m.get("name"), str) or not m["name"]:
            raise BadRequest("each matcher needs a name")
        if not isinstance(m.get("value"), str):
            raise BadRequest(f"matcher {m['name']!r} needs a string value")
        op = m.get("op", "=")
        if op not in ("=", "!=", "=~", "!~"):
            raise BadRequest(f"matcher op must be one of = != =~ !~, not {op!r}")
        matcher = Matcher(m["name"], m["value"], op)
        # Checked here, with the engine the silences run on: a silence with a broken pattern,
        # once stored, would break every later evaluation of the silences.
        try:
            compile_one(matcher)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        out.append(matcher)
    return out


def _days(span: timedelta) -> str:
    return f"{span / timedelta(days=1):g}"


async def add_silence(request: web.Request) -> web.Response:
    body = await _body(request)
    now = request.app[CLOCK]()
    matchers = _matchers(body.get("matchers"))
    starts = _when(body["starts_at"], "starts_at") if body.get("starts_at") else now
    minutes = body.get("duration_minutes")
    if body.get("ends_at"):
        ends = _when(body["ends_at"], "ends_at")
    elif isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0:
        if not minutes <= MAX_SILENCE / timedelta(minutes=1):  # also refuses NaN and Infinity
            raise BadRequest(f"duration_minutes must be at most {_days(MAX_SILENCE)} days")
        ends = starts + timedelta(minutes=minutes)
    else:
        raise BadRequest("give ends_at or a positive duration_minutes")
    if ends - max(starts, now) > MAX_SILENCE:
        raise BadRequest(f"a silence may last at most {_days(MAX_SILENCE)} days")
    who = _text(body, "created_by", request[CALLER])
    comment = body.get("comment", "")
    if not isinstance(comment, str) or len(comment) > 1000:
        raise BadRequest("comment must be a string of at most 1000 characters")
    silence = await _call(request.app[OPS].add_silence, matchers, starts, ends, who, comment, now)
    return _json({"silence": silence_json(silence)}, status=201)


async def delete_silence(request: web.Request) -> web.Response:
    sid = request.match_info["silence_id"]
    ops = request.app[OPS]
    silence = await _call(ops.expire_silence, sid, request[CALLER], request.app[CLOCK]())
    return _json({"silence": silence_json(silence)})


async def outbox(request: web.Request) -> web.Response:
    limit = _int(request.query, "limit", 100, 1, MAX_LIMIT)
    receiver = request.query.get("receiver") or None
    items = await _call(request.app[OPS].outbox, receiver, limit)
    return _json({"outbox": [outbox_json(i) for i in items]})


async def healthz(request: web.Request) -> web.Response:
    """200 while the API answers (a load balancer must keep the console reachable), with
    ``degraded`` and the part's error when a part that pages people has stopped."""
    parts = request.app[HEALTH]() if HEALTH in request.app else {}
    down = any(not p.get("up", True) for p in parts.values())
    return _json({"status": "degraded" if down else "ok", **parts})


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[REGISTRY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


PUBLIC = frozenset({healthz, metrics})


# --- the app --------------------------------------------------------------------------------


def make_app(
    ops: Operations,
    tokens: Mapping[str, str],
    link_secret: str | LinkSigner,
    *,
    clock: Clock = utcnow,
    link_ttl: timedelta = timedelta(hours=24),
    registry: CollectorRegistry | None = None,
    access: Access | None = None,
    health: Callable[[], dict[str, Any]] | None = None,
) -> web.Application:
    """``tokens``: caller name -> bearer token (the name is the default actor of a change).
    ``link_secret``: the ack links' HMAC secret, or a ready ``LinkSigner``. ``registry``: served
    at ``/metrics`` without a token (Prometheus scrapes it; no secrets or personal data).
    ``access``: user accounts, sessions and DB tokens (``alerts.auth.web``), and ``/login``."""
    if access is None and not any(tokens.values()):
        raise ValueError("the API needs at least one bearer token")
    signer = (
        link_secret if isinstance(link_secret, LinkSigner) else LinkSigner(link_secret, link_ttl)
    )
    # The link's signature is its authority: it needs no session (a signed-in user is still
    # named as the actor when there is one).
    ack_link = ack_link_handler(ops, signer, clock)
    gate = auth_middleware(tokens, PUBLIC | {ack_link}, access, sessions_read_by={ack_link})
    app = web.Application(middlewares=[_errors, gate], client_max_size=64 * 1024)
    app[OPS] = ops
    app[CLOCK] = clock
    app[SIGNER] = signer
    if health is not None:
        app[HEALTH] = health
    r = app.router
    r.add_get("/healthz", healthz)
    r.add_get("/api/alerts", list_alerts)
    r.add_get("/api/alerts/{fingerprint}", show_alert)
    r.add_post("/api/alerts/{fingerprint}/ack", ack_alert)
    r.add_post("/api/alerts/{fingerprint}/resolve", resolve_alert)
    r.add_get("/api/silences", list_silences)
    r.add_post("/api/silences", add_silence)
    r.add_delete("/api/silences/{silence_id}", delete_silence)
    r.add_get("/api/outbox", outbox)
    if registry is not None:
        app[REGISTRY] = registry
        r.add_get("/metrics", metrics)
    # GET shows the confirm page, POST acknowledges; no HEAD for link checkers to poke.
    r.add_get("/ack/{token}", ack_link, allow_head=False)
    r.add_post("/ack/{token}", ack_link)
    if access is not None:
        add_login_routes(app, access)
    return app
