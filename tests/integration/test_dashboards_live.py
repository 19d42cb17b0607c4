"""Every panel of every dashboard, run against a real Prometheus scraping a real worker.

The worker is fed a simulated day with one of each incident (satisfaction drop, crisis burst with a
media-tagged complaint, unanswered VIP complaint, taboo phrase), so counters that only exist after
an incident exist. Each panel's PromQL, with its template variables at their kiosk defaults, must
run without error and return at least one series: a panel that names a metric the worker does not
export fails here instead of showing "No data" on the wall.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from urllib.request import urlopen

import pytest

from cxpulse.config import Settings
from grafana.files import load_all, panels
from grafana.kit import LEVEL_FILTERS as LEVELS
from grafana.kit import VARIABLES
from grafana.wall import CSAT
from streams.simulate import SimConfig, Simulator, parse_scenario, write_jsonl
from tests.integration.conftest import REPO, Env
from tests.integration.prom_fixture import Prometheus, start_prometheus
from tests.waiting import free_port, wait_for

pytestmark = pytest.mark.kafka

SHANGHAI = timezone(timedelta(hours=8))
RULES = REPO / "prometheus" / "rules" / "cxpulse.rules.yml"
# Grafana's macros, as Grafana would expand them for a 6 h range and this 1 s scrape.
MACROS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "6h"}


def simulated_day(end: datetime) -> list[bytes]:
    """30 hours of 6 stores up to ``end`` (a dinner peak), one incident of each kind. A day of
    closed hours is what the negatives' baseline needs before it is shown."""
    start = end - timedelta(hours=30)

    def at(hours_before_end: float) -> str:
        return (end - timedelta(hours=hours_before_end)).isoformat()

    scenarios = (
        f"drop:S002@{at(3)}/3h",
        f"crisis:S003@{at(0.75)}/45m",  # inside the crisis score's 1 h lookback at the end
        f"unanswered:S001@{at(10)},tier=vip",  # its deadlines are long past: warned, breached
        f"taboo:S004@{at(2)}",
    )
    sim = Simulator(SimConfig(stores=6, scenarios=tuple(parse_scenario(s) for s in scenarios)))
    buf = io.StringIO()
    write_jsonl(sim, start, end, buf)
    return [ln.encode() for ln in buf.getvalue().splitlines()]


def substitute(expr: str) -> str:
    """Template variables at their "All" value (``.*``), as a kiosk shows them."""
    for name in VARIABLES:
        expr = expr.replace(f"${name}", ".*")
    for macro, value in MACROS.items():
        expr = expr.replace(macro, value)
    assert "$" not in expr, f"unsubstituted variable in {expr}"
    return expr


def panel_queries() -> Iterator[tuple[str, str, str, str]]:
    """(board, panel title, expression, unit) of every query on every dashboard."""
    for name, dash in load_all().items():
        for panel in panels(dash):
            unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "")
            for target in panel.get("targets", []):
                yield name, panel["title"], target["expr"], unit


def variable_queries() -> Iterator[tuple[str, str]]:
    """label_values(SELECTOR, LABEL) as PromQL: the same series, grouped by the label."""
    for dash in load_all().values():
        for var in dash["templating"]["list"]:
            m = re.fullmatch(r"label_values\((.+), (\w+)\)", var["query"])
            assert m, var["query"]
            yield var["name"], f"count by ({m[2]}) ({m[1]})"


@contextlib.contextmanager
def alerts_service(tmp: Path) -> Iterator[str]:
    """``cxpulse alerts serve`` as built from settings, on this test's alerts topic, paging a
    receiver that refuses every connection (so retries happen) through a one-step chain."""
    from alerts.api.service import run
    from alerts.main import compose
    from cxpulse.cli import alerts_settings

    port = free_port()
    settings = Settings(
        alerts={
            "token": "live-test-token",
            "link_secret": "live-test-link-secret-0123456789",
            "db_url": f"sqlite:///{tmp / 'alerts.db'}",
            "api_port": port,
            "tick_interval": 0.2,
            "receivers": [{"type": "webhook", "name": "nowhere", "url": "http://127.0.0.1:9/x"}],
            "route": {"receiver": "nowhere", "group_by": ["store_id"], "group_wait": "0s",
                      "escalation": "duty"},
            "escalation": {"duty": {"steps": [{"wait": "1s", "receiver": "nowhere"}]}},
        }
    )  # fmt: skip
    svc = compose(alerts_settings(settings))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(run(svc, stop),))
    thread.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


def test_dashboards_against_live_prometheus(env: Env, tmp_path: Path) -> None:
    end = datetime.now(SHANGHAI).replace(hour=20, minute=0, second=0, microsecond=0)
    lines = simulated_day(end - timedelta(days=1))
    env.start_worker()
    target = env.metrics_url.removeprefix("http://").removesuffix("/metrics")
    wait_for(env.metrics, what="the worker's metrics endpoint")
    with alerts_service(tmp_path) as alerts_target:
        prom = start_prometheus(
            target,
            tmp_path / "prom",
            rule_files=[RULES],
            more_jobs={"cxpulse-alerts": alerts_target},
        )
        try:
            feed(env, prom, lines)
            wait_alerts_service(prom)
            check_panels(prom, env)
            check_variables(prom)
            check_wall_csat(prom, env)
            check_promtool(env)
        finally:
            prom.stop()


def wait_alerts_service(prom: Prometheus) -> None:
    """The worker's alerts reached the service: pages were tried (and retried) and a chain
    escalated, each seen in two scrapes so increase() has something to count."""
    for expr in (
        'cxpulse_alerts_open{state="firing"} > 0',
        "cxpulse_notifications_retried_total > 0",
        "cxpulse_alert_escalations_total > 0",
    ):
        wait_for(partial(prom.result, f"count_over_time(({expr})[1m:1s]) > 1"), 90, expr)


def feed(env: Env, prom: Prometheus, lines: list[bytes]) -> None:
    """The simulated day, plus what a real pipeline also sees: a broken message, re-sent
    events and a late one, so the pipeline board's reject/duplicate/late panels have data."""
    records = [
        (json.loads(ln)["event_type"], json.loads(ln)["store_id"].encode(), ln) for ln in lines
    ]
    last = json.loads(lines[-1])
    late = {
        **json.loads(next(ln for ln in lines if b'"feedback"' in ln)),
        "event_id": "late-1",
        "store_id": last["store_id"],
        "occurred_at": (
            datetime.fromisoformat(last["occurred_at"]) - timedelta(hours=2)
        ).isoformat(),
    }
    env.produce([*records, *records[-3:], ("feedback", b"S001", b"{not json")])  # re-sent: once

    def worker(name: str) -> float:
        return sum(v for (n, _), v in env.metrics().items() if n == name)

    # The late event goes after the day is in: the worker orders what it holds by event time,
    # so sent together with the day it would simply take its place, as in a replay.
    wait_for(lambda: worker("cxpulse_events_consumed_total") >= len(lines), 120, "the day")
    env.produce([("feedback", last["store_id"].encode(), json.dumps(late).encode())])
    wait_for(
        lambda: (
            worker("cxpulse_events_consumed_total") >= len(lines)
            and worker("cxpulse_events_duplicate_total") >= 3
            and worker("cxpulse_events_invalid_total") >= 1
            and worker("cxpulse_events_late_total") >= 1
            # the gauges show the last change of every store (snapshots are throttled)
            and worker("cxpulse_signal_snapshots_held") == 0
        ),
        120,
        f"{len(lines)} events consumed, 3 duplicates, 1 rejected, 1 late",
    )
    # Prometheus must have scraped the gauges after the last snapshot set them (1 s scrapes):
    # otherwise a panel may read a store's first, early-morning snapshot.
    published = worker("cxpulse_signal_snapshots_total")

    def scraped() -> bool:
        got = prom.result("sum(cxpulse_signal_snapshots_total)")
        return bool(got) and float(got[0]["value"][1]) >= published

    wait_for(scraped, 30, f"Prometheus to scrape all {published:.0f} snapshots")
    # Counters born at the incident need two scrapes before increase()/rate() return anything,
    # and rule outputs an evaluation or two.
    for expr in (
        'cxpulse_sla_events_total{transition="breached"}',
        'cxpulse_sla_events_total{transition="warned"}',
        'cxpulse_alert_events_total{rule="taboo_phrase"}',
        'cxpulse_alert_events_total{rule="crisis"}',
        "cxpulse_events_invalid_total",
        "cxpulse_events_late_total",
        "cxpulse:events_invalid:rate1m",
        "cxpulse_city_ratings",
        "cxpulse:event_latency_seconds:p99_1m",
    ):
        try:
            wait_for(partial(prom.result, f"count_over_time({expr}[1m]) > 1"), 60, f"{expr} twice")
        except AssertionError as exc:
            alerts = {k: v for k, v in env.metrics().items() if "alert" in k[0]}
            raise AssertionError(f"{exc}\nworker alert counters: {alerts}\n{env.log()}") from None


def check_panels(prom: Prometheus, env: Env) -> None:
    failures: list[str] = []
    checked = 0
    for board, title, expr, unit in panel_queries():
        checked += 1
        body = prom.query(substitute(expr))
        if body.get("status") != "success":
            failures.append(f"{board} / {title}: {body.get('error')}\n    {expr}")
        elif not body["data"]["result"]:
            failures.append(f"{board} / {title}: no data\n    {expr}")
        elif unit == "percentunit":
            values = [float(r["value"][1]) for r in body["data"]["result"]]
            if not all(0 <= v <= 1 for v in values):
                failures.append(f"{board} / {title}: a share outside 0..1: {values}")
    assert checked >= 50, checked
    if failures:  # what the worker itself shows, to tell a stale gauge from a wrong query
        shown = {
            k: v
            for k, v in env.metrics().items()
            if k[0] in ("cxpulse_signal_snapshots_held", "cxpulse_event_time_watermark_seconds")
            or (k[0] == "cxpulse_store_csat_ratio" and ("window", "1h") in k[1])
        }
        failures.append(f"worker: {shown}")
    assert not failures, "\n".join(failures) + "\n" + env.log()[-2000:]


def check_variables(prom: Prometheus) -> None:
    for name, expr in variable_queries():
        assert prom.result(substitute(expr)), f"variable {name}: {expr} is empty"


def check_wall_csat(prom: Prometheus, env: Env) -> None:
    """The rolled-up CSAT is the ratings' share, not a mean of store ratios: recompute it from
    the worker's own rollup gauges, and check that every level sums to the same ratings."""
    counts: dict[str, dict[str, float]] = {}
    for (name, labels), v in env.metrics().items():
        lab = dict(labels)
        level = name.removeprefix("cxpulse_").removesuffix("_ratings")
        if name.endswith("_ratings") and level in LEVELS and lab["window"] == "1h":
            by_value = counts.setdefault(level, {})
            by_value[lab["rating"]] = by_value.get(lab["rating"], 0) + v
    assert counts["brand"] == counts["region"] == counts["city"], counts
    city = counts["city"]
    want = (city["4"] + city["5"]) / sum(city.values())

    def wall() -> float:
        return float(prom.result(substitute(CSAT))[0]["value"][1])

    # All events are in, so the gauges stand still; Prometheus catches up within a scrape.
    wait_for(lambda: abs(wall() - want) < 1e-9, 30, f"the wall's CSAT to be {want}")


def check_promtool(env: Env) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool comes with Debian's prometheus package"
    text = urlopen(env.metrics_url, timeout=5).read()
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
