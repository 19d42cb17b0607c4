"""A real Prometheus (Debian's package) on a free 127.0.0.1 port, scraping one target every second.

``start_prometheus(target, tmp, rule_files=...)`` installs the package when the binary is missing
(as ``./dev`` does for promtool), writes a config, starts the server and returns once the target
is ``up == 1``; until then every "not yet" (refused, 503 while the TSDB opens, a body that is not
JSON) means poll again. Each call starts its own server with its own data directory, so repeated
runs never see each other's series.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode

import yaml

from tests.integration.debian import install
from tests.waiting import NotReady, free_port, get_json, wait_ready

JOB = "cxpulse"  # the job name the dashboards and rules select on (prometheus/prometheus.yml)


def prometheus_binary() -> str:
    """Debian's prometheus, installed on first use; idempotent."""
    found = shutil.which("prometheus")
    if found:
        return found
    install("prometheus")
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
        return get_json(f"{self.url}/api/v1/{path}?{urlencode(params)}", timeout=10)

    def query(self, expr: str) -> Any:
        """The instant query's body; PromQL errors come back as ``{"status": "error", ...}``.
        Any other failure (refused, 503 while starting) raises."""
        try:
            return self.api("query", query=expr)
        except HTTPError as exc:
            if exc.code not in (400, 422):  # only these carry the PromQL error as JSON
                raise
            return json.loads(exc.read())

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
    try:
        wait_scraping(prom, jobs, timeout)
    except BaseException:
        prom.stop()
        raise
    return prom


def wait_scraping(prom: Prometheus, jobs: Collection[str], timeout: float) -> None:
    """Return once Prometheus has scraped every job with ``up == 1``; while it starts, every
    "not ready" answer means poll again. Fails at once if the process exits."""

    def target_up() -> bool:
        if prom.proc.poll() is not None:
            tail = prom.log.read_text(errors="replace")[-2000:] if prom.log.exists() else ""
            raise AssertionError(f"prometheus exited: {tail}")
        body = prom.query("up == 1")
        if body.get("status") != "success":
            raise NotReady(f"up == 1: {body.get('errorType')}: {body.get('error')}")
        return {r["metric"]["job"] for r in body["data"]["result"]} >= set(jobs)

    wait_ready(
        target_up, timeout, f"Prometheus at {prom.url} to scrape {', '.join(jobs)} (up == 1)"
    )
