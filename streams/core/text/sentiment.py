"""Sentiment of one text: Chinese through the shipped char n-gram model, English through
VADER's lexicon and rules in one linear pass (``english.py``).

    >>> analyse("太难吃了，再也不来了")
    Sentiment(label='negative', score=-0.9..., lang='zh')

The score is in -1..1 and the label is ``neutral`` inside the configured band around 0. Both
models load once, lazily, on first use; nothing is downloaded: the Chinese weights ship in
``weights/`` (see MODEL_CARD.md) and VADER's lexicon ships in its package.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Final, Literal, NamedTuple

from streams.core.text.charlr import CharLR, Weights
from streams.core.text.config import NeutralBand
from streams.core.text.english import EnglishScorer, english
from streams.core.text.lang import Lang, lang

Label = Literal["negative", "neutral", "positive"]

# Found through the package, not ``__file__``: compiled (streams.native), this module lives
# apart from its package's files.
WEIGHTS: Final = Path(str(files("streams.core.text"))) / "weights" / "zh_sentiment.json.gz"


class Sentiment(NamedTuple):
    label: Label
    score: float  # -1 (negative) .. 1 (positive)
    lang: Lang


def label_for(score: float, band: float) -> Label:
    if score <= -band and score < 0:
        return "negative"
    if score >= band and score > 0:
        return "positive"
    return "neutral"


class SentimentModel:
    """Holds both models; build one per process (or use :func:`analyse`) and reuse it."""

    def __init__(self, weights: Path | str | None = None, band: NeutralBand | None = None) -> None:
        self.weights = Path(weights) if weights is not None else WEIGHTS
        self.band = band or NeutralBand()
        self._zh: CharLR | None = None
        self._en: EnglishScorer | None = None

    @property
    def zh(self) -> CharLR:
        if self._zh is None:
            self._zh = CharLR(Weights.load(self.weights))
        return self._zh

    @property
    def en(self) -> EnglishScorer:
        if self._en is None:
            self._en = english()
        return self._en

    def score(self, text: str, language: Lang | None = None) -> float:
        """The score alone, in -1..1; 0.0 for text with nothing but white space."""
        if not text.strip():
            return 0.0
        if (language or lang(text)) == "zh":
            return self.zh.score(text)
        return self.en.score(text)

    def analyse(self, text: str) -> Sentiment:
        language = lang(text)
        score = self.score(text, language)
        return Sentiment(label_for(score, getattr(self.band, language)), score, language)


@lru_cache(maxsize=1)
def default_model() -> SentimentModel:
    return SentimentModel()


def analyse(text: str) -> Sentiment:
    """Sentiment with the shipped weights and the default neutral band."""
    return default_model().analyse(text)
