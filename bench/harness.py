"""What a bench run that drives real processes stands on: its one error, its progress lines on
stderr, the subprocesses it starts (stopped however the run ends) and the worker among them.

Shared by ``bench.pipeline``, ``bench.scale`` and the consumers the worker is compared with:
each stops what it started through one ``Procs``, and raises ``BenchError`` when the run cannot
go on, which its ``main`` reports.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


class BenchError(RuntimeError):
    pass


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Procs:
    """Subprocesses this run started; all stopped in `stop_all` (called from a finally)."""

    workdir: Path
    running: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("wb")
        say(f"   starting {name}: {shlex.join(argv)} (log {log.name})")
        proc = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        log.close()  # the child holds its own descriptor
        self.running.append((name, proc))
        return proc

    def check_alive(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is not None:
            name = next((n for n, p in self.running if p is proc), "subprocess")
            tail = (self.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
            raise BenchError(f"{name} exited with code {proc.returncode}; log tail:\n{tail}")

    def stop(self, proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self.running = [(n, p) for n, p in self.running if p is not proc]

    def stop_all(self) -> None:
        for _, proc in list(self.running):
            with contextlib.suppress(Exception):
                self.stop(proc)


def subprocess_env() -> dict[str, str]:
    """The environment the bench's subprocesses start from: this one, less the cxpulse
    settings (a run's configuration is the bench's own), but with ``CXPULSE_NATIVE`` (whether
    the core is compiled is the caller's choice: 0 measures the Python core), and this
    checkout first on the import path."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("CXPULSE_") or k == "CXPULSE_NATIVE"
    }
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WorkerRun:
    proc: subprocess.Popen[bytes]
    url: str


def start_worker(procs: Procs, env: dict[str, str]) -> WorkerRun:
    port = int(env["CXPULSE_WORKER__METRICS_PORT"])
    proc = procs.spawn("cxpulse-worker", [sys.executable, "-m", "cxpulse.cli", "worker"], env)
    return WorkerRun(proc, f"http://127.0.0.1:{port}/metrics")
