"""csat_low judges each window at a z that accounts for how many independent stretches of
noise it passes through: a medium store's unlucky three hours is not a page, the same share
over the day still is."""

from __future__ import annotations

from streams.core.rules import csat_low
from streams.core.rules.base import Store
from streams.core.signals import fields as F
from streams.core.signals.bounds import window_z
from streams.core.signals.config import SatisfactionConfig
from streams.core.signals.fields import WIDTH
from streams.core.signals.tiers import ByKind

NOW = 1_793_548_800.0 + 86400  # a Tuesday 00:00 UTC
H = 3600


def at(stats: ByKind) -> Store:
    return Store(stats, {}, "S001", {"store_id": "S001"}, NOW, "e1")


def thirteen_of_thirty(stats: ByKind) -> None:
    """30 ratings between 2.5 and 1.5 hours ago, 13 of them 4 or 5: CSAT 43 %."""
    for i in range(30):
        good = i < 13
        stats.add("feedback", NOW - 2.5 * H + i * 120, [(F.RATING[3 if good else 0], 1)])


def test_a_window_k_times_shorter_than_the_day_shares_its_tail_k_ways() -> None:
    assert window_z(1.64, 86400, 86400) == 1.64
    assert [round(window_z(1.64, w * H, 86400), 3) for w in (1, 3, 6)] == [2.862, 2.494, 2.238]
    assert window_z(0, H, 86400) == 0  # the bound off stays off


def test_an_unlucky_three_hours_after_a_normal_day_is_not_a_page() -> None:
    stats = ByKind(WIDTH)
    # 60 fives earlier in the day (10 to 20 hours ago): the day holds 73 of 90, CSAT 81 %.
    for i in range(60):
        stats.add("feedback", NOW - 20 * H + i * 600, [(F.RATING[4], 1)])
    thirteen_of_thirty(stats)
    # At one z for every window (1.64) the 3-hour window's bound is 58 % < 60 %: a page.
    one_z = SatisfactionConfig(alert_windows=[3 * H])
    (page,) = csat_low.evaluate(at(stats), one_z)
    assert page.values == {"csat": 0.4333, "ratings": 30.0, "window_seconds": 10800.0}
    # Judged at its own z (2.49 for 3 h, 2.24 for 6 h) neither short window is clearly low.
    assert csat_low.evaluate(at(stats), SatisfactionConfig()) == ()


def test_the_same_share_over_the_whole_day_still_pages() -> None:
    stats = ByKind(WIDTH)
    thirteen_of_thirty(stats)  # the day's only ratings
    (page,) = csat_low.evaluate(at(stats), SatisfactionConfig())
    assert page.status == "firing"
    assert page.values == {"csat": 0.4333, "ratings": 30.0, "window_seconds": 86400.0}
    assert page.summary.en == (
        "Store S001 satisfaction dropped: CSAT 43% over the last 24 h (30 ratings, below 60%)"
    )
