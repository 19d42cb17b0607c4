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
