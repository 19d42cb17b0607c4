"""English reports in the customer's own words (terms_en.py, rules_english.py) and the second
reading of English hits: each class next to text in the same words that must not hit
(written for the tests)."""

from __future__ import annotations

import pytest

from streams.core.text.config import TextConfig
from streams.core.text.context import CrisisDetector
from streams.core.text.crisis_reading import CrisisReading
from streams.core.text.lexicon import Hit
from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories

TOOLS = TextAnalytics()
UNREAD = CrisisDetector(TextConfig(crisis_second_reading=False))


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Had their prawn curry for dinner and we were both vomiting by midnight.", "safety"),
        ("There was a shard of glass in my muffin, I cut my gum on it.", "safety"),
        ("My son's lips swelled up within minutes, even though we told them about his "
         "peanut allergy.", "safety"),
        ("Found mouse droppings all over the shelf next to the bread.", "safety"),
        ("The yoghurt was two weeks out of date and it tasted sour.", "safety"),
        ("Slipped on the wet floor by the toilets and fractured my wrist.", "safety"),
        ("The kettle in our room sparked and the socket went black.", "safety"),
        ("I've sent the photos to the local paper and a reporter called me back.", "media"),
        ("Reported the kitchen to environmental health this morning.", "regulator"),
        ("My solicitor will be in touch about the burns my daughter suffered.", "legal"),
        ("I've disputed the charge with my bank, the food never came.", "refund"),
        ("All 40 of us who bought the party package want our money back.", "refund"),
        ("Please share, this shop sells expired baby formula. Warn your friends.", "viral"),
        ("I filed a complaint with the FTC about the hidden fees.", "regulator"),
    ],
)  # fmt: skip
def test_what_happened_in_english_hits(text: str, category: str) -> None:
    assert category in crisis_categories(TOOLS, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The chips were stone cold when they arrived.", "safety"),
        ("Pork ribs so tender they fell off the bone.", "safety"),
        ("Great hand-cut chips and a decent pint.", "safety"),
        ("Their bagels are a weekend staple in our house.", "safety"),
        ("I was sick of waiting, so we left before dessert.", "safety"),
        ("Had a rotten week, but the pho put me right.", "safety"),
        ("Time flies when the food is this good.", "safety"),
        ("The hotel looked after us so kindly when my wife fell ill on the trip.", "safety"),
        ("Signal dropped in the middle of a job interview.", "media"),
        ("The council office is right across the road, easy parking.", "regulator"),
        ("I disputed the bill with the waiter and he fixed it at once.", "refund"),
        ("这款面霜有FDA认证，用着很舒服", "regulator"),
        ("PSA: they open at seven on weekends now!", "viral"),
    ],
)  # fmt: skip
def test_the_same_words_in_everyday_senses_do_not(text: str, category: str) -> None:
    assert category not in crisis_categories(TOOLS, text)


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
    text = "Watched a film about a lawyer last night, then had the best steak in town."
    lenient = TextConfig(crisis_reading_threshold_en=-100.0)
    strict = TextConfig(crisis_reading_threshold_en=100.0)
    assert "legal" not in {h.category for h in CrisisDetector(strict).find(text)}
    kept_by_rules = {h.category for h in UNREAD.find(text)}
    assert {h.category for h in CrisisDetector(lenient).find(text)} == kept_by_rules
    # and the Chinese reading is untouched by the English threshold
    zh = "外卖里吃出蟑螂，恶心死了"
    assert "safety" in {h.category for h in CrisisDetector(strict).find(zh)}
