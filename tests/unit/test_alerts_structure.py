"""The alerts package's shape: no import cycles (function-local imports count too), and a pure
lifecycle that loads no network code, no receiver and nothing of the cxpulse application."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
ALERTS = ROOT / "alerts"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the import statement sits."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in ALERTS.rglob("*.py") if "migrations" not in p.parts}
    return {m: {i for i in _imports(p) if i in files and i != m} for m, p in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            # A package importing its own submodule is how packages work, not a cycle.
            if m.startswith(n + ".") or n.startswith(m + "."):
                continue
            if state.get(n) == 1:
                return [*stack[stack.index(n) :], n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_cycles_in_alerts() -> None:
    assert _cycle(_graph()) is None


def test_nothing_in_alerts_imports_the_cxpulse_application() -> None:
    offenders = sorted(
        _module(p)
        for p in ALERTS.rglob("*.py")
        if any(i == "cxpulse" or i.startswith("cxpulse.") for i in _imports(p))
    )
    assert offenders == []


@pytest.mark.parametrize("package", ["alerts.lifecycle", "alerts.settings"])
def test_the_lifecycle_loads_no_network_code(package: str) -> None:
    # A fresh interpreter: this test process has long imported everything.
    probe = (
        f"import {package}, sys; "
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('aiohttp', 'aiokafka', 'kafka', 'faust', 'cxpulse') "
        "or (m.startswith('alerts.notify.') and m not in ('alerts.notify.base', "
        "'alerts.notify.configs')))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == []
