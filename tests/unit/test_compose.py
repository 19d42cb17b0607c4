"""docker-compose.yml without a Docker engine: it parses, what it mounts exists, and the names and
ports agree with the Prometheus scrape config and the Grafana provisioning."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
PROMETHEUS = yaml.safe_load((REPO / "prometheus/prometheus.yml").read_text(encoding="utf-8"))


def mounts(service: str) -> dict[str, Path]:
    """Container path -> host path of the service's bind mounts (named volumes left out)."""
    out = {}
    for spec in SERVICES[service].get("volumes", []):
        source, target = spec.split(":")[:2]
        if source.startswith("."):
            out[target] = REPO / source
    return out


def container_port(service: str, host: int) -> int:
    for spec in SERVICES[service].get("ports", []):
        h, c = str(spec).split(":")[-2:]
        if int(h) == host:
            return int(c)
    raise AssertionError(f"{service} publishes no port {host}")


def test_the_stack_has_every_service_the_product_needs() -> None:
    assert set(SERVICES) == {
        "kafka",
        "worker",
        "alerts",
        "simulator",
        "prometheus",
        "alertmanager",
        "grafana",
        "postgres",
    }
    assert SERVICES["simulator"]["profiles"] == ["simulator"]
    for name, svc in SERVICES.items():
        if "build" in svc:
            assert (REPO / svc["build"] / "Dockerfile").exists(), name
        image = svc.get("image", "")
        assert image and not image.endswith(":latest") and ":" in image, f"{name}: pin the image"
        for dep in svc.get("depends_on", []):
            assert dep in SERVICES, f"{name} depends on unknown {dep}"


def test_every_mounted_file_exists() -> None:
    for name in SERVICES:
        for target, source in mounts(name).items():
            assert source.exists(), f"{name} mounts missing {source} at {target}"
    declared = set(COMPOSE.get("volumes", {}))
    for name, svc in SERVICES.items():
        for spec in svc.get("volumes", []):
            source = spec.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"


def test_host_ports_do_not_clash() -> None:
    host_ports = [str(p).split(":")[-2] for svc in SERVICES.values() for p in svc.get("ports", [])]
    assert len(host_ports) == len(set(host_ports))


def test_prometheus_scrapes_the_worker_by_service_name_and_port() -> None:
    jobs = {j["job_name"]: j for j in PROMETHEUS["scrape_configs"]}
    (target,) = jobs["cxpulse"]["static_configs"][0]["targets"]
    host, port = target.split(":")
    assert host == "worker"
    env = SERVICES["worker"]["environment"]
    assert env["CXPULSE_WORKER__METRICS_HOST"] == "0.0.0.0"  # reachable from another container
    assert int(env["CXPULSE_WORKER__METRICS_PORT"]) == int(port)
    (am,) = PROMETHEUS["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert am == f"alertmanager:{container_port('alertmanager', 9093)}"


def test_prometheus_loads_the_rules_that_promtool_tests() -> None:
    m = mounts("prometheus")
    assert m["/etc/prometheus/prometheus.yml"] == REPO / "prometheus/prometheus.yml"
    rules_dir = m["/etc/prometheus/rules"]
    (pattern,) = PROMETHEUS["rule_files"]
    assert pattern.startswith("/etc/prometheus/rules/")
    assert list(rules_dir.glob(Path(pattern).name)) == [rules_dir / "cxpulse.rules.yml"]


def test_grafana_datasource_and_dashboards_match_the_stack() -> None:
    m = mounts("grafana")
    prov = m["/etc/grafana/provisioning"]
    ds = yaml.safe_load((prov / "datasources/cxpulse.yml").read_text(encoding="utf-8"))
    (source,) = ds["datasources"]
    from grafana.kit import DS_UID, SCRAPE_INTERVAL_S

    assert source["uid"] == DS_UID
    assert source["url"] == f"http://prometheus:{container_port('prometheus', 9090)}"
    assert source["jsonData"]["timeInterval"] == PROMETHEUS["global"]["scrape_interval"]
    assert PROMETHEUS["global"]["scrape_interval"] == f"{SCRAPE_INTERVAL_S}s"
    dash = yaml.safe_load((prov / "dashboards/cxpulse.yml").read_text(encoding="utf-8"))
    (provider,) = dash["providers"]
    path = provider["options"]["path"]
    assert m[path] == REPO / "grafana/dashboards"
    home = SERVICES["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(path + "/")
    assert (REPO / "grafana/dashboards" / Path(home).name).exists()


def test_the_simulator_and_worker_share_the_broker() -> None:
    kafka_port = SERVICES["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].rsplit(":", 1)[1]
    for name in ("worker", "simulator"):
        assert SERVICES[name]["environment"]["CXPULSE_KAFKA__BOOTSTRAP"] == f"kafka:{kafka_port}"


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("promtool", ["check", "config", "--syntax-only", "prometheus/prometheus.yml"]),
        ("amtool", ["check-config", "prometheus/alertmanager.yml"]),
    ],
)
def test_the_mounted_configs_pass_their_own_checkers(tool: str, args: list[str]) -> None:
    exe = shutil.which(tool)
    if exe is None:
        pytest.skip(f"{tool} not installed (Debian: prometheus, prometheus-alertmanager)")
    done = subprocess.run([exe, *args], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_docker_compose_config_when_the_client_has_compose() -> None:
    docker = shutil.which("docker")
    if (
        docker is None
        or subprocess.run([docker, "compose", "version"], capture_output=True).returncode
    ):
        pytest.skip("no docker compose client here; the checks above stand in for it")
    done = subprocess.run(
        [docker, "compose", "-f", "docker-compose.yml", "config", "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
