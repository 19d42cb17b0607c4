"""What the store processor needs from text analytics, behind one small interface, so the
core can be tested with the shipped models and an operator can swap them."""

from __future__ import annotations

from typing import Protocol


class TextTools(Protocol):
    def sentiment(self, text: str) -> tuple[str, float]:
        """(label, score): label negative | neutral | positive, score in −1..1."""
        ...

    def crisis(self, text: str) -> list[tuple[str, str]]:
        """(term, category) for each crisis-lexicon hit."""
        ...

    def taboo(self, text: str) -> list[str]:
        """The staff taboo phrases said in ``text``."""
        ...
