"""The functional core compiled to C by mypyc, used only while the build matches the sources.

The per-event step is pure Python doing small integer work (counter buckets, window sums, rule
bounds), which is what mypyc speeds up most: compiled, the signals ran about 1.5 times and the
whole step 1.35 times as fast on the same events (bench/README.md). The core is already fully
typed (``mypy --strict``), so the sources are the same; mypyc also checks the types at run
time.

``python -m streams.native_build`` (``./dev`` runs it when the sources changed) builds the
modules of ``compiled()`` into ``.native/``, never beside the sources: a compiled module next
to a source edited since would shadow the edit. ``activate`` (run when the ``streams`` package
is imported) puts the build in front of the sources only when its stamp names this Python and
the sources' digest; anything else (no build, a stale one, no C compiler, ``CXPULSE_NATIVE=0``)
imports the Python sources, which give the same outputs (``tests/unit/test_native.py`` replays
the same simulated days both ways).

The data classes built on every event (views, the checkpoint, the step's outputs) or for every
store at each rollup judgement (``Member``) write their ``__init__`` out, frozen ones through
``object.__setattr__``: the one ``dataclasses`` generates is compiled by nobody and runs as
interpreted Python, about 20 times slower than a written one compiled (measured 550 ns against
28 ns for five fields). ``tests/unit/test_native.py`` checks that each written ``__init__``
takes the class's fields, in order, with their defaults.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "streams" / "core"
BUILD = Path(os.environ.get("CXPULSE_NATIVE_DIR", ROOT / ".native"))
STAMP = "stamp.json"
GROUP = "streams_core"  # the shared library every compiled module loads: streams_core__mypyc
# Modules left in Python, by their path in the core (a directory ends with "/"), besides every
# package's ``__init__``: pydantic models (mypyc compiles no class built on a metaclass of
# another library), the SLA engine (mypyc 2.4 stops with an internal error on its policy), and
# the sentiment model's training and corpus readers (offline work on scikit-learn arrays).
PURE = (
    "calendar.py",
    "decode.py",
    "intake.py",
    "signals/calls_config.py",
    "signals/config.py",
    "rollup/config.py",
    "sla/",
    "text/config.py",
    "text/corpus.py",
    "text/train.py",
    "text/train_en.py",
    "text/train_crisis.py",
)


def compiled() -> list[Path]:
    """The core's source files that are compiled, in a stable order."""
    return [
        path
        for path in sorted(CORE.rglob("*.py"))
        if path.name != "__init__.py" and not path.relative_to(CORE).as_posix().startswith(PURE)
    ]


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def digest() -> str:
    """Of every source of the core, compiled or not, and of the schemas: a changed type
    anywhere the compiled modules read one changes the compiled code too."""
    h = hashlib.sha256()
    for path in sorted([*CORE.rglob("*.py"), *(ROOT / "schemas").rglob("*.py")]):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def python_tag() -> str:
    return sys.implementation.cache_tag or ""


def fresh(build: Path = BUILD) -> bool:
    """Whether ``build`` holds a build of these sources for this Python."""
    try:
        stamp = json.loads((build / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(stamp, dict)
        and stamp.get("python") == python_tag()
        and stamp.get("digest") == digest()
    )


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules (and their shared library) in the build directory."""

    def __init__(self, names: dict[str, Path]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        so = self.names.get(fullname)
        if so is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(so))
        return importlib.util.spec_from_file_location(fullname, so, loader=loader)


def modules(build: Path = BUILD) -> dict[str, Path] | None:
    """Each compiled module's file in ``build`` (and the shared library's), by module name;
    None where any is missing."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    names = {module_name(p): build / p.relative_to(ROOT).with_suffix(suffix) for p in compiled()}
    names[f"{GROUP}__mypyc"] = build / f"{GROUP}__mypyc{suffix}"
    return names if all(p.exists() for p in names.values()) else None


def activate(build: Path = BUILD) -> bool:
    """Import the compiled modules from ``build`` from now on, if it is fresh and whole;
    returns whether it did (or had). Must run before any compiled module is imported
    (``streams/__init__.py``)."""
    if os.environ.get("CXPULSE_NATIVE", "1") == "0" or not fresh(build):
        return False
    names = modules(build)
    if names is None:
        return False
    if not active():
        sys.meta_path.insert(0, _Finder(names))
    return True


def active() -> bool:
    """Whether the core's modules come from the compiled build in this process."""
    return any(isinstance(f, _Finder) for f in sys.meta_path)
