"""``cxpulse alerts serve`` as a real process, configured through the environment, with its
stderr in a file the test can read while it runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.waiting import free_port, wait_for

TOKEN = "serve-test-token-1"
LINK_SECRET = "serve-test-link-secret-0123456789"


class ServeProcess:
    def __init__(self, tmp: Path, name: str, env: dict[str, str], config: Path | None = None):
        self.port = free_port()
        self.log = tmp / f"{name}.log"
        base = {
            **os.environ,
            "CXPULSE_ALERTS__TOKEN": TOKEN,
            "CXPULSE_ALERTS__LINK_SECRET": LINK_SECRET,
            "CXPULSE_ALERTS__DB_URL": f"sqlite:///{tmp / 'alerts.db'}",
            # No broker here: the consumer retries in the background, the API serves meanwhile.
            "CXPULSE_KAFKA__BOOTSTRAP": f"127.0.0.1:{free_port()}",
            "CXPULSE_CONFIG": str(config) if config else "",
            **env,
        }
        args = [sys.executable, "-m", "cxpulse.cli", "alerts", "serve", "--port", str(self.port)]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(args, env=base, stdout=out, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"alerts serve exited {self.proc.returncode}:\n{self.output()}"
                )
            return f"alerts API on {self.url}" in self.output()

        wait_for(ready, timeout, "the alerts API to listen")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)
