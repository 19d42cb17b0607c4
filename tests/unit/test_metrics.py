from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import generate_latest
from pydantic import ValidationError

from schemas.signals import SignalSnapshot
from streams.cardinality import LabelCapsConfig
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


def series(m: Metrics, name: str) -> list[str]:
    text = generate_latest(m.registry).decode()
    return [ln for ln in text.splitlines() if ln.startswith(name + "{")]


def overflow(m: Metrics, label: str) -> float:
    return m.registry.get_sample_value("cxpulse_label_overflow_total", {"label": label}) or 0.0


def store(
    store_id: str, brand: str = "禾风小馆", region: str = "西南", city: str = "成都"
) -> SignalSnapshot:
    return snap(city).model_copy(
        update={"store_id": store_id, "labels": {"brand": brand, "region": region, "city": city}}
    )


def test_ten_thousand_hostile_brands_make_at_most_cap_plus_one_series() -> None:
    m = Metrics(caps=LabelCapsConfig(brand=50))
    for i in range(10_000):
        m.rating(f"brand-{i}", "西南", "qr", 5)
    rated = series(m, "cxpulse_channel_ratings_total")
    assert len(rated) == 51  # the first 50 brands + "other"
    assert 'brand="brand-49"' in "".join(rated) and 'brand="brand-50"' not in "".join(rated)
    other = [s for s in rated if 'brand="other"' in s]
    assert len(other) == 1 and other[0].endswith(" 9950.0")
    assert overflow(m, "brand") == 9_950
    assert overflow(m, "region") == 0 and overflow(m, "channel") == 0


def test_a_repeated_rating_counts_each_time_and_an_overflowing_one_each_time_too() -> None:
    m = Metrics(caps=LabelCapsConfig(brand=1))
    for _ in range(3):
        m.rating("a", "西南", "qr", 5)
        m.rating("b", "西南", "qr", 5)  # over the brand cap: "other", and an overflow each time
    rated = sorted(series(m, "cxpulse_channel_ratings_total"))
    assert [(s.split('brand="')[1].split('"')[0], s.rsplit(" ", 1)[1]) for s in rated] == [
        ("a", "3.0"),
        ("other", "3.0"),
    ]
    assert overflow(m, "brand") == 3


def test_hostile_brands_regions_and_cities_in_rollups_share_one_cap_per_label() -> None:
    m = Metrics(caps=LabelCapsConfig(brand=5, region=7, city=9))
    for i in range(10_000):
        m.show(store(f"S{i}", brand=f"b{i}", region=f"r{i}", city=f"c{i}"))
    for label, cap in (("brand", 5), ("region", 7), ("city", 9)):
        rows = series(m, f"cxpulse_{label}_stores")
        values = {ln.split(f'{label}="')[1].split('"')[0] for ln in rows}
        assert len(values) == cap + 1 and "other" in values
        # every store still counts: the overflow is summed under "other"
        assert sum(float(ln.rsplit(" ", 1)[1]) for ln in rows) == 10_000
    assert overflow(m, "brand") == 10_000 - 5
    # The brand cap is one per label, not per metric: ratings see the same 5 brands.
    m.rating("b3", None, None, 4)
    m.rating("b6", None, None, 4)
    assert {
        s.split('brand="')[1].split('"')[0] for s in series(m, "cxpulse_channel_ratings_total")
    } == {"b3", "other"}


def test_stores_past_the_cap_get_no_series_of_their_own_but_count_in_rollups() -> None:
    m = Metrics(caps=LabelCapsConfig(store_id=100))
    for i in range(10_000):  # every one with an alert firing: each would be listed
        m.show(store(f"hostile-{i}").model_copy(update={"firing": ["crisis"]}))
    assert len(series(m, "cxpulse_store_crisis_score")) == 100
    assert len(series(m, "cxpulse_store_info")) == 100
    assert series(m, "cxpulse_region_stores") == ['cxpulse_region_stores{region="西南"} 10000.0']
    assert overflow(m, "store_id") == 9_900
    m.show(store("hostile-7"))  # an early store keeps its series
    assert overflow(m, "store_id") == 9_900


def test_uncovered_years_are_capped() -> None:
    m = Metrics(caps=LabelCapsConfig(year=3))
    for year in range(1, 10_000):
        m.uncovered("cn", year)
    years = series(m, "cxpulse_calendar_uncovered_year")
    assert len(years) == 4 and any('year="other"' in s for s in years)
    assert overflow(m, "year") == 9_996


def test_overflow_series_exist_before_the_first_overflow() -> None:
    for label in ("store_id", "brand", "region", "city", "channel", "year"):
        assert overflow(Metrics(), label) == 0.0
        assert (
            f'cxpulse_label_overflow_total{{label="{label}"}} 0.0'
            in generate_latest(Metrics().registry).decode()
        )


def test_caps_are_validated() -> None:
    assert LabelCapsConfig().model_dump() == {
        "store_id": 12_000,
        "brand": 50,
        "region": 100,
        "city": 500,
        "channel": 12,
        "year": 10,
    }
    with pytest.raises(ValidationError):
        LabelCapsConfig(brand=0)
    with pytest.raises(ValidationError):
        LabelCapsConfig.model_validate({"platform": 5})  # no such label: a typo is an error
