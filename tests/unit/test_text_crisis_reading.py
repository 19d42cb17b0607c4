"""The second reading of crisis hits: what it reads, when it drops a hit, and its switches;
the trainer's threshold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.core.text.charlr import Weights
from streams.core.text.config import TextConfig
from streams.core.text.context import CrisisDetector
from streams.core.text.crisis_reading import MARKS, CrisisReading, language, window
from streams.core.text.lexicon import Hit
from streams.core.text.train_crisis import threshold_for
from streams.simulate.texts import COMPLAINT_OPEN_TEXT, REVIEW_CRISIS


def test_the_window_replaces_the_hit_by_its_categorys_mark_and_keeps_reach_each_side() -> None:
    text = "一二三四五蟑螂六七八九十"
    hit = Hit("蟑螂", "safety", 4.0, 5, 7)
    assert window(text, hit, 3) == "三四五" + MARKS["safety"] + "六七八"
    assert window(text, hit, 50) == "一二三四五" + MARKS["safety"] + "六七八九十"
    assert len(set(MARKS.values())) == len(MARKS)  # one mark per category


def test_a_hit_is_read_by_the_model_of_its_terms_language() -> None:
    assert language(Hit("蟑螂", "safety", 4.0, 0, 2), "zh") == "zh"
    assert language(Hit("蟑螂", "safety", 4.0, 0, 2), "en") == "zh"
    assert language(Hit("food poisoning", "safety", 4.0, 0, 14), "en") == "en"
    # a Latin term in Chinese text: neither model learnt from such hits
    assert language(Hit("12315", "regulator", 4.0, 3, 8), "zh") is None


@pytest.fixture
def laughing(tmp_path: Path) -> Path:
    """Weights that read a laugh near the hit as no crisis, and anything else as one."""
    path = tmp_path / "reading.json.gz"
    meta = {"reach": 6, "threshold": 0.0}
    Weights(1.0, 0.0, 3, {"哈": -2.0}, meta, ("negation",)).dump(path)
    return path


def test_a_hit_read_as_no_crisis_is_dropped_and_others_are_kept(laughing: Path) -> None:
    read = CrisisDetector(TextConfig(crisis_reading_weights=str(laughing)))
    unread = CrisisDetector(TextConfig(crisis_second_reading=False))
    joke = "外卖里吃出蟑螂哈哈"
    assert [h.category for h in unread.find(joke)] == ["safety"]  # the rules keep it
    assert read.find(joke) == []
    assert [h.category for h in read.find("外卖里吃出蟑螂")] == ["safety"]
    # beyond the reach, the laugh is not read
    assert [h.category for h in read.find("外卖里吃出蟑螂，今天的天气很好哈")] == ["safety"]


def test_the_configured_threshold_overrides_the_weights(laughing: Path) -> None:
    lenient = TextConfig(crisis_reading_weights=str(laughing), crisis_reading_threshold=-10.0)
    assert [h.category for h in CrisisDetector(lenient).find("外卖里吃出蟑螂哈哈")] == ["safety"]
    reading = CrisisReading({"zh": laughing})
    assert reading.reach == {"zh": 6} and reading.threshold == {"zh": 0.0}
    assert CrisisReading({"zh": laughing}, {"zh": -1.5}).threshold == {"zh": -1.5}


def test_the_chinese_model_never_reads_an_english_hit(laughing: Path) -> None:
    text = "i got food poisoning 哈哈哈"  # English by the letters, with a Chinese laugh
    hit = Hit("food poisoning", "safety", 4.0, 6, 20)
    assert CrisisReading({"zh": laughing}).read(text, hit, "en") is None
    assert CrisisReading({"zh": laughing}).keep(text, [hit]) == [hit]
    detector = CrisisDetector(TextConfig(crisis_reading_weights=str(laughing)))
    assert [h.category for h in detector.find("I got food poisoning 哈哈哈")] == ["safety"]


def test_the_threshold_leaves_at_most_the_allowed_share_of_real_reports_below_it() -> None:
    logits = [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, -5.0]
    labels = [1, 1, 1, 1, 1, 1, 1, 0]
    cut = threshold_for(logits, labels, 0.2)  # 7 real: one may fall below
    assert cut == -2.0
    assert sum(z < cut for z, y in zip(logits, labels, strict=True) if y) == 1
    assert threshold_for(logits, labels, 0.0) == -3.0


def test_the_shipped_reading_keeps_the_simulators_crisis_texts() -> None:
    """The simulated crisis is what the worker and replay tests page on: the reading must keep
    every category the rules find in those texts."""
    read = CrisisDetector(TextConfig())
    unread = CrisisDetector(TextConfig(crisis_second_reading=False))
    texts = [*REVIEW_CRISIS, *(t for ts in COMPLAINT_OPEN_TEXT.values() for t in ts)]
    for text in texts:
        assert {h.category for h in read.find(text)} == {h.category for h in unread.find(text)}


@pytest.mark.parametrize(
    ("text", "read_away"),
    [
        # someone else's shop, and this one praised: the rules keep the pest word
        ("上周隔壁那家面馆后厨被拍到老鼠，这家我吃了好几年都很干净", True),
        ("吃了他们家的凉皮，晚上全家都上吐下泻，孩子还发烧了", False),
        ("外卖里吃出一只蟑螂，已经拍照留证", False),
        ("我已经向市场监管局举报了，等他们处理", False),
    ],
)
def test_the_shipped_reading_on_texts_written_for_the_test(text: str, read_away: bool) -> None:
    read = {h.category for h in CrisisDetector(TextConfig()).find(text)}
    unread = {
        h.category for h in CrisisDetector(TextConfig(crisis_second_reading=False)).find(text)
    }
    assert unread  # the rules keep it: the reading is asked
    assert (read == set()) is read_away


def test_the_trainer_writes_weights_with_a_cross_validated_threshold(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from streams.core.text.train_crisis import main

    rows = [
        {"text": f"外卖里吃出蟑螂{n}次，太恶心了", "category": "safety", "crisis": True}
        for n in range(20)
    ] + [
        {"text": f"隔壁那家有蟑螂{n}次，这家很干净", "category": "safety", "crisis": False}
        for n in range(20)
    ]
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "w.json.gz"
    assert main(["--data", str(data), "--eval-set", str(empty), "--out", str(out)]) == 0
    reading = CrisisReading({"zh": out})
    assert reading.reach == {"zh": 30}
    hit = Hit("蟑螂", "safety", 4.0, 5, 7)
    read = reading.read("外卖里吃出蟑螂，太恶心了", hit, "zh")
    assert read is not None and read[0] > read[1]
