"""The Chinese model's feature rules: the contrast tail and negation scope, exactly."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from streams.core.text.charlr import (
    NEGATED,
    RULES,
    CharLR,
    Weights,
    contrast_tail,
    features,
    negated,
    negated_pairs,
)
from streams.core.text.sentiment import default_model


@pytest.mark.parametrize(
    ("text", "tail"),
    [
        ("味道很好，但是服务太差了", "服务太差了"),
        ("不错，但是贵，不过值得", "值得"),  # the last contrast word decides
        ("质量还行，就是有点贵", "有点贵"),
        ("他却没来", "没来"),
        ("好吃但", ""),
        ("很好吃", ""),
        ("", ""),
    ],
)
def test_contrast_tail_is_what_follows_the_last_contrast_word(text: str, tail: str) -> None:
    assert contrast_tail(text) == tail


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("不好吃", "好吃"),
        ("没有味道，不好", "有味道好"),
        ("不，很好", ""),  # the clause ends at the comma
        ("一点都不新鲜好吗", "新鲜好"),  # three characters at most
        ("无", ""),
        ("好吃", ""),
    ],
)
def test_negation_scope_is_up_to_three_characters_in_the_clause(text: str, scope: str) -> None:
    assert negated(text) == scope


def test_features_list_the_tail_twice_and_the_negated_characters() -> None:
    assert features("好但差", 1) == ["好", "但", "差", "差"]
    assert features("不好", 2) == ["不", "好", "不好", NEGATED + "好"]
    assert features("好但不差", 1, rules=()) == ["好", "但", "不", "差"]


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("不难吃", ["难吃"]),
        ("一点都不新鲜好吗", ["新鲜", "鲜好"]),
        ("没有味道，不好", ["有味", "味道"]),  # a pair never spans two scopes
        ("不好", []),
        ("好吃", []),
    ],
)
def test_negated_pairs_are_adjacent_characters_inside_one_scope(
    text: str, pairs: list[str]
) -> None:
    assert negated_pairs(text) == pairs


def test_features_list_negated_pairs_after_negated_characters() -> None:
    both = ("negation", "negation_pairs")
    assert features("不难吃", 1, rules=both) == [
        "不",
        "难",
        "吃",
        NEGATED + "难",
        NEGATED + "吃",
        NEGATED + "难吃",
    ]


def test_a_negated_pair_gets_its_own_weight() -> None:
    grams = {"难": -2.0, "吃": 0.0, "不": -0.5}
    negated_weights = {"难": -0.5, "难吃": 4.0}
    single = CharLR(Weights(0.0, 0.0, 1, grams, {}, ("negation",), negated_weights))
    model = CharLR(Weights(0.0, 0.0, 1, grams, {}, ("negation", "negation_pairs"), negated_weights))
    assert single.logit("不难吃") == -3.0  # 不 + 难 + negated 难: a double negation reads negative
    assert model.logit("不难吃") == 1.0  # the pair "negated 难吃" outweighs it


def toy(rules: tuple[str, ...], negated_weights: dict[str, float] | None = None) -> CharLR:
    grams = {"好": 1.0, "差": -1.0, "不": -0.25}
    return CharLR(Weights(0.0, 0.0, 1, grams, {}, rules, negated_weights or {}))


def test_contrast_makes_the_clause_after_but_decide_the_sign() -> None:
    plain, model = toy(()), toy(("contrast",))
    assert plain.logit("好但差") == plain.logit("差但好") == 0.0  # a tie without the rule
    assert model.logit("好但差") == -1.0  # 好 + 差 + 差 (the tail again)
    assert model.logit("差但好") == 1.0


def test_negation_gives_a_negated_word_its_own_weight() -> None:
    model = toy(("negation",), {"好": -3.0})
    assert model.logit("好") == 1.0
    assert model.logit("不好") == -0.25 + 1.0 - 3.0
    assert toy(()).logit("不好") == 0.75  # without the rule 不好 would read positive


@pytest.mark.parametrize(
    "text",
    ["好但差", "不好，但是不差", "不是不好吃，就是有点贵", "没没没", "但是" * 30, "不好吃不差"],
)
def test_folded_scoring_with_rules_equals_the_plain_sum(text: str) -> None:
    grams = {"好": 1.0, "好吃": 0.5, "差": -1.0, "不": -0.25, "贵": -0.7, "但是": 0.1}
    negated_weights = {"好": -2.0, "好吃": 3.0, "差": 0.5}
    model = CharLR(Weights(0.3, 0.5, 2, grams, {}, RULES, negated_weights))
    assert model.logit(text) == pytest.approx(model.logit_unfolded(text), abs=1e-12)


@pytest.mark.parametrize("text", ["好吃但差", "差但是好吃吃", "但", "好但", "a但bcd"])
def test_contrast_path_backs_off_like_the_plain_path_at_order_3(text: str) -> None:
    grams = {"好": 1.0, "好吃": 0.5, "好吃吃": 2.0, "差": -1.0, "bc": 4.0, "bcd": 8.0, "d": 16.0}
    model = CharLR(Weights(0.0, 0.0, 3, grams, {}, ("contrast",)))
    assert model.logit(text) == pytest.approx(model.logit_unfolded(text), abs=1e-12)


def test_weights_of_the_first_format_load_without_rules(tmp_path: Path) -> None:
    body = {
        "format": "cxpulse-zh-charlr/1",
        "bias": 0.5,
        "power": 0.0,
        "order": 1,
        "meta": {},
        "grams": {"好": 1.0, "差": -1.0},
    }
    path = tmp_path / "old.json.gz"
    path.write_bytes(gzip.compress(json.dumps(body).encode()))
    model = CharLR(Weights.load(path))
    assert model.rules == () and model.logit("好但差") == 0.5


def test_unknown_rules_in_a_weights_file_are_refused(tmp_path: Path) -> None:
    Weights(0.0, 0.0, 1, {"好": 1.0}, {}, ("contrast", "sarcasm")).dump(tmp_path / "w.json.gz")
    with pytest.raises(ValueError, match="sarcasm"):
        Weights.load(tmp_path / "w.json.gz")


def test_rules_and_negated_weights_round_trip(tmp_path: Path) -> None:
    weights = Weights(0.1, 0.5, 2, {"好": 1.0}, {"x": 1}, ("contrast", "negation"), {"好": -2.0})
    weights.dump(tmp_path / "w.json.gz")
    assert Weights.load(tmp_path / "w.json.gz") == weights


def test_shipped_weights_use_the_negation_rule() -> None:
    # contrast is available to trainers but lost accuracy on three held-out domains
    assert default_model().zh.rules == ("negation",) and len(default_model().zh.negated) > 100
    assert set(default_model().zh.rules) < set(RULES)


@pytest.mark.parametrize(
    ("text", "sign"),
    [("不好吃", -1), ("一点也不好", -1), ("没有异味，很新鲜", 1), ("一点都不满意", -1)],
)
def test_shipped_model_reads_negation(text: str, sign: int) -> None:
    assert default_model().score(text) * sign > 0.3
