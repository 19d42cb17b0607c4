"""``cxpulse alerts route``: where would an alert with these labels go?

Shows the route path, receiver, group key, timers, escalation chain, who is on duty for it now,
and what would inhibit it, straight from the loaded configuration, so a routing change can be
checked before it is deployed. Importing this module does nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alerts.lifecycle import matchers as m
from alerts.lifecycle.config import AlertsConfig
from alerts.lifecycle.roster import Roster
from alerts.lifecycle.routing import Router
from alerts.settings import AlertsSettings, Loaded, LoadSettings
from streams.core.calendar import CalendarConfig


def add_route_parser(
    sub: Any, load_settings: LoadSettings | None = None
) -> argparse.ArgumentParser:
    """Register ``route`` on an ``argparse`` subparsers object (e.g. ``cxpulse alerts``);
    ``load_settings`` reads the configuration (default: the built-in defaults)."""
    help_ = "Show where an alert with these labels would be routed (receiver, group, chain)"
    sp: argparse.ArgumentParser = sub.add_parser("route", help=help_, description=help_)
    sp.add_argument("--config", help="YAML config file (default: $CXPULSE_CONFIG)")
    sp.add_argument(
        "--labels",
        required=True,
        help="comma-separated label=value pairs, e.g. store_id=S001,kind=crisis,severity=critical",
    )
    sp.add_argument("--at", help="time for the duty roster (ISO with offset; default now)")
    sp.set_defaults(func=run_route, load_settings=load_settings or _defaults)
    return sp


def parse_labels(text: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--labels: {part!r} is not label=value")
        labels[name.strip()] = value.strip()
    return labels


def describe(
    cfg: AlertsConfig,
    labels: Mapping[str, str],
    now: datetime,
    calendars: Mapping[str, CalendarConfig] | None = None,
) -> str:
    router, roster = Router(cfg), Roster(cfg.roster, calendars, cfg.fallback_role)
    lines = ["labels: " + " ".join(f"{k}={v}" for k, v in sorted(labels.items()))]
    for route in router.match(labels):
        path = " > ".join(f"{r.id} {r.describe()}" for r in router.path(route.id))
        lines.append(f"route: {path}")
        if route.receiver is None:
            lines.append("  receiver: none (kept and shown, pages no one)")
            continue
        lines.append(f"  receiver: {route.receiver}{'  (continue)' if route.continue_ else ''}")
        lines.append(f"  group key: {route.group_key(labels)}")
        lines.append(
            f"  timers: group_wait {_dur(route.group_wait)}, group_interval "
            f"{_dur(route.group_interval)}, repeat_interval {_dur(route.repeat_interval)}"
        )
        chain = cfg.escalation.get(route.chain) if route.chain else None
        if chain is None:
            lines.append("  escalation: none")
            continue
        lines.append(f"  escalation: {route.chain} (repeat {chain.repeat})")
        if chain.mention:
            lines.append(
                f"    first page: @{chain.mention} {_who(roster, chain.mention, labels, now)}"
            )
        waited = 0.0
        for i, step in enumerate(chain.steps, 1):
            waited += step.wait
            target = step.receiver or route.receiver
            who = f" @{step.role} {_who(roster, step.role, labels, now)}" if step.role else ""
            lines.append(f"    step {i} after {_dur(waited)}: {target}{who}")
    for rule in cfg.inhibit_rules:
        if m.match_all(m.compile_all(rule.target_matchers), labels):
            lines.append(
                f"inhibited while an open alert matches {{{','.join(rule.source_matchers)}}}"
                + (f" with the same {', '.join(rule.equal)}" if rule.equal else "")
            )
    return "\n".join(lines)


def _who(roster: Roster, role: str, labels: Mapping[str, str], now: datetime) -> str:
    people = roster.lookup(role, labels, now)
    return "(" + (", ".join(p.name for p in people) or "nobody on duty now") + ")"


def _dur(seconds: float) -> str:
    s = int(seconds)
    for unit, size in (("h", 3600), ("m", 60)):
        if s and s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}s"


def _defaults(path: str | None) -> Loaded:
    return Loaded(AlertsSettings())


def run_route(args: argparse.Namespace) -> int:
    load: LoadSettings = args.load_settings
    loaded = load(args.config)
    try:
        labels = parse_labels(args.labels)
    except ValueError as e:
        print(f"cxpulse: {e}", file=sys.stderr)
        return 2
    now = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    if now.tzinfo is None:
        print("cxpulse: --at needs an offset, e.g. +08:00", file=sys.stderr)
        return 2
    print(describe(loaded.alerts, labels, now, loaded.calendars))
    return 0
