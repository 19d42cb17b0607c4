"""`cxpulse up`: the whole local system in one terminal.

Starts (or reuses) the Kafka broker, creates the topics, runs the worker and the live simulator
as child processes, and shows what the wall would show: events by kind, rejects, latency, the
rolling CSAT of every store (worst first) and the alerts as they are raised. Ctrl-C stops
everything this command started, and nothing it did not.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.request import urlopen
from zoneinfo import ZoneInfo

from prometheus_client.parser import text_string_to_metric_families
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from cxpulse import config, localkafka
from streams.core.errors import said

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(url: str) -> Samples:
    """The samples served at ``url``; empty while the endpoint is not up yet (refused, cut off,
    or a half-written page that does not parse), so callers simply ask again."""
    out: Samples = {}
    try:
        text = urlopen(url, timeout=1).read().decode()
        for fam in text_string_to_metric_families(text):
            for s in fam.samples:
                out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    except (OSError, HTTPException, ValueError):
        return {}
    return out


def quantile(samples: Samples, name: str, q: float) -> float | None:
    """Estimate a quantile from a Prometheus histogram's cumulative buckets."""
    buckets = sorted(
        (float(dict(labels)["le"]), v)
        for (n, labels), v in samples.items()
        if n == f"{name}_bucket"
    )
    if not buckets or buckets[-1][1] == 0:
        return None
    target, prev_le, prev_n = q * buckets[-1][1], 0.0, 0.0
    for le, n in buckets:
        if n >= target:
            if le == float("inf"):
                return prev_le
            share = (target - prev_n) / (n - prev_n) if n > prev_n else 1.0
            return prev_le + (le - prev_le) * share
        prev_le, prev_n = le, n
    return None


def by_label(samples: Samples, name: str, label: str) -> dict[str, float]:
    return {dict(labels).get(label, ""): v for (n, labels), v in samples.items() if n == name}


RETRY_SECONDS = 3.0


class AlertTail(threading.Thread):
    """Follows the alerts topic from now on, keeping the newest few and what is firing. If it
    cannot read (no broker to start from or any more, a batch it cannot decode), it says so in
    the view and tries again: a quiet alerts panel must mean no alerts, not a reader that
    died."""

    def __init__(self, settings: config.Settings) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.recent: deque[dict[str, Any]] = deque(maxlen=8)
        self.firing: dict[str, str] = {}  # store_id -> summary
        self.error: str | None = None  # why the alerts topic is not being read
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._follow()
            except Exception as exc:  # shown in the view; read again a little later
                self.error = said(exc, limit=200)
                self.stop.wait(RETRY_SECONDS)

    def _follow(self) -> None:
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(
            self.settings.kafka.topic("alerts"),
            bootstrap_servers=self.settings.kafka.bootstrap,
            auto_offset_reset="latest",
            consumer_timeout_ms=500,
            # No broker: fail soon and say so in the view (kafka-python waits much longer).
            bootstrap_timeout_ms=int(RETRY_SECONDS * 1000),
        )
        try:
            probed = time.monotonic()
            while not self.stop.is_set():
                for msg in consumer:
                    self.take(msg.value)
                if time.monotonic() - probed >= RETRY_SECONDS:
                    # A broker lost mid-stream: the reader just stops receiving, as on a quiet
                    # shift. Asking the broker for the topic's ends raises instead.
                    consumer.end_offsets(
                        list(consumer.assignment()), timeout_ms=int(RETRY_SECONDS * 1000)
                    )
                    probed = time.monotonic()
                self.error = None
        finally:
            consumer.close()

    def take(self, value: bytes) -> None:
        """One message of the alerts topic."""
        try:
            alert = json.loads(value)
            store = alert["labels"].get("store_id", "?")
            firing, summary = alert["status"] == "firing", alert["summary"]["zh"]
        except (ValueError, KeyError, TypeError, AttributeError):
            return  # not an alert event: the alerts service dead-letters it
        self.recent.appendleft(alert)
        if firing:
            self.firing[store] = summary
        else:
            self.firing.pop(store, None)


def render(samples: Samples, tail: AlertTail, settings: config.Settings, started: float) -> Group:
    consumed = by_label(samples, "cxpulse_events_consumed_total", "event_type")
    invalid = sum(by_label(samples, "cxpulse_events_invalid_total", "reason").values())
    dups = sum(by_label(samples, "cxpulse_events_duplicate_total", "event_type").values())
    late = sum(by_label(samples, "cxpulse_events_late_total", "event_type").values())
    p50 = quantile(samples, "cxpulse_event_latency_seconds", 0.5)
    p99 = quantile(samples, "cxpulse_event_latency_seconds", 0.99)
    clock = samples.get(("cxpulse_event_time_watermark_seconds", ()), 0.0)
    shown = (datetime.fromtimestamp(clock, UTC) + timedelta(hours=8)).strftime("%m-%d %H:%M")
    lat = f"{p50 * 1000:.0f} / {p99 * 1000:.0f} ms" if p50 is not None and p99 else "-"
    head = (
        f"events {int(sum(consumed.values()))} "
        + " ".join(f"{k}={int(v)}" for k, v in sorted(consumed.items()))
        + f"   rejected {int(invalid)}  duplicates {int(dups)}  late {int(late)}"
        + f"\nlatency p50/p99 {lat}   event time {shown if clock else '-'} (UTC+8)"
        + f"   up {int(time.time() - started)} s   metrics "
        + f"http://{settings.worker.metrics_host}:{settings.worker.metrics_port}/metrics"
        + "\nduty manager: CXPULSE_ALERTS__TOKEN=$(cat .cxpulse/up-token) cxpulse alerts list"
    )
    csat = by_label(samples, "cxpulse_store_csat_ratio", "store_id")
    delight = by_label(samples, "cxpulse_store_delight_ratio", "store_id")
    ratings = by_label(samples, "cxpulse_store_ratings", "store_id")
    table = Table(title="rolling CSAT per store (worst first)", expand=True)
    for col in ("store", "CSAT", "delight (5s)", "ratings", "state"):
        table.add_column(col)
    rows = sorted(ratings, key=lambda s: (csat.get(s, 2.0), s))
    for store in rows[:15]:
        c = csat.get(store)
        style = "bold red" if store in tail.firing else ("yellow" if c and c < 0.75 else "")
        table.add_row(
            store,
            f"{c:.0%}" if c is not None else "(few ratings)",
            f"{delight[store]:.0%}" if store in delight else "",
            str(int(ratings[store])),
            "ALERT" if store in tail.firing else "ok",
            style=style,
        )
    alerts = Table(title="alerts (newest first)", expand=True, show_header=False)
    alerts.add_column("when")
    alerts.add_column("what")
    for a in tail.recent:
        colour = "red" if a["status"] == "firing" else "green"
        alerts.add_row(
            a["observed_at"][5:16].replace("T", " "),
            f"[{colour}]{a['status']}[/] {a['summary']['zh']}",
        )
    if tail.error:
        alerts.add_row("", f"[bold red]alerts topic not read: {escape(tail.error)}[/]")
    return Group(Panel(head, title="cxpulse — local"), table, alerts)


def _spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "cxpulse.cli", *args],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
    )


# The simulated stores' time zone (streams.simulate.topology.StoreSpec.tz).
STORE_ZONE = ZoneInfo("Asia/Shanghai")
# Where the simulated day starts: late morning, stores open and filling up towards the lunch peak
# (12:30 in streams.simulate.rhythm), so the drop 20 simulated minutes in meets the busiest
# hour of the day. Measured over 14 days of the simulator: S003's alert came 80-124 simulated
# minutes in on 11 of them; started at 19:09 the same run alerted on 2 of 14.
BUSY_HOUR = 11
DROP_AFTER = timedelta(minutes=20)


def simulated_start(wall: datetime) -> datetime:
    """Today's BUSY_HOUR in the stores' zone ("today" as the stores count it), whatever the
    time on the wall: started in the evening, a clock faster than real time would run into
    the night, when too few ratings arrive for a rate."""
    if wall.tzinfo is None:
        raise ValueError("the wall time must be timezone-aware")
    local = wall.astimezone(STORE_ZONE)
    return local.replace(hour=BUSY_HOUR, minute=0, second=0, microsecond=0)


def simulator_args(start: datetime, speed: float, stores: int) -> list[str]:
    """The live simulator's arguments: from ``start``, with S003's satisfaction dropping
    DROP_AFTER later (something to see)."""
    drop = start + DROP_AFTER
    return [
        "--kafka",
        "--speed",
        str(speed),
        "--stores",
        str(stores),
        "--start",
        start.isoformat(),
        "--scenario",
        f"drop:S003@{drop.isoformat()}/2h",
    ]


# The local run gets a namespace of its own, emptied at every start: its simulator runs faster
# than real time, so yesterday's run would leave store clocks in the future and every new event
# would look late.
LOCAL_NAMESPACE = {
    "CXPULSE_KAFKA__TOPIC_PREFIX": "up",
    "CXPULSE_WORKER__APP_ID": "cxpulse-up",
    # The simulator runs its own clock, 60 times faster than the wall's and starting at a busy
    # daytime hour: its events are "from the future" by design.
    "CXPULSE_INTAKE__MAX_AHEAD": str(365 * 86400),
}


def _local_alerts(home: Path) -> dict[str, str]:
    """A fresh alerts database and API credentials for this local run. The token is written
    to a file (not printed) for `CXPULSE_ALERTS__TOKEN=$(cat .cxpulse/up-token) cxpulse alerts
    list`."""
    home.mkdir(parents=True, exist_ok=True)
    db = home / "up-alerts.db"
    for leftover in (db, db.with_suffix(".db-wal"), db.with_suffix(".db-shm")):
        leftover.unlink(missing_ok=True)
    token_file = home / "up-token"
    token_file.write_text(secrets.token_urlsafe(24), encoding="utf-8")
    token_file.chmod(0o600)
    return {
        "CXPULSE_ALERTS__TOKEN": token_file.read_text(encoding="utf-8"),
        "CXPULSE_ALERTS__LINK_SECRET": secrets.token_urlsafe(32),
        "CXPULSE_ALERTS__DB_URL": f"sqlite:///{db}",
        "CXPULSE_ALERTS__PUBLIC_URL": "http://127.0.0.1:9110",
    }


LOCAL_LOGIN = "duty"


def local_login(db_url: str) -> str:
    """A duty manager's account for the console of this local run; returns its password (a
    fresh one each run, as the database is)."""
    from alerts.auth.accounts import Accounts
    from alerts.db import SqlStore

    password = secrets.token_urlsafe(12)
    store = SqlStore(db_url)  # creates the schema
    try:
        Accounts(store.engine).add_user(LOCAL_LOGIN, password, "admin", "值班经理")
    finally:
        store.close()
    return password


def up(args: argparse.Namespace) -> int:
    os.environ.update(LOCAL_NAMESPACE)
    settings = config.load(args.config)
    broker = localkafka.Broker()
    started_kafka = not localkafka.answers(broker)
    if settings.kafka.bootstrap == broker.bootstrap:
        localkafka.start(broker)
    from streams.topics import delete_namespace, ensure_topics

    delete_namespace(settings.kafka, settings.worker.app_id)
    ensure_topics(settings.kafka)
    logs = localkafka.home() / "logs"
    alerts_env = _local_alerts(localkafka.home())
    os.environ.update(alerts_env)
    start = simulated_start(datetime.now(UTC))
    conf = ["--config", args.config] if args.config else []
    children = [
        _spawn(["worker", *conf], logs / "worker.log"),
        _spawn(
            ["simulate", *conf, *simulator_args(start, args.speed, args.stores)],
            logs / "simulator.log",
        ),
        # The duty manager's side: `cxpulse alerts list` (token in .cxpulse/up-token) shows the
        # alerts with their history; no receiver is configured, so nothing is sent anywhere.
        _spawn(["alerts", "serve", *conf], logs / "alerts.log"),
    ]
    password = local_login(alerts_env["CXPULSE_ALERTS__DB_URL"])
    console = alerts_env["CXPULSE_ALERTS__PUBLIC_URL"]
    print(f"duty console: {console}/  login: {LOCAL_LOGIN}  password: {password}")
    tail = AlertTail(settings)
    tail.start()
    url = f"http://{settings.worker.metrics_host}:{settings.worker.metrics_port}/metrics"
    t0 = time.time()
    try:
        with Live(render({}, tail, settings, t0), refresh_per_second=2, screen=False) as live:
            while args.duration is None or time.time() - t0 < args.duration:
                for child in children:
                    if child.poll() is not None:
                        raise SystemExit(f"a child process exited ({child.args!r}); see {logs}")
                live.update(render(scrape(url), tail, settings, t0))
                time.sleep(1)  # screen refresh pace
    except KeyboardInterrupt:
        pass
    finally:
        tail.stop.set()
        for child in reversed(children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        if started_kafka:
            localkafka.stop(broker)
        print(f"stopped everything started here (logs in {logs})")
        print(
            "the alerts of this run stay in "
            f"{alerts_env['CXPULSE_ALERTS__DB_URL'].removeprefix('sqlite:///')}"
        )
    return 0
