"""Silence and route regexes run in linear time: a person's pattern cannot freeze the service."""

from __future__ import annotations

import time

import pytest

from alerts.lifecycle import matchers as m
from alerts.model import Matcher


def test_a_catastrophic_backtracking_pattern_matches_in_bounded_time() -> None:
    # With a backtracking engine this pattern doubles its work with each character: 26
    # characters take seconds. RE2 answers in microseconds whatever the length.
    compiled = m.compile_one(Matcher("complaint_id", r"(\w+)+X", "=~"))
    value = "a" * 26
    started = time.monotonic()
    assert not compiled.matches({"complaint_id": value})
    assert time.monotonic() - started < 0.5


def test_matching_stays_anchored_and_negatable() -> None:
    assert m.compile_one(Matcher("store_id", "S00[12]", "=~")).matches({"store_id": "S002"})
    assert not m.compile_one(Matcher("store_id", "S00", "=~")).matches({"store_id": "S003"})
    assert m.compile_one(Matcher("store_id", "S00[12]", "!~")).matches({"store_id": "S003"})
    assert m.compile_one(Matcher("region", ".+", "!~")).matches({})  # absent = ""


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)b", "(unclosed"])
def test_patterns_outside_re2_are_refused_with_a_reason(pattern: str) -> None:
    with pytest.raises(ValueError, match=r"bad regular expression: .+"):
        m.compile_one(Matcher("x", pattern, "=~"))
