"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest

from streams.core.text.tools import TextAnalytics


@pytest.fixture(scope="session")
def tools() -> TextAnalytics:
    """The text layer with its defaults: built once, its lexicons and model are read-only."""
    return TextAnalytics()


def crisis_categories(tools: TextAnalytics, text: str) -> set[str]:
    """The crisis categories ``text`` hits."""
    return {category for _, category in tools.crisis(text)}
