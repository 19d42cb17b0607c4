"""A real Prometheus (Debian's package) on a free 127.0.0.1 port, scraping one target every second.

``start_prometheus(target, tmp, rule_files=...)`` installs the package when the binary is missing
(as ``./dev`` does for promtool), writes a config, starts the server and returns once the target
is ``up == 1``. Each call starts its own server with its own data directory, so repeated runs never
see each other's series.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import urlopen

import yaml

from tests.waiting import free_port, wait_for

JOB = "cxpulse"  # the job name the dashboards and rules select on (prometheus/prometheus.yml)


def prometheus_binary() -> str:
    """Debian's prometheus, installed on first use; idempotent."""
    found = shutil.which("prometheus")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # A fresh machine's package lists may be empty or stale: update once, then install.
    subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "prometheus"], check=True, env=env)
    found = shutil.which("prometheus")
    if found is None:
        raise RuntimeError("apt-get installed prometheus but the binary is not on PATH")
    return found


@dataclass
class Prometheus:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def api(self, path: str, **params: str) -> Any:
        with urlopen(f"{self.url}/api/v1/{path}?{urlencode(params)}", timeout=10) as resp:
            body = json.load(resp)
        return body

    def query(self, expr: str) -> Any:
        """The instant query's body; errors come back as ``{"status": "error", ...}``."""
        try:
            return self.api("query", query=expr)
        except URLError as exc:  # 400/422 carry the PromQL error as JSON
            read = getattr(exc, "read", None)
            if read is not None:
                return json.loads(read())
            raise

    def result(self, expr: str) -> list[Any]:
        body = self.query(expr)
        if body.get("status") != "success":
            raise AssertionError(f"{expr}: {body.get('errorType')}: {body.get('error')}")
        return list(body["data"]["result"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_prometheus(
    target: str,
    tmp: Path,
    rule_files: Sequence[Path] = (),
    timeout: float = 60.0,
    more_jobs: Mapping[str, str] | None = None,
) -> Prometheus:
    """Scrape ``target`` (host:port serving /metrics) every second, and each of ``more_jobs``
    (job name -> host:port); return when every one is up."""
    jobs = {JOB: target, **(more_jobs or {})}
    binary = prometheus_binary()
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p.resolve()) for p in rule_files],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [t]}]} for job, t in jobs.items()
        ],
    }
    cfg = tmp / "prometheus.yml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    log = tmp / "prometheus.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={cfg}",
                f"--storage.tsdb.path={tmp / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    prom = Prometheus(f"http://127.0.0.1:{port}", proc, log)

    def target_up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"prometheus exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            ups = prom.result("up == 1")
            return {r["metric"]["job"] for r in ups} >= set(jobs)
        except (OSError, AssertionError):
            return False

    try:
        wait_for(target_up, timeout, f"prometheus to scrape {', '.join(jobs.values())} (up == 1)")
    except BaseException:
        prom.stop()
        raise
    return prom
