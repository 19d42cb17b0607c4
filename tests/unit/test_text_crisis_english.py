"""The second reading of English hits, and the settings of English reading (the English
reports themselves are in test_text_crisis_worded.py)."""

from __future__ import annotations

from streams.core.text.config import TextConfig
from streams.core.text.context import CrisisDetector
from streams.core.text.crisis_reading import CrisisReading
from streams.core.text.lexicon import Hit

UNREAD = CrisisDetector(TextConfig(crisis_second_reading=False))


def test_an_english_hit_is_read_a_second_time() -> None:
    reading = CrisisReading()
    assert set(reading.models) == {"zh", "en"}
    text = "we found a hair in the soup and the manager just laughed."
    hit = next(h for h in UNREAD.find(text) if h.category == "safety")
    read = reading.read(text, hit, "en")
    assert read is not None
    logit, threshold = read
    assert logit >= threshold  # a plain report is kept
    # hits of a Latin term in Chinese text are read by neither model
    assert reading.read("我打了12315", Hit("12315", "regulator", 1.0, 3, 8), "zh") is None


def test_the_english_reading_can_be_turned_down_on_its_own() -> None:
    # a hit the rules keep: the English threshold alone decides whether the reading drops it
    text = "We found a hair in the soup and the manager just laughed."
    lenient = TextConfig(crisis_reading_threshold_en=-100.0)
    strict = TextConfig(crisis_reading_threshold_en=100.0)
    kept_by_rules = {h.category for h in UNREAD.find(text)}
    assert "safety" in kept_by_rules
    assert "safety" not in {h.category for h in CrisisDetector(strict).find(text)}
    assert {h.category for h in CrisisDetector(lenient).find(text)} == kept_by_rules
    # and the Chinese reading is untouched by the English threshold
    zh = "外卖里吃出蟑螂，恶心死了"
    assert "safety" in {h.category for h in CrisisDetector(strict).find(zh)}
