"""``cxpulse alerts serve`` as a process: its log lines reach stderr, and it stops on SIGTERM."""

from __future__ import annotations

from pathlib import Path

from tests.integration.alerts_process import ServeProcess


def test_serve_writes_its_info_log_lines(tmp_path: Path) -> None:
    svc = ServeProcess(tmp_path, "serve", {})
    try:
        svc.wait_ready()
        out = svc.output()
        assert "INFO alerts.api.service: alerts API on" in out
        assert svc.stop() == 0
    finally:
        svc.kill()
    assert "serve-test-token-1" not in svc.output()  # secrets are never logged
