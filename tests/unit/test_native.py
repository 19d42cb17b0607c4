"""The compiled core (``streams.native``): used only while it matches the sources, and giving
the same outputs as the Python sources."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from streams import native

ROOT = Path(__file__).resolve().parents[2]

# Simulated traffic with an incident of every kind through the replay: ten stores for nine
# days (a week of history, so the baselines and the day-against-week rule judge too), and a
# chain whose region drops (the rollup rules). Prints whether the core was compiled, and a
# digest of every alert, SLA event and store the replays left.
DAYS = """
import hashlib, io, json
from datetime import datetime, timedelta
import orjson
from streams import native
from cxpulse.config import Settings
from streams.replay import ReplayResult, read_events, replay
from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl

start = datetime.fromisoformat("2026-11-23T00:00:00+08:00")
runs = [
    (SimConfig(stores=10, scenarios=tuple(parse_scenario(s) for s in [
        "drop:S003@2026-11-23T11:00+08:00/3h,csat=0.2",
        "crisis:S005@2026-11-23T19:00+08:00/1h",
        "abandon:S001@2026-11-24T11:00+08:00/3h",
        "spike:S006@2026-11-30T15:00+08:00/1h",
        "unanswered:S002@2026-11-23T10:15+08:00,tier=vip",
        "taboo:S004@2026-11-24T15:00+08:00",
        "drop:S007@2026-12-01T10:00+08:00/10h,csat=0.3",
    ])), 9),
    (SimConfig(stores=60, feedback_per_store_hour=20, scenarios=(
        parse_scenario("drop:华东@2026-11-23T11:00+08:00/3h,csat=0.3"),)), 1),
]
h = hashlib.sha256()
rules = set()
for cfg, days in runs:
    buf = io.StringIO()
    write_jsonl(Simulator(cfg), start, start + timedelta(days=days), buf)
    result = ReplayResult()
    events = read_events([ln.encode() for ln in buf.getvalue().splitlines()], result)
    replay(events, Settings(), result)
    for a in result.alerts:
        h.update(a.model_dump_json().encode())
        rules.add(a.rule)
    for e in result.sla_events:
        h.update(e.model_dump_json().encode())
    for sid in sorted(result.stores):
        h.update(orjson.dumps(result.stores[sid].to_json(), option=orjson.OPT_SORT_KEYS))
print(json.dumps({"native": native.active(), "digest": h.hexdigest(), "rules": sorted(rules)}))
"""


def _days(*compiled: bool) -> list[dict[str, object]]:
    """The days' summary from one subprocess per core asked for, run side by side."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", DAYS],
            cwd=ROOT,
            env={**os.environ, "CXPULSE_NATIVE": "1" if c else "0"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in compiled
    ]
    out: list[dict[str, object]] = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr[-3000:]
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


@pytest.mark.skipif(not native.fresh(), reason="no fresh build: python -m streams.native_build")
def test_the_compiled_core_gives_the_python_cores_outputs() -> None:
    compiled, pure = _days(True, False)
    assert compiled["native"] is True and pure["native"] is False
    assert compiled["digest"] == pure["digest"]
    # the days raised alerts of most rules, store and rollup, so the digest covers them
    assert isinstance(pure["rules"], list)
    assert {"csat_drop", "negative_spike", "rollup_csat_low", "crisis"} <= set(pure["rules"])


def test_a_build_is_used_only_for_the_sources_and_the_python_it_was_made_for(
    tmp_path: Path,
) -> None:
    stamp = {"python": sys.implementation.cache_tag, "digest": native.digest()}
    (tmp_path / native.STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    assert native.fresh(tmp_path)
    for key, other in (("digest", "0" * 64), ("python", "cpython-399")):
        (tmp_path / native.STAMP).write_text(json.dumps({**stamp, key: other}), encoding="utf-8")
        assert not native.fresh(tmp_path)
    (tmp_path / native.STAMP).write_text("{not json", encoding="utf-8")
    assert not native.fresh(tmp_path)
    assert not native.fresh(tmp_path / "missing")


def test_a_fresh_stamp_without_its_modules_is_not_used(tmp_path: Path) -> None:
    stamp = {"python": sys.implementation.cache_tag, "digest": native.digest()}
    (tmp_path / native.STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    assert native.fresh(tmp_path) and native.modules(tmp_path) is None
    before = list(sys.meta_path)
    assert native.activate(tmp_path) is False
    assert sys.meta_path == before


def test_what_is_compiled_leaves_pydantic_models_the_sla_engine_and_training_in_python() -> None:
    names = {native.module_name(p) for p in native.compiled()}
    assert {"streams.core.store", "streams.core.signals.tiers", "streams.core.text.charlr"} <= names
    assert not names & {
        "streams.core.intake",
        "streams.core.signals.config",
        "streams.core.text.config",
        "streams.core.text.train",
    }
    assert not any(n.startswith("streams.core.sla.") for n in names)
    assert not any(n.endswith(".__init__") for n in names)


def test_an_edit_to_the_core_or_the_schemas_makes_the_build_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    core, schemas = tmp_path / "streams" / "core", tmp_path / "schemas"
    core.mkdir(parents=True)
    schemas.mkdir()
    (core / "store.py").write_text("x = 1\n")
    (core / "pure.py").write_text("y = 1\n")
    (schemas / "events.py").write_text("z = 1\n")
    monkeypatch.setattr(native, "ROOT", tmp_path)
    monkeypatch.setattr(native, "CORE", core)
    seen = {native.digest()}
    assert native.digest() in seen  # the same sources, the same digest
    for edited in (core / "store.py", core / "pure.py", schemas / "events.py"):
        edited.write_text(edited.read_text() + "# edited\n")
        seen.add(native.digest())
    assert len(seen) == 4  # each edit, even to a module left in Python, is a new digest


def _written_inits() -> list[tuple[str, ast.ClassDef, ast.FunctionDef]]:
    """Every data class of the core that writes its ``__init__`` out."""
    found = []
    for path in sorted((ROOT / "streams" / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or not any(
                "dataclass" in ast.unparse(d) for d in node.decorator_list
            ):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    found.append((f"{path.name}:{node.name}", node, item))
    return found


def _fields(cls: ast.ClassDef) -> list[tuple[str, str | None]]:
    """(name, default) of a data class's fields; a factory's default is the ``None`` that
    stands for it in a written ``__init__``."""
    out = []
    for item in cls.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            if "ClassVar" in ast.unparse(item.annotation):
                continue
            default = None if item.value is None else ast.unparse(item.value)
            if default is not None and default.startswith("field(default_factory="):
                default = "None"
            out.append((item.target.id, default))
    return out


def test_a_written_init_takes_its_classs_fields_in_order_with_their_defaults() -> None:
    # A field added to the class but not to its written __init__ would be left unset, which
    # neither mypy nor the dataclass decorator notices.
    inits = _written_inits()
    assert len(inits) >= 10, [name for name, _, _ in inits]
    for name, cls, init in inits:
        args = init.args.args[1:]
        defaults = [None] * (len(args) - len(init.args.defaults)) + [
            ast.unparse(d) for d in init.args.defaults
        ]
        assert [(a.arg, d) for a, d in zip(args, defaults, strict=True)] == _fields(cls), name
        frozen = "frozen=True" in " ".join(ast.unparse(d) for d in cls.decorator_list)
        assigned = [
            ast.unparse(s.value.args[1]) if frozen else ast.unparse(s.targets[0])  # type: ignore[attr-defined]
            for s in init.body
        ]
        expected = [f"'{a.arg}'" if frozen else f"self.{a.arg}" for a in args]
        assert assigned == expected, name
