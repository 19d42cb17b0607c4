"""How a bench reads the worker's CPU split from its metrics."""

from __future__ import annotations

from bench.pipeline import written
from bench.readings import where_time_went


def test_the_rest_is_the_process_less_the_parts_and_the_parts_come_largest_first() -> None:
    samples = {
        "cxpulse_worker_busy_seconds_total": [
            ({"part": "rollups"}, 2.0),
            ({"part": "events"}, 14.5),
            ({"part": "page"}, 0.0),
        ],
        "cxpulse_gc_pause_seconds_sum": [({"generation": "0"}, 0.25), ({"generation": "2"}, 0.25)],
    }
    split = where_time_went(samples, 30.0, 1.75)
    assert split == {
        "parts_s": {"events": 14.5, "rollups": 2.0, "page": 0.0},
        "process_cpu_s": 30.0,
        "rest_s": 13.5,
        "process_cpu_s_at_first_reading": 1.75,
        "gc_pauses_s": 0.5,
    }
    assert list(split["parts_s"]) == ["events", "rollups", "page"]


def test_without_the_process_cpu_only_the_parts_are_said() -> None:
    split = where_time_went({}, None)
    assert split == {"parts_s": {}, "gc_pauses_s": 0.0}


def test_the_worker_outputs_are_grouped_and_the_events_it_read_left_out() -> None:
    group = [
        written(t, "b1", "b1-worker")
        for t in (
            "b1-worker-store-state-changelog",
            "b1-worker-__assignor-__leader",
            "b1.signals",
            "b1.alerts",
            "b1.feedback",
            "b1.call",
            "b1-faust-x-changelog",
            "other.signals",
        )
    ]
    assert group == ["changelogs", None, "signals", "alerts", None, None, None, None]
