from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import generate_latest

from schemas.signals import SignalSnapshot
from streams.metrics import Metrics


def snap(city: str) -> SignalSnapshot:
    return SignalSnapshot(
        store_id="S1",
        labels={"brand": "禾风小馆", "region": "西南", "city": city},
        observed_at=datetime(2026, 11, 23, tzinfo=UTC),
        windows=[],
        crisis_score=0,
        negatives_last_hour=0,
        negatives_baseline=None,
        firing=[],
    )


def test_a_store_that_moves_keeps_one_info_series() -> None:
    m = Metrics()
    m.show(snap("成都"))
    m.show(snap("重庆"))
    text = generate_latest(m.registry).decode()
    info = [ln for ln in text.splitlines() if ln.startswith("cxpulse_store_info{")]
    assert len(info) == 1 and 'city="重庆"' in info[0]


def test_rule_and_clock_series_exist_before_their_first_event() -> None:
    text = generate_latest(Metrics().registry).decode()
    assert 'cxpulse_alert_events_total{rule="taboo_phrase",status="firing"} 0.0' in text
    assert 'cxpulse_sla_events_total{clock="first_response",transition="breached"} 0.0' in text
    assert "process_start_time_seconds" in text


def test_channel_ratings_are_bounded() -> None:
    m = Metrics()
    for i in range(20):
        m.rating("禾风小馆", "西南", f"ch{i}", 5)
    text = generate_latest(m.registry).decode()
    series = [ln for ln in text.splitlines() if ln.startswith("cxpulse_channel_ratings_total{")]
    assert len(series) == 13  # 12 named channels + "other"
    assert any('channel="other"' in s and s.endswith(" 8.0") for s in series)
