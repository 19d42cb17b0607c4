"""Where `cxpulse up` starts its simulated clock: a busy late morning in the stores' zone, on the
stores' date, whatever the wall clock says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from alerts.auth.accounts import Accounts
from alerts.db import SqlStore
from cxpulse.config import Settings
from cxpulse.live import (
    LOCAL_LOGIN,
    AlertTail,
    local_login,
    render,
    simulated_start,
    simulator_args,
)
from streams.simulate import SimConfig
from streams.simulate.rhythm import day_profile
from tests.waiting import free_port, wait_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_an_evening_start_runs_from_eleven_in_the_morning() -> None:
    wall = datetime(2026, 12, 4, 19, 9, 41, 123456, tzinfo=SHANGHAI)
    assert simulated_start(wall) == datetime(2026, 12, 4, 11, 0, tzinfo=SHANGHAI)
    assert simulated_start(wall).isoformat() == "2026-12-04T11:00:00+08:00"


def test_the_day_is_the_stores_day_not_the_utc_day() -> None:
    # 20:30 UTC on the 4th is 04:30 on the 5th in Shanghai.
    wall = datetime(2026, 12, 4, 20, 30, tzinfo=UTC)
    assert simulated_start(wall) == datetime(2026, 12, 5, 11, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("hour", range(24))
def test_every_hour_of_the_day_starts_at_the_same_busy_moment(hour: int) -> None:
    wall = datetime(2026, 12, 4, hour, 17, tzinfo=SHANGHAI)
    start = simulated_start(wall)
    assert start == datetime(2026, 12, 4, 11, 0, tzinfo=SHANGHAI)
    cfg = SimConfig()
    profile = day_profile(cfg.open_hour, cfg.close_hour)
    # The drop (20 simulated minutes in) and the next hour lie in open, busy hours.
    assert all(profile[h] >= 0.5 for h in (start.hour, start.hour + 1))


def test_a_naive_wall_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        simulated_start(datetime(2026, 12, 4, 19, 9))


def test_the_simulator_starts_there_and_drops_s003_twenty_minutes_later() -> None:
    start = simulated_start(datetime(2026, 12, 4, 11, 9, tzinfo=UTC))
    args = simulator_args(start, 60.0, 20)
    assert args[args.index("--start") + 1] == "2026-12-04T11:00:00+08:00"
    assert args[args.index("--scenario") + 1] == "drop:S003@2026-12-04T11:20:00+08:00/2h"
    assert start + timedelta(minutes=20) == datetime(2026, 12, 4, 3, 20, tzinfo=UTC)


def test_the_local_run_has_a_console_login_that_signs_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'up.db'}"
    password = local_login(url)
    store = SqlStore(url)
    try:
        accounts = Accounts(store.engine)
        user = accounts.authenticate(LOCAL_LOGIN, password)
        assert user is not None and user.role == "admin"
        assert accounts.authenticate(LOCAL_LOGIN, password + "x") is None
    finally:
        store.close()


def test_the_alerts_panel_says_when_the_alerts_topic_is_not_read() -> None:
    """No broker where the view looks: the reader says why in the panel and keeps trying,
    instead of dying and leaving a panel that looks like a quiet shift."""
    settings = Settings(kafka={"bootstrap": f"127.0.0.1:{free_port()}"})
    tail = AlertTail(settings)
    tail.start()
    try:
        wait_for(lambda: tail.error, timeout=30, what="the reader's error")
        assert tail.is_alive()  # still trying
        console = Console(record=True, width=200)
        console.print(render({}, tail, settings, 0.0))
        assert "alerts topic not read: KafkaTimeoutError" in console.export_text()
    finally:
        tail.stop.set()


def test_the_alerts_panel_keeps_alert_events_and_passes_over_anything_else() -> None:
    tail = AlertTail(Settings())
    event = {"status": "firing", "labels": {"store_id": "S1"}, "summary": {"zh": "满意度低"}}
    tail.take(b"not json")
    tail.take(b'{"status": "firing"}')
    tail.take(json.dumps(event).encode())
    assert tail.firing == {"S1": "满意度低"} and len(tail.recent) == 1
    tail.take(json.dumps({**event, "status": "resolved"}).encode())
    assert tail.firing == {} and len(tail.recent) == 2


def test_an_error_is_shown_as_it_reads_not_as_markup() -> None:
    tail = AlertTail(Settings())
    # A message carries what it was given: here text that reads as rich markup.
    tail.error = "ValueError: invalid header value '[b]old[/b]'"
    console = Console(record=True, width=200)
    console.print(render({}, tail, Settings(), 0.0))
    assert f"alerts topic not read: {tail.error}" in console.export_text()
