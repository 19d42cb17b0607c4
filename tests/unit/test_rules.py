"""The rule book: every rule registered, documented, and worded for firing and for resolved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemas.alerts import RuleName
from streams.core.rules import REGISTRY
from streams.metrics import KNOWN_RULES

README = Path(__file__).parents[2] / "README.md"


def test_every_rule_name_is_registered_and_known_to_the_metrics() -> None:
    assert set(REGISTRY) == set(RuleName)
    assert set(KNOWN_RULES) == {r.value for r in RuleName}


def test_every_registered_rule_is_in_the_readme_rule_table() -> None:
    text = README.read_text(encoding="utf-8")
    book = text[text.index("## The rule book") :]
    book = book[: book.index("\n## ", 1)]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", book, re.M))
    assert documented == {r.value for r in REGISTRY}


@pytest.mark.parametrize("name", list(RuleName))
def test_each_rule_says_something_different_when_it_resolves(name: RuleName) -> None:
    rule = REGISTRY[name]
    firing, resolved = rule.summary(True, rule.example), rule.summary(False, rule.example)
    for text in (firing.zh, firing.en, resolved.zh, resolved.en):
        assert text.strip()
    assert resolved.zh != firing.zh and resolved.en != firing.en
    # A resolved page asks for nothing and counts nothing down.
    for phrase in ("请立即", "还剩", "immediately", "escalate to management now", "due in"):
        assert phrase not in resolved.zh + resolved.en, (name, resolved)
    assert rule.about.zh and rule.about.en


def test_a_special_customer_is_named_as_such_in_sla_pages() -> None:
    example = {**REGISTRY[RuleName.SLA_BREACH].example, "special": True, "tier": "regular"}
    text = REGISTRY[RuleName.SLA_BREACH].summary(True, example)
    assert "特殊客户" in text.zh and "普通客户" not in text.zh
    assert "special customer" in text.en
