"""The Prometheus rules: valid for promtool, and their unit tests pass."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).parents[2]
RULES = REPO / "prometheus" / "rules" / "cxpulse.rules.yml"
TESTS = sorted((REPO / "prometheus" / "tests").glob("*.test.yml"))


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("promtool")
    if exe is None:
        pytest.skip("promtool not installed (./dev test installs Debian's prometheus)")
    return subprocess.run([exe, *args], cwd=REPO, capture_output=True, text=True)


def test_rules_pass_promtool_check() -> None:
    done = promtool("check", "rules", str(RULES))
    assert done.returncode == 0, done.stdout + done.stderr


def test_rule_unit_tests_pass() -> None:
    assert TESTS
    done = promtool("test", "rules", *map(str, TESTS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_has_a_unit_test_and_a_severity() -> None:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    alerts = {r["alert"]: r for g in groups for r in g["rules"] if "alert" in r}
    tested = {
        t["alertname"]
        for f in TESTS
        for case in yaml.safe_load(f.read_text(encoding="utf-8"))["tests"]
        for t in case.get("alert_rule_test", [])
        if t.get("exp_alerts")
    }
    assert set(alerts) <= tested, f"alerts never seen firing in a test: {set(alerts) - tested}"
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"], name


def test_dashboards_use_only_recording_rules_that_exist() -> None:
    import re

    from grafana.files import load_all, panels

    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    recorded = {r["record"] for g in groups for r in g["rules"] if "record" in r}
    used = {
        m
        for dash in load_all().values()
        for p in panels(dash)
        for t in p["targets"]
        for m in re.findall(r"\bcxpulse:[\w:]+", t["expr"])
    }
    assert used and used <= recorded, used - recorded
