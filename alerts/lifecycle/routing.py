"""The routing tree, walked as Alertmanager's ``dispatch/route.go`` does.

A route matches when its matchers do; its children are tried in order and the first that matches
wins, unless that child has ``continue: true``, in which case the next siblings are tried too.
When no child matches, the route itself is the answer. Unset fields are inherited from the
parent. Route ids are positions in the tree ("root", "root.0", "root.0.1"): stable across
restarts for one config, and they are part of every group key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from alerts.lifecycle import matchers as m
from alerts.lifecycle.config import NO_CHAIN, AlertsConfig, RouteConfig

GROUP_BY_ALL = "..."
DEFAULT_GROUP_WAIT = 30.0
DEFAULT_GROUP_INTERVAL = 300.0
DEFAULT_REPEAT_INTERVAL = 4 * 3600.0


@dataclass(frozen=True)
class Route:
    id: str
    matchers: tuple[m.Compiled, ...]
    receiver: str | None  # None: matched alerts are kept and shown but page no one
    group_by: tuple[str, ...]
    group_wait: float
    group_interval: float
    repeat_interval: float
    continue_: bool
    chain: str | None
    children: tuple[Route, ...] = ()

    def match(self, labels: Mapping[str, str]) -> list[Route]:
        if not m.match_all(self.matchers, labels):
            return []
        found: list[Route] = []
        for child in self.children:
            hits = child.match(labels)
            found.extend(hits)
            if hits and not child.continue_:
                break
        return found or [self]

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        if GROUP_BY_ALL in self.group_by:
            return dict(labels)
        return {k: labels[k] for k in self.group_by if k in labels}

    def group_key(self, labels: Mapping[str, str]) -> str:
        return group_key(self.id, self.receiver or "", self.group_labels(labels))

    def describe(self) -> str:
        return "{" + ",".join(m.render(c.matcher) for c in self.matchers) + "}"


def group_key(route_id: str, receiver: str, group_labels: Mapping[str, str]) -> str:
    """``root.0|duty-ding|{store_id="S003"}``: readable in logs, sorted so it never depends on
    the order labels arrived in."""
    inner = ",".join(f'{k}="{group_labels[k]}"' for k in sorted(group_labels))
    return f"{route_id}|{receiver}|{{{inner}}}"


def compile_routes(cfg: AlertsConfig) -> Route:
    return _compile(cfg.route, None, "root")


def _compile(rc: RouteConfig, parent: Route | None, rid: str) -> Route:
    def inherit(own: float | None, theirs: float | None, default: float) -> float:
        if own is not None:
            return own
        return theirs if theirs is not None else default

    chain = rc.escalation if rc.escalation is not None else (parent.chain if parent else None)
    node = Route(
        id=rid,
        matchers=m.compile_all(rc.matchers),
        receiver=rc.receiver if rc.receiver is not None else (parent.receiver if parent else None),
        group_by=tuple(
            rc.group_by if rc.group_by is not None else (parent.group_by if parent else ())
        ),
        group_wait=inherit(
            rc.group_wait, parent.group_wait if parent else None, DEFAULT_GROUP_WAIT
        ),
        group_interval=inherit(
            rc.group_interval, parent.group_interval if parent else None, DEFAULT_GROUP_INTERVAL
        ),
        repeat_interval=inherit(
            rc.repeat_interval,
            parent.repeat_interval if parent else None,
            DEFAULT_REPEAT_INTERVAL,
        ),
        continue_=rc.continue_,
        chain=None if chain == NO_CHAIN else chain,
    )
    children = tuple(_compile(c, node, f"{rid}.{i}") for i, c in enumerate(rc.routes))
    return replace(node, children=children)


class Router:
    """The compiled tree plus lookups by id (group keys name their route)."""

    def __init__(self, cfg: AlertsConfig) -> None:
        self.root = compile_routes(cfg)
        self.by_id: dict[str, Route] = {}
        stack = [self.root]
        while stack:
            r = stack.pop()
            self.by_id[r.id] = r
            stack.extend(r.children)

    def match(self, labels: Mapping[str, str]) -> list[Route]:
        """The routes an alert with these labels goes to, in tree order; only routes with a
        receiver can page, but all are returned so the CLI can show a dead end."""
        return self.root.match(labels)

    def path(self, route_id: str) -> list[Route]:
        """Root to the route, for showing why an alert went where it went."""
        parts = route_id.split(".")
        return [self.by_id[".".join(parts[:i])] for i in range(1, len(parts) + 1)]
