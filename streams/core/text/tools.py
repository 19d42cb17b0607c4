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
        self._viral_needs_complaint = cfg.viral_needs_complaint

    def analyse(self, text: str) -> Sentiment:
        return self.model.analyse(text)

    def sentiment(self, text: str) -> tuple[str, float]:
        result = self.model.analyse(text)
        return result.label, result.score

    def crisis_hits(self, text: str) -> list[Hit]:
        hits = self.crisis_detector.find(text)
        if self._viral_needs_complaint and any(h.category == "viral" for h in hits):
            # A call to spread is a crisis only when what is spread is a complaint: "转发微博"
            # under a joke or a recommendation is not. Chinese only: the English scorer reads
            # a warning's "please share" as praise.
            mood = self.model.analyse(text)
            if mood.lang == "zh" and mood.label == "positive":
                return [h for h in hits if h.category != "viral"]
        return hits

    def crisis(self, text: str) -> list[tuple[str, str]]:
        return [(h.term, h.category) for h in self.crisis_hits(text)]

    def taboo(self, text: str) -> list[str]:
        return [h.term for h in self.taboo_detector.find(text)]
