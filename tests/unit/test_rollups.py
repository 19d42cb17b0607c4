"""Rollup alerts on the core: exact counts in, exact alerts out, whatever the interleaving of the
source partitions."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Iterator

import orjson
import pytest

from schemas.alerts import AlertEvent
from streams.core.rollup.config import RollupConfig
from streams.core.rollup.model import Contribution, Idle, Mark, decode, encode, encode_items
from streams.core.rollup.state import Rollups

T0 = 1_764_547_200.0  # 2025-12-01 00:00 UTC, on a step and an hour boundary
HOUR = 3600.0
DAY = 86400.0
CFG = RollupConfig()
EAST, WEST = range(10), range(10, 20)


def place(n: int) -> tuple[str, str, str, str]:
    """Store n: brand B; stores 0-9 in region East (cities A: 0-4, B: 5-9), 10-19 in West (C)."""
    if n < 10:
        return f"S{n:03d}", "B", "East", "A" if n < 5 else "B"
    return f"S{n:03d}", "B", "West", "C"


def ratings(
    stores: Iterable[int], start: float, hours: float, per_hour: int, good_every: int
) -> Iterator[Contribution]:
    """``per_hour`` ratings an hour at each store, evenly spread: one in ``good_every`` a 5,
    the others a 2 (a negative). Store n sits on source partition n % 2."""
    gap = HOUR / per_hour
    for i in range(int(hours * per_hour)):
        at = start + i * gap
        for n in stores:
            sid, brand, region, city = place(n)
            good = (i + n) % good_every == 0
            rating = 5 if good else 2
            yield Contribution(n % 2, at, f"{sid}-{at}", sid, brand, region, city, rating, not good)


def in_order(*parts: Iterable[Contribution]) -> list[Contribution]:
    return sorted((c for p in parts for c in p), key=lambda c: (c.at, c.store_id))


def run(items: Iterable[Contribution], partitions: int = 1) -> tuple[Rollups, list[AlertEvent]]:
    """Count the contributions in the given order, judging as they come, then end the
    stream (every partition idle); the state and every alert change."""
    r = Rollups(CFG, partitions)
    alerts: list[AlertEvent] = []
    for c in items:
        r.add(c)
        alerts += r.advance()
    for p in range(partitions):
        r.set_idle(p)
    return r, alerts + r.advance()


def alerts_of(items: Iterable[Contribution], partitions: int = 1) -> list[AlertEvent]:
    return run(items, partitions)[1]


def brief(alerts: list[AlertEvent]) -> list[tuple[str, str, str, float]]:
    """(rule, status, entity, hours after T0 it was judged)."""
    out: list[tuple[str, str, str, float]] = []
    for a in alerts:
        entity = a.labels["level"] + ":" + a.labels[a.labels["level"]]
        out.append((a.rule, a.status, entity, (a.observed_at.timestamp() - T0) / HOUR))
    return out


def slipping_east() -> list[Contribution]:
    """Two good hours everywhere, then two hours where every East store gets 1 good rating in
    3 while West stays good. 8 ratings an hour a store: too few for a store's own CSAT rule
    (15), 80 an hour for the region."""
    return in_order(
        ratings(range(20), T0, 2, 8, 1),
        ratings(EAST, T0 + 2 * HOUR, 2, 8, 3),
        ratings(WEST, T0 + 2 * HOUR, 2, 8, 1),
    )


def test_a_region_whose_stores_all_slip_a_little_pages_once_naming_its_worst_stores() -> None:
    alerts = alerts_of(slipping_east())
    # Judged every 5 min over the last hour: the region is clearly low at 2:55. The brand (half
    # its stores fine) is not, and the cities (40 ratings an hour) are too small to judge.
    assert brief(alerts) == [("rollup_csat_low", "firing", "region:East", 2 + 55 / 60)]
    [a] = alerts
    assert a.labels == {"level": "region", "brand": "B", "region": "East"}
    assert a.values == {
        "csat": 0.3375,
        "ratings": 80.0,
        "stores": 10.0,
        "threshold": 0.6,
        "window_seconds": 3600.0,
    }
    assert a.summary.zh == (
        "区域 East 满意度下降：近 60 分钟 CSAT 34%（80 条评价，低于 60%）；"
        "最差门店：S001 25%、S004 25%、S007 25%、S000 38%、S002 38%"
    )
    assert a.summary.en.endswith("worst stores: S001 25%, S004 25%, S007 25%, S000 38%, S002 38%")


def test_one_bad_store_does_not_page_its_region() -> None:
    # S000 alone: 60 ratings an hour, nearly all 2s, enough to pull East's CSAT under 60 %;
    # without it the region is fine, so the page is the store's own.
    items = in_order(
        ratings(range(20), T0, 2, 8, 1),
        ratings(range(1, 20), T0 + 2 * HOUR, 2, 8, 1),
        ratings([0], T0 + 2 * HOUR, 2, 60, 1000),
    )
    r, alerts = run(items)
    assert alerts == []
    east = r.entities["region\x1fB\x1fEast"]
    window = [east.steps[s] for s in east.steps if T0 + 3 * HOUR <= s < T0 + 4 * HOUR]
    sat, n = sum(w[0] for w in window), sum(w[1] for w in window)
    assert n == 132 and sat / n < 0.6  # the region is low, but only because of one store


def test_it_resolves_once_the_region_has_recovered() -> None:
    items = in_order(
        slipping_east(),
        ratings(range(20), T0 + 4 * HOUR, 2, 8, 1),
    )
    alerts = alerts_of(items)
    assert brief(alerts) == [
        ("rollup_csat_low", "firing", "region:East", 2 + 55 / 60),
        # Back at 70 % or more (the hysteresis band) once most of the window is good again.
        ("rollup_csat_low", "resolved", "region:East", 4 + 35 / 60),
    ]
    assert alerts[1].starts_at == alerts[0].starts_at
    assert alerts[1].summary.zh == "区域 East 满意度已恢复：近 60 分钟 CSAT 75%（80 条评价）"


def test_the_same_alerts_whatever_the_interleaving_of_the_partitions() -> None:
    items = in_order(slipping_east(), ratings(range(20), T0 + 4 * HOUR, 2, 8, 1))
    p0 = [c for c in items if c.partition == 0]
    p1 = [c for c in items if c.partition == 1]
    expected = brief(alerts_of(items, partitions=2))
    assert len(expected) == 2
    assert brief(alerts_of(p0 + p1, partitions=2)) == expected  # one partition far ahead
    assert brief(alerts_of(p1 + p0, partitions=2)) == expected
    bursty: list[Contribution] = []
    for i in range(0, max(len(p0), len(p1)), 500):  # bursts of 500 a partition, turn about
        bursty += p1[i : i + 500] + p0[i : i + 500]
    assert brief(alerts_of(bursty, partitions=2)) == expected
    # And a single partition holding it all judges the same.
    assert brief(alerts_of(items, partitions=1)) == expected


def test_nothing_is_judged_until_every_partition_has_passed_the_boundary() -> None:
    r = Rollups(CFG, partitions=2)
    for c in ratings([0, 2, 4], T0, 2, 8, 1):  # partition 0 only
        r.add(c)
    assert r.advance() == [] and r.judged is None
    r.mark(1, T0 + HOUR)  # partition 1 has passed 1:00: judged up to 1:00 less the lateness
    r.advance()
    assert r.judged == T0 + HOUR - 300
    r.set_idle(1)  # nothing left to read on it: partition 0 alone decides (its newest, 1:52:30)
    r.advance()
    assert r.judged == T0 + HOUR + 50 * 60


def test_late_and_repeated_contributions_are_left_out_and_counted() -> None:
    r = Rollups(CFG, partitions=1)
    first = next(ratings([0], T0 + 1000, 1, 8, 1))
    assert r.add(first)
    assert not r.add(first) and r.duplicates == 1  # a replayed message counts once
    sid, brand, region, city = place(0)
    just_in = Contribution(0, T0 + 1000 - 120, "a", sid, brand, region, city, 5, False)
    too_late = Contribution(0, T0 + 1000 - 121, "b", sid, brand, region, city, 5, False)
    assert r.add(just_in) and not r.add(too_late) and r.late == 1
    other = Contribution(1, T0, "c", sid, brand, region, city, 5, False)
    assert r.add(other)  # lateness is judged per source partition


def test_a_drop_against_the_regions_own_baseline() -> None:
    # Four days of 7 good ratings in 8 at every store over lunch; on day five East falls to
    # 5 in 8 (each hour's low ratings come first). At 11:40 its 60 ratings are half good: not
    # clearly under the 60 % threshold at 60 ratings (no rollup_csat_low), clearly under its own
    # 88 % of 640 ratings.
    days = [_mixed(range(20), T0 + d * DAY + 11 * HOUR, 2, 8, bad=1) for d in range(4)]
    items = in_order(
        *days,
        _mixed(EAST, T0 + 4 * DAY + 11 * HOUR, 2, 8, bad=3),
        _mixed(WEST, T0 + 4 * DAY + 11 * HOUR, 2, 8, bad=1),
    )
    alerts = alerts_of(items)
    assert brief(alerts) == [("rollup_csat_drop", "firing", "region:East", 4 * 24 + 11 + 40 / 60)]
    [drop] = alerts
    assert drop.values == {
        "csat": 0.5,
        "baseline_csat": 0.875,
        "ratings": 60.0,
        "baseline_ratings": 640.0,
        "window_seconds": 3600.0,
    }
    assert drop.summary.zh.startswith(
        "区域 East 满意度较平时下降：近 60 分钟 CSAT 50%，此前 4 天为 88%（60 条评价）"
    )


def test_a_negative_spike_against_the_same_hours_of_earlier_days() -> None:
    # Four days with 1 low rating in 8 at each East store over lunch (10 negatives an hour in
    # the region); on day five 5 in 8 at every store: 50 an hour.
    normal = [_mixed(EAST, T0 + d * DAY + 11 * HOUR, 2, 8, bad=1) for d in range(4)]
    assert alerts_of(in_order(*normal, _mixed(EAST, T0 + 4 * DAY + 11 * HOUR, 2, 8, 1))) == []
    normal = [_mixed(EAST, T0 + d * DAY + 11 * HOUR, 2, 8, bad=1) for d in range(4)]
    alerts = alerts_of(in_order(*normal, _mixed(EAST, T0 + 4 * DAY + 11 * HOUR, 2, 8, bad=5)))
    spikes = [a for a in alerts if a.rule == "rollup_negative_spike"]
    day5 = 4 * 24 + 11
    assert brief(spikes) == [
        ("rollup_negative_spike", "firing", "brand:B", day5 + 20 / 60),
        ("rollup_negative_spike", "firing", "region:East", day5 + 25 / 60),
        ("rollup_negative_spike", "firing", "city:A", day5 + 35 / 60),
        ("rollup_negative_spike", "firing", "city:B", day5 + 35 / 60),
    ]
    region = spikes[1]
    # 40 negatives in the 25 minutes since lunch began; usually about 4 in that clock window.
    assert region.values == {
        "negatives": 40.0,
        "expected": 4.17,
        "bar": 20.0,
        "window_seconds": 3600.0,
    }
    assert region.summary.zh == (
        "区域 East 负面反馈激增：近 60 分钟 40 条，平时约 4.2 条；"
        "最多的门店：S000 4 条、S001 4 条、S002 4 条、S003 4 条、S004 4 条"
    )
    # Its satisfaction fell at the same time, against the threshold and its own 88 %.
    rest = {(a.rule, a.labels["level"]) for a in alerts if a.rule != "rollup_negative_spike"}
    assert rest == {
        ("rollup_csat_low", "brand"),
        ("rollup_csat_drop", "brand"),
        ("rollup_csat_low", "region"),
        ("rollup_csat_drop", "region"),
    }


def _mixed(
    stores: Iterable[int], start: float, hours: float, per_hour: int, bad: int
) -> Iterator[Contribution]:
    """``bad`` of every ``per_hour`` ratings a 1 (negative), the rest 5s."""
    gap = HOUR / per_hour
    for i in range(int(hours * per_hour)):
        at = start + i * gap
        for n in stores:
            sid, brand, region, city = place(n)
            low = i % per_hour < bad
            yield Contribution(
                n % 2, at, f"{sid}-{at}", sid, brand, region, city, 1 if low else 5, low
            )


def test_the_state_saved_midway_carries_on_as_if_never_stopped() -> None:
    items = in_order(slipping_east(), ratings(range(20), T0 + 4 * HOUR, 2, 8, 1))
    whole = brief(alerts_of(items))
    half = len(items) // 2
    r = Rollups(CFG, partitions=1)
    got: list[AlertEvent] = []
    for c in items[:half]:
        r.add(c)
        got += r.advance()
    saved = orjson.loads(orjson.dumps(r.to_json()))
    r = Rollups.from_json(saved, CFG, partitions=1)
    for c in items[half - 50 : half]:  # re-read after the restart: counted once
        r.add(c)
    for c in items[half:]:
        r.add(c)
        got += r.advance()
    r.set_idle(0)
    got += r.advance()
    assert brief(got) == whole


def halfway() -> tuple[Rollups, list[Contribution]]:
    """The slipping region counted up to its middle, and all of it."""
    items = in_order(slipping_east())
    r = Rollups(CFG, partitions=1)
    for c in items[: len(items) // 2]:
        r.add(c)
        r.advance()
    return r, items


def test_a_checkpoint_in_the_form_before_still_loads() -> None:
    r, _ = halfway()
    now = orjson.loads(orjson.dumps(r.to_json()))
    before = {
        **now,
        "stores": [
            [int(s), [[sid, *row] for sid, row in rows.items()]]
            for s, rows in now["stores"].items()
        ],
    }
    assert Rollups.from_json(before, CFG, 1).to_json() == r.to_json()


def test_a_checkpoint_taken_does_not_change_as_counting_goes_on() -> None:
    r, items = halfway()
    taken = r.to_json()
    frozen = orjson.dumps(taken)
    last = items[len(items) // 2 - 1]
    assert r.judged is not None and last.at >= r.judged  # its step is still open
    assert r.add(dataclasses.replace(last, event_id="one more"))  # into a row the copy holds
    assert orjson.dumps(taken) == frozen
    assert orjson.dumps(r.to_json()) != frozen


def test_pruning_once_per_boundary_leaves_nothing_a_prune_would_remove() -> None:
    # Days of traffic pass many boundaries; between two of them a prune would find nothing,
    # so the state after every contribution equals the state pruned afresh.
    days = [_mixed(range(20), T0 + d * DAY + 11 * HOUR, 2, 8, bad=1) for d in range(3)]
    r = Rollups(CFG, partitions=2)
    for i, c in enumerate(in_order(*days)):
        r.add(c)
        r.advance()
        if i % 97 == 0:
            pruned = Rollups.from_json(r.to_json(), CFG, 2)
            pruned.advance()  # never pruned since loaded: prunes for the judged boundary
            assert pruned.to_json() == r.to_json()
    assert r.judged is not None and r.pruned == r.judged


def test_the_wire_form() -> None:
    c = next(ratings([3], T0, 1, 8, 1))
    assert decode(encode(c)) == [c]
    assert decode(encode(Mark(3, T0))) == [Mark(3, T0)]
    assert decode(encode(Idle(2))) == [Idle(2)]
    several = list(ratings([3, 4], T0, 2, 8, 1))
    several[1] = dataclasses.replace(several[1], rating=None, negative=True)
    mixed: list[Contribution | Mark] = [several[0], Mark(1, T0 + 60.5), *several[1:]]
    mixed.append(Mark(0, T0 + 7200))
    assert decode(encode_items(mixed)) == mixed  # in order, every field kept
    # Contributions alone, as the previous version of the worker bundled them: still read.
    row = [4, T0, "e1", "S4", "B", "R", "C", None, True]
    assert decode(orjson.dumps({"b": [row]})) == [
        Contribution(4, T0, "e1", "S4", "B", "R", "C", None, True)
    ]
    for junk in (b"", b"{", b"[]", b'{"c": [1]}', b'{"b": [[1, 2]]}', b'{"b": 3}', b"\xff"):
        assert decode(junk) is None
    for junk in (b'{"s": [[1]]}', b'{"s": [[1, 2, 3]]}', b'{"s": [["x", 2]]}', b'{"s": 3}'):
        assert decode(junk) is None


@pytest.mark.parametrize(
    "bad", [{"csat_recover": 0.5}, {"window": 1000}, {"step": 7}, {"levels": []}]
)
def test_settings_that_cannot_work_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RollupConfig.model_validate(bad)


def test_the_window_sums_moved_step_by_step_equal_the_window_summed_afresh() -> None:
    # Stores come and go between steps (each is quiet some hours), so the sums both gain and
    # lose members; a late contribution to a judged step must change nothing.
    rng = random.Random(7)
    r = Rollups(CFG, 1)
    step = int(CFG.step)
    checked = 0
    for k in range(6_000):
        at = T0 + k * 3.0
        n = rng.randrange(30)
        if (int(at // HOUR) + n) % 3 == 0:
            continue  # this store is quiet this hour
        sid, brand, region, city = place(n)
        rating = rng.choice([None, 1, 2, 4, 5, 5])
        r.add(Contribution(0, at, f"e{k}", sid, brand, region, city, rating, rating != 5))
        if k % 40 == 0:
            r.add(Contribution(0, at - 900, f"late{k}", sid, brand, region, city, 1, True))
            r.mark(0, at)
            r.advance()
            if r.summed is not None:
                lo, end = r.summed
                fresh: dict[str, list[int]] = {}
                for s in range(lo, end, step):
                    for store, row in r.stores.get(s, {}).items():
                        acc = fresh.setdefault(store, [0, 0, 0, 0])
                        for i in range(3):
                            acc[i] += row[i]
                        acc[3] += 1
                assert r.sums == fresh, (lo, end)
                checked += 1
    assert checked > 50 and r.late > 0
