"""The snapshot budget: a rate per wall second, a second's worth saved up at most."""

from __future__ import annotations

from streams.worker.budget import Budget


def test_a_full_budget_gives_a_second_s_worth_then_refills_at_its_rate() -> None:
    b = Budget(rate=4.0)
    assert b.available(100.0) == 4
    b.spend(4)
    assert b.available(100.1) == 0  # 0.4 of a token
    assert b.available(100.25) == 1  # 0.4 + 0.6
    b.spend(1)
    assert b.available(1000.0) == 4  # a quiet spell saves up a second's worth, no more


def test_a_clock_going_back_adds_nothing() -> None:
    b = Budget(rate=2.0)
    assert b.available(50.0) == 2
    b.spend(2)
    assert b.available(10.0) == 0


def test_a_lower_rate_for_now_fills_and_caps_at_it_and_never_raises_the_bucket() -> None:
    b = Budget(rate=10.0)
    assert b.available(0.0, rate=2.0) == 2  # the saved-up second is the lower rate's
    b.spend(2)
    assert b.available(0.5, rate=2.0) == 1
    assert b.available(0.5, rate=50.0) == 1  # a higher rate is the bucket's own
    assert b.available(2.0) == 10
