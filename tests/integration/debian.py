"""Debian packages the integration tests run (PostgreSQL, Prometheus, Alertmanager, Chromium),
installed with apt on first use, as ``./dev`` installs Java and promtool.

One lock for every fixture: two test processes (or two fixtures) must not run apt at once. A
fresh machine's package lists may be empty or stale, so the lists are refreshed once and the
install tried again when the first attempt fails.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

LOCK = Path("/tmp/cxpulse-apt.lock")
TIMEOUT = 900.0  # seconds for one apt run; Chromium is a large download


def install(package: str) -> None:
    """``apt-get install`` of ``package`` (with sudo when not root); raises with apt's own
    words when it cannot."""
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
    with LOCK.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT)
        if done.returncode != 0:
            subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, timeout=TIMEOUT)
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(
            f"apt-get could not install {package} (exit {done.returncode}):\n{done.stderr[-2000:]}"
        )
