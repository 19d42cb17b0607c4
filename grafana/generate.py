"""Dashboards as JSON: build every dashboard and write it under grafana/dashboards/.

The committed JSON is what provisioning loads and what `cxpulse grafana push` sends; a unit test
fails when it differs from what the code builds (run `cxpulse grafana generate`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import dashboard as d
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from grafana import boards, operations, wall
from grafana.files import DASHBOARDS_DIR, NAMES, load_all, panels

__all__ = ["BUILDERS", "load_all", "model", "panels", "render", "stale", "write"]

BUILDERS: dict[str, Callable[[], d.Dashboard]] = {
    "cx-wall": wall.build,
    "complaints-sla": boards.complaints,
    "calls": boards.calls,
    "reviews": boards.reviews,
    "alerts": operations.alerts,
    "pipeline": operations.pipeline,
}

# files.NAMES lists the same dashboards for code that must not import the SDK (push, tests).
assert tuple(BUILDERS) == NAMES


def model(name: str) -> dict[str, Any]:
    """The dashboard as Grafana's JSON model, with stable panel ids."""
    raw = json.loads(JSONEncoder().encode(BUILDERS[name]().build()))
    # The SDK leaves every id at 0; Grafana needs them unique and links (?viewPanel=) need them
    # stable, so number them in layout order.
    for i, panel in enumerate(raw["panels"], start=1):
        panel["id"] = i
    return dict(raw)


def render(name: str) -> str:
    return json.dumps(model(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path = DASHBOARDS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name in BUILDERS:
        path = directory / f"{name}.json"
        path.write_text(render(name), encoding="utf-8")
        out.append(path)
    return out


def stale(directory: Path = DASHBOARDS_DIR) -> list[str]:
    """Names whose committed JSON is missing or differs from what the code builds."""
    out = []
    for name in BUILDERS:
        path = directory / f"{name}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != render(name):
            out.append(name)
    extra = {p.stem for p in directory.glob("*.json")} - set(BUILDERS)
    return out + sorted(extra)
