"""The store export: rollups are sums of counts, per-store series only for the listed stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import generate_latest
from pydantic import ValidationError

from schemas.signals import CallSignals, SignalSnapshot, WindowSignals
from streams.metrics import Metrics
from streams.metrics.export import ExportConfig, wilson


def window(counts: list[int], name: str = "24h", negatives: int | None = None) -> WindowSignals:
    n = sum(counts)
    return WindowSignals(
        window=name,
        ratings=n,
        rating_counts=counts,
        csat=(counts[3] + counts[4]) / n if n >= 5 else None,
        delight=counts[4] / n if n >= 5 else None,
        mean_rating=None,
        nps=None,
        nps_counts=[3, 1, 1],
        ces=None,
        expectation_gap=None,
        negatives=counts[0] + counts[1] if negatives is None else negatives,
        unhappy=0,
        positives=0,
        reach=10,
        repair_debt=2,
    )


def snap(
    sid: str,
    counts: list[int],
    region: str = "华东",
    city: str = "上海",
    firing: tuple[str, ...] = (),
    crisis: float = 0.0,
    calls: tuple[CallSignals, ...] = (),
    negatives: int | None = None,
) -> SignalSnapshot:
    return SignalSnapshot(
        store_id=sid,
        labels={"brand": "禾风小馆", "region": region, "city": city},
        observed_at=datetime(2026, 11, 23, tzinfo=UTC),
        windows=[window(counts, "1h", negatives), window(counts, "24h", negatives)],
        crisis_score=crisis,
        negatives_last_hour=1,
        negatives_baseline=0.5,
        firing=list(firing),
        calls=list(calls),
    )


def values(m: Metrics, name: str) -> dict[frozenset[tuple[str, str]], float]:
    out = {}
    for family in m.registry.collect():
        for s in family.samples:
            if s.name == name:
                out[frozenset(s.labels.items())] = s.value
    return out


def value(m: Metrics, name: str, **labels: str) -> float | None:
    return values(m, name).get(frozenset(labels.items()))


def stores_with(m: Metrics, name: str) -> set[str]:
    return {dict(k)["store_id"] for k in values(m, name)}


def csat(m: Metrics, level: str, **group: str) -> float:
    def n(ratings: str) -> float:
        return sum(
            v
            for k, v in values(m, f"cxpulse_{level}_ratings").items()
            if dict(k)["rating"] in ratings
            and dict(k)["window"] == "24h"
            and group.items() <= dict(k).items()
        )

    return n("45") / n("12345")


def test_a_region_s_csat_is_its_ratings_share_not_the_mean_of_its_stores() -> None:
    m = Metrics()
    m.show(snap("S1", [0, 0, 0, 0, 3]))  # 100 % of 3 ratings
    m.show(snap("S2", [60, 0, 0, 30, 10]))  # 40 % of 100
    m.show(snap("S3", [0, 0, 0, 5, 5], region="西南", city="成都"))
    assert csat(m, "region", region="华东") == 43 / 103  # a mean of ratios would say 0.70
    assert csat(m, "city", region="华东", city="上海") == 43 / 103
    assert csat(m, "brand", brand="禾风小馆") == 53 / 113
    assert value(m, "cxpulse_region_stores", region="华东") == 2
    assert value(m, "cxpulse_region_negatives", region="华东", window="24h") == 60
    assert (
        value(m, "cxpulse_brand_nps_answers", brand="禾风小馆", window="1h", group="promoter") == 9
    )


def test_a_new_snapshot_replaces_the_store_s_share_and_a_move_takes_it_along() -> None:
    m = Metrics()
    m.show(snap("S1", [0, 0, 0, 0, 3]))
    m.show(snap("S2", [1, 0, 0, 0, 1]))
    m.show(snap("S1", [0, 0, 0, 1, 9]))  # S1 again: its 3 ratings give way to these 10
    assert (
        value(m, "cxpulse_city_ratings", region="华东", city="上海", window="24h", rating="5") == 10
    )
    m.show(snap("S2", [1, 0, 0, 0, 1], region="华东", city="杭州"))
    assert value(m, "cxpulse_city_stores", region="华东", city="上海") == 1
    assert value(m, "cxpulse_city_stores", region="华东", city="杭州") == 1
    assert value(m, "cxpulse_region_stores", region="华东") == 2
    m.show(snap("S2", [1, 0, 0, 0, 1], region="西南", city="成都"))
    # the emptied city and its figures are gone, not left at zero
    assert not [k for k in values(m, "cxpulse_city_ratings") if ("city", "杭州") in k]


def test_stores_a_worker_no_longer_holds_leave_its_sums() -> None:
    m = Metrics()
    for i in range(4):
        m.show(snap(f"S{i}", [0, 0, 0, 1, 1]))
    m.retain(lambda sid: sid in {"S0", "S1"})
    assert value(m, "cxpulse_region_stores", region="华东") == 2
    assert value(m, "cxpulse_region_ratings", region="华东", window="24h", rating="5") == 2
    assert stores_with(m, "cxpulse_store_info") == {"S0", "S1"}
    m.forget(["S0", "S1"])
    assert values(m, "cxpulse_region_stores") == {}


def test_call_rates_roll_up_as_counts_over_the_rated_stores() -> None:
    def calls(offered: int, answered: int, in_sl: int | None, asa: float | None) -> CallSignals:
        rated = in_sl is not None
        return CallSignals(
            scope="store",
            scope_id="",
            window="24h",
            offered=offered,
            answered=answered,
            abandoned=offered - answered,
            abandonment=(offered - answered) / offered if rated else None,
            asa=asa,
            aht=100.0 if rated else None,
            service_level=round(in_sl / offered, 4) if in_sl is not None else None,
            transfer_rate=round(1 / answered, 4) if rated else None,
            repeated_transfer_rate=None,
            fcr=None,
            repeat_rate=None,
        )

    m = Metrics()
    m.show(snap("S1", [0] * 5, calls=(calls(30, 27, 21, 10.0),)))
    m.show(snap("S2", [0] * 5, calls=(calls(7, 3, 2, 4.0),)))
    m.show(snap("S3", [0] * 5, calls=(calls(4, 4, None, None),)))  # too few calls for rates
    r = {"region": "华东", "window": "24h"}
    assert value(m, "cxpulse_region_call_offered", **r) == 41
    assert value(m, "cxpulse_region_call_abandoned", **r) == 7
    assert value(m, "cxpulse_region_call_rated_offered", **r) == 37
    assert value(m, "cxpulse_region_call_in_service_level", **r) == 23  # service level 23/37
    assert value(m, "cxpulse_region_call_wait_seconds", **r) == 27 * 10.0 + 3 * 4.0
    assert value(m, "cxpulse_region_call_rated_answered", **r) == 30
    assert value(m, "cxpulse_region_call_transferred", **r) == 2


def test_only_the_worst_of_each_list_and_the_alerting_stores_get_series() -> None:
    m = Metrics(export=ExportConfig(worst_n=2))
    for i in range(10):  # CSAT 10 / (20 - i): S0 is the worst; negatives grow with i
        m.show(snap(f"S{i}", [0, 0, 10 - i, 10, 0], negatives=i))
    m.show(snap("S9", [0, 0, 1, 10, 0], negatives=9, firing=("crisis",), crisis=5.0))
    listed = values(m, "cxpulse_store_listed")
    ranks = {(dict(k)["store_id"], dict(k)["list"]): v for k, v in listed.items()}
    assert ranks == {
        ("S0", "csat"): 1,
        ("S1", "csat"): 2,
        ("S9", "negatives"): 1,
        ("S8", "negatives"): 2,
        ("S9", "crisis"): 1,
        ("S9", "alert"): 1,
    }
    assert stores_with(m, "cxpulse_store_csat_ratio") == {"S0", "S1", "S8", "S9"}
    assert stores_with(m, "cxpulse_store_info") == {"S0", "S1", "S8", "S9"}
    # S0 recovers: it leaves the list and its series go with it; S2 moves up
    m.show(snap("S0", [0, 0, 0, 10, 90], negatives=0))
    assert stores_with(m, "cxpulse_store_info") == {"S1", "S2", "S8", "S9"}
    assert value(m, "cxpulse_store_ratings", store_id="S0", window="24h") is None
    # the rollups still hold every store
    assert value(m, "cxpulse_brand_stores", brand="禾风小馆") == 10


def test_a_worker_with_no_more_stores_than_a_list_shows_them_all() -> None:
    m = Metrics(export=ExportConfig(worst_n=3))
    for i in range(3):
        m.show(snap(f"S{i}", [0, 0, 0, 0, 0]))  # no rate, no negatives: in no list
    assert stores_with(m, "cxpulse_store_info") == {"S0", "S1", "S2"}
    m.show(snap("S3", [0, 0, 0, 0, 0]))
    assert stores_with(m, "cxpulse_store_info") == set()


def test_csat_ranks_the_surely_bad_store_before_the_small_unlucky_one() -> None:
    m = Metrics(export=ExportConfig(worst_n=1))
    m.show(snap("small", [6, 0, 0, 4, 5]))  # 60 % of 15
    m.show(snap("big", [165, 0, 0, 100, 35]))  # 45 % of 300
    ranks = {dict(k)["store_id"]: v for k, v in values(m, "cxpulse_store_listed").items()}
    assert ranks == {"big": 1}
    assert wilson(9, 15, 1.64)[0] < wilson(135, 300, 1.64)[0]  # the lower end would not


def test_the_series_stay_bounded_whatever_the_number_of_stores() -> None:
    m = Metrics(export=ExportConfig(worst_n=5))
    for i in range(2000):
        m.show(snap(f"S{i}", [i % 7, 0, 0, 5, 5], city=f"C{i % 20}", crisis=i % 3))
    text = generate_latest(m.registry).decode()
    per_store = [ln for ln in text.splitlines() if ln.startswith("cxpulse_store_")]
    listed = stores_with(m, "cxpulse_store_info")
    assert 5 <= len(listed) <= 3 * 5  # csat, negatives, crisis (no calls here)
    assert len(per_store) <= 40 * len(listed)
    assert value(m, "cxpulse_region_stores", region="华东") == 2000


def test_a_poller_can_ask_for_one_family_by_name() -> None:
    m = Metrics()
    m.show(snap("S1", [0, 0, 0, 1, 1]))
    page = generate_latest(m.registry.restricted_registry(["cxpulse_region_stores"])).decode()
    assert 'cxpulse_region_stores{region="华东"} 1.0' in page
    assert "cxpulse_city_stores" not in page and "cxpulse_events_consumed" not in page


def test_only_the_configured_windows_are_exported() -> None:
    m = Metrics(export=ExportConfig(windows=("24h",), worst_n=5))
    m.show(snap("S1", [0, 0, 0, 1, 1]))
    assert {dict(k)["window"] for k in values(m, "cxpulse_store_ratings")} == {"24h"}
    assert {dict(k)["window"] for k in values(m, "cxpulse_region_ratings")} == {"24h"}


def test_a_window_given_twice_is_refused() -> None:
    with pytest.raises(ValidationError):
        ExportConfig(windows=("1h", "1h"))


def test_the_fast_page_is_the_text_the_generic_writer_gives() -> None:
    m = Metrics(export=ExportConfig(worst_n=2))
    # Label values from events may hold what the format must escape.
    odd = 'Nan"jing\\West\nGate'
    for i in range(6):
        m.show(snap(f"S{i}", [i, 1, 2, 3, 4 + i], city=odd if i % 2 else "上海", crisis=i / 3))
    m.show(snap("S9", [5, 0, 0, 0, 0], firing=("csat_low",), region=odd))
    m.consumed.labels("feedback").inc(3)

    def lines(page: bytes) -> list[str]:
        # Process figures (CPU, memory) move between two reads; everything else must not.
        return sorted(ln for ln in page.decode().splitlines() if "process_" not in ln)

    fast, generic = m.render(), generate_latest(m.registry)
    assert lines(fast) == lines(generic)
    assert '\\"jing\\\\West\\nGate' in fast.decode()  # escaped, not cut or raw
    # Outside ``render`` the export is collected as before (restricted reads, tests).
    assert "cxpulse_store_listed" in generate_latest(m.registry).decode()


def test_the_page_after_changes_is_the_text_the_generic_writer_gives() -> None:
    """Lines are kept per store and per rollup group between pages: every kind of change
    between two pages must reach the second one."""
    m = Metrics(export=ExportConfig(worst_n=2))

    def same() -> None:
        fast = sorted(ln for ln in m.render().decode().splitlines() if "process_" not in ln)
        generic = generate_latest(m.registry).decode().splitlines()
        assert fast == sorted(ln for ln in generic if "process_" not in ln)

    for i in range(6):
        m.show(snap(f"S{i}", [i, 1, 2, 3, 4], city="上海" if i % 2 else "杭州"))
    same()
    first = m.stores.text()
    assert m.stores.text() is first  # no change: the same page, not written again
    m.show(snap("S1", [9, 9, 0, 0, 1], city="上海"))  # a listed store turns worse
    same()
    m.show(snap("S2", [0, 0, 0, 1, 4], region="华南", city="广州"))  # moves region and city
    same()
    m.show(snap("S3", [3, 1, 2, 3, 4], city="上海", firing=("csat_low",)))  # an alert fires
    same()
    m.show(snap("S7", [0, 0, 1, 1, 1], city="杭州"))  # a new store joins groups on the page
    same()
    m.show(snap('S"8\\', [9, 9, 0, 0, 0], city='Nan"jing'))  # ids the format must escape
    same()
    m.forget(["S1", "S4"])
    same()
    assert 'store_id="S1"' not in m.render().decode()
    assert m.stores.text() != first
