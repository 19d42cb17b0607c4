"""The committed dashboard JSON, read without the SDK (push and the tests need only the files)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DASHBOARDS_DIR = Path(__file__).parent / "dashboards"
# File names, in the order the dashboards are pushed (the wall first).
NAMES = ("cx-wall", "complaints-sla", "calls", "reviews", "alerts", "pipeline")


def load_all(directory: Path = DASHBOARDS_DIR) -> dict[str, dict[str, Any]]:
    return {
        name: json.loads((directory / f"{name}.json").read_text(encoding="utf-8")) for name in NAMES
    }


def panels(dash: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel that queries, rows' children included."""
    for p in dash.get("panels", []):
        if p.get("type") == "row":
            yield from p.get("panels", [])
        else:
            yield p
