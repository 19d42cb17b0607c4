"""The seventh round's classes of wrong crisis hit (rules.py, rules_cause.py): each next to a
real report in the same words that must still hit."""

from __future__ import annotations

import pytest

from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the tourism bureau as the body that rates hotels
        ("这样的服务怎么还能挂牌4星，当地的旅游局是怎么去复查他们的级别的", "regulator"),
        ("以后一定要住旅游局正式挂牌的酒店", "regulator"),
    ],
)
def test_no_crisis_does_not_hit(tools: TextAnalytics, text: str, category: str) -> None:
    assert category not in crisis_categories(tools, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a complaint to the bureau about the hotel's stars
        ("我已向旅游局投诉这家挂牌四星的酒店", "regulator"),
        ("打算向旅游局举报他们的星级名不副实", "regulator"),
    ],
)
def test_real_reports_in_the_same_words_still_hit(
    tools: TextAnalytics, text: str, category: str
) -> None:
    assert category in crisis_categories(tools, text)
