"""Everything the store processor asks of text, built once from a ``TextConfig``.

It has the shape of ``streams.core.signals.text.TextTools`` (sentiment, crisis, taboo)."""

from __future__ import annotations

from streams.core.text.config import TextConfig
from streams.core.text.context import CrisisDetector, TabooDetector
from streams.core.text.lexicon import Hit
from streams.core.text.sentiment import Sentiment, SentimentModel


class TextAnalytics:
    def __init__(self, cfg: TextConfig | None = None) -> None:
        cfg = cfg or TextConfig()
        self.model = SentimentModel(cfg.sentiment_weights, cfg.neutral_band)
        # Lexicon hits read in context (negation, figurative use, traditional script): rules.py
        self.crisis_detector = CrisisDetector(cfg)
        self.taboo_detector = TabooDetector(cfg)

    def analyse(self, text: str) -> Sentiment:
        return self.model.analyse(text)

    def sentiment(self, text: str) -> tuple[str, float]:
        result = self.model.analyse(text)
        return result.label, result.score

    def crisis_hits(self, text: str) -> list[Hit]:
        return self.crisis_detector.find(text)

    def crisis(self, text: str) -> list[tuple[str, str]]:
        return [(h.term, h.category) for h in self.crisis_detector.find(text)]

    def taboo(self, text: str) -> list[str]:
        return [h.term for h in self.taboo_detector.find(text)]
