"""The snapshot budget: a rate per wall second, a second's worth saved up at most."""

from __future__ import annotations

from streams.worker.budget import Budget


def test_a_full_budget_gives_a_second_s_worth_then_refills_at_its_rate() -> None:
    b = Budget(rate=4.0)
    assert [b.take(100.0) for _ in range(5)] == [True] * 4 + [False]
    assert b.take(100.1) is False  # 0.4 of a token
    assert b.take(100.25) is True  # 0.4 + 0.6: one
    assert b.take(1000.0) and sum(b.take(1000.0) for _ in range(10)) == 3  # capped at 4


def test_a_clock_going_back_adds_nothing() -> None:
    b = Budget(rate=2.0)
    assert b.take(50.0) and b.take(50.0) and not b.take(50.0)
    assert b.take(10.0) is False
