"""Builds the compiled core (``streams.native``): ``python -m streams.native_build
[--if-stale] [--out DIR]``. A module of its own so that ``python -m`` runs it without the
``streams`` package having imported it first (the package imports ``streams.native``)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from streams.native import BUILD, GROUP, ROOT, STAMP, compiled, digest, fresh, python_tag


def build(out: Path = BUILD, log: Path | None = None) -> None:
    """Compile ``compiled()`` with mypyc into ``out`` (replaced only once the build succeeded).
    The compiler's output goes to ``log`` (default ``out``.log)."""
    paths = compiled()
    # Taken before compiling: a source edited meanwhile makes the build stale, not fresh.
    stamp = {"python": python_tag(), "digest": digest(), "modules": len(paths)}
    log = log or out.with_suffix(".log")
    with tempfile.TemporaryDirectory(prefix="cxpulse-native-") as tmp:
        lib = Path(tmp) / "lib"
        # setuptools is run from an empty directory: in the project's own it would read
        # pyproject.toml, which is not what this build is.
        script = (
            "import sys\n"
            "from setuptools import setup\n"
            "from mypyc.build import mypycify\n"
            f"paths = {[str(p) for p in paths]!r}\n"
            "setup(name='cxpulse-native', ext_modules=mypycify(\n"
            f"    ['--config-file', {str(ROOT / 'pyproject.toml')!r}, *paths],\n"
            f"    group_name={GROUP!r}, target_dir={str(Path(tmp) / 'c')!r}),\n"
            f"    script_args=['build_ext', '--build-lib', {str(lib)!r},\n"
            f"                 '--build-temp', {str(Path(tmp) / 'obj')!r}])\n"
        )
        env = {**os.environ, "MYPYPATH": str(ROOT), "PYTHONPATH": str(ROOT)}
        with log.open("wb") as sink:
            done = subprocess.run(
                [sys.executable, "-c", script], cwd=tmp, env=env, stdout=sink, stderr=sink
            )
        if done.returncode != 0:
            raise RuntimeError(f"mypyc failed (exit {done.returncode}); its output: {log}")
        (lib / STAMP).write_text(json.dumps(stamp), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(lib, out)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Compile the core with mypyc.")
    p.add_argument("--if-stale", action="store_true", help="do nothing when the build is fresh")
    p.add_argument("--out", type=Path, default=BUILD)
    args = p.parse_args(argv)
    if args.if_stale and fresh(args.out):
        return 0
    n = len(compiled())
    print(f"compiling {n} modules of the core with mypyc into {args.out} ...", file=sys.stderr)
    t0 = time.monotonic()
    try:
        build(args.out)
    except (RuntimeError, OSError) as e:
        print(f"native build failed, the core stays pure Python: {e}", file=sys.stderr)
        return 1
    print(f"built in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
