"""The dashboards as code: committed JSON current, stable uids, kiosk-safe variables, wall rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from grafana import generate
from grafana.kit import DS_UID, SCRAPE_INTERVAL_S, VARIABLES
from grafana.operations import ALERT_SERVICE_METRICS

BOARDS = generate.load_all()
UIDS = {
    "cx-wall": "cxpulse-wall",
    "complaints-sla": "cxpulse-complaints-sla",
    "calls": "cxpulse-calls",
    "reviews": "cxpulse-reviews",
    "alerts": "cxpulse-alerts",
    "pipeline": "cxpulse-pipeline",
}


def seconds(text: str) -> float:
    m = re.fullmatch(r"(\d+)([smh])", text)
    assert m, text
    return int(m[1]) * {"s": 1, "m": 60, "h": 3600}[m[2]]


def test_committed_json_is_what_the_code_builds() -> None:
    assert generate.stale() == [], "run `cxpulse grafana generate` and commit grafana/dashboards/"


def test_stale_json_is_detected(tmp_path: Path) -> None:
    generate.write(tmp_path)
    assert generate.stale(tmp_path) == []
    wall = tmp_path / "cx-wall.json"
    wall.write_text(wall.read_text().replace('"CSAT now"', '"CSAT"'))
    (tmp_path / "old-board.json").write_text("{}")
    assert generate.stale(tmp_path) == ["cx-wall", "old-board"]


def test_uids_are_stable_and_unique() -> None:
    assert {name: d["uid"] for name, d in BOARDS.items()} == UIDS


@pytest.mark.parametrize("name", list(UIDS))
def test_every_panel_uses_the_datasource_by_uid(name: str) -> None:
    dash = BOARDS[name]
    queried = list(generate.panels(dash))
    assert queried
    for p in queried:
        assert p["datasource"] == {"type": "prometheus", "uid": DS_UID}, p["title"]
        assert p["targets"], p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] == DS_UID
            assert t["expr"].strip()
        assert p.get("description"), f"{p['title']}: say what the panel answers"
    for v in dash["templating"]["list"]:
        assert v["datasource"]["uid"] == DS_UID


@pytest.mark.parametrize("name", list(UIDS))
def test_panel_ids_are_unique_and_nothing_overlaps(name: str) -> None:
    panels = BOARDS[name]["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells: set[tuple[int, int]] = set()
    for p in panels:
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["title"]
        mine = {
            (x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])
        }
        assert not cells & mine, f"{p['title']} overlaps another panel"
        cells |= mine


@pytest.mark.parametrize("name", list(UIDS))
def test_variables_default_to_all_for_kiosk_mode(name: str) -> None:
    variables = BOARDS[name]["templating"]["list"]
    assert [v["name"] for v in variables] == list(VARIABLES)
    for v in variables:
        assert v["includeAll"] and v["allValue"] == ".*"
        assert v["current"]["value"] == "$__all", v["name"]
    # each variable narrows by the ones before it, so a region shows only its cities
    assert "$region" in variables[2]["query"] and "$city" in variables[3]["query"]


@pytest.mark.parametrize("name", list(UIDS))
def test_refresh_is_at_least_twice_the_scrape_interval(name: str) -> None:
    assert seconds(BOARDS[name]["refresh"]) >= 2 * SCRAPE_INTERVAL_S


@pytest.mark.parametrize("name", list(UIDS))
def test_store_metrics_follow_the_template_variables(name: str) -> None:
    """A per-store metric that skips the join ignores the brand/region/city the wall shows."""
    for p in generate.panels(BOARDS[name]):
        for t in p["targets"]:
            expr = t["expr"]
            for metric in re.findall(r"\b(cxpulse_store_\w+|cxpulse:store_\w+)", expr):
                if metric == "cxpulse_store_info":
                    continue
                assert "$store" in expr, f"{p['title']}: {metric} is not filtered"


def stat_panels(dash: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in generate.panels(dash) if p["type"] == "stat"]


def test_the_wall_reads_from_across_the_room() -> None:
    wall = BOARDS["cx-wall"]
    stats = stat_panels(wall)
    assert [p["title"] for p in stats] == [
        "CSAT now",
        "Delight rate",
        "Complaints on the clock",
        "SLA breaches 24 h",
        "Active crises",
        "Negative reach 24 h",
    ]
    for p in stats:
        assert p["gridPos"]["h"] >= 6 and p["gridPos"]["w"] >= 4, p["title"]
        assert p["options"]["colorMode"] == "background"
        assert p["options"]["graphMode"] == "none"
        assert len(p["fieldConfig"]["defaults"]["thresholds"]["steps"]) >= 2, p["title"]
        # all six numbers on one row: nothing to scroll to on a wall screen
        assert p["gridPos"]["y"] == stats[0]["gridPos"]["y"]
    csat = stats[0]["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [(s["value"], s["color"]) for s in csat] == [
        (None, "red"),
        (0.6, "orange"),
        (0.7, "green"),
    ]
    types = [p["type"] for p in generate.panels(wall)]
    assert "timeseries" in types and "bargauge" in types  # trends and the worst stores


def test_the_wall_csat_sums_ratings_rather_than_averaging_stores() -> None:
    expr = stat_panels(BOARDS["cx-wall"])[0]["targets"][0]["expr"]
    assert 'rating=~"4|5"' in expr and "avg(" not in expr


def test_csat_thresholds_follow_the_worker_config() -> None:
    from cxpulse.config import Settings

    sat = Settings().satisfaction
    steps = stat_panels(BOARDS["cx-wall"])[0]["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [s["value"] for s in steps[1:]] == [sat.csat_low, sat.csat_recover]


def test_alert_service_metrics_stay_off_every_board_but_alerts() -> None:
    """The live test cannot prove them (it scrapes a worker), so none may hide on the wall."""
    used = {
        name
        for name, dash in BOARDS.items()
        for p in generate.panels(dash)
        for t in p["targets"]
        if any(m in t["expr"] for m in ALERT_SERVICE_METRICS)
    }
    assert used == {"alerts"}


def test_alert_service_metric_names_are_the_ones_it_exports() -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from alerts.api.metrics import LifecycleMetrics
    from alerts.outbox import Metrics as OutboxMetrics

    registry = CollectorRegistry()
    LifecycleMetrics(registry, steps=1)
    OutboxMetrics(registry).zero_start(["duty"])
    text = generate_latest(registry).decode()
    for name in ALERT_SERVICE_METRICS:
        assert f"\n{name}{{" in text, f"the alert service no longer exports {name}"


def test_every_board_has_the_six_titles_the_readme_describes() -> None:
    readme = (Path(generate.__file__).parent / "README.md").read_text(encoding="utf-8")
    for p in generate.panels(BOARDS["cx-wall"]):
        assert f"**{p['title']}**" in readme, f"grafana/README.md does not describe {p['title']}"
    for dash in BOARDS.values():
        assert dash["title"] in readme


def test_cli_check_reports_current_json(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from grafana.cli import add_parser

    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(["grafana", "check"])
    assert args.func(args) == 0
    assert "current" in capsys.readouterr().out
