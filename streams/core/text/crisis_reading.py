"""A learned second reading of Chinese crisis hits: does the text around the word report one?

The context rules (``rules.py``) read negation, figurative use and known turns of phrase, but
each trap a customer writes is its own turn of phrase: 上次有只苍蝇，这次干净多了 holds a pest
word and reports nothing. Writing a rule per phrase does not generalise (MODEL_CARD.md, "Eighth
round"): a rule fitted to one set of traps barely moved precision on another.

This is a logistic regression on the character 1-3-grams of the hit's surroundings, the hit
itself replaced by one private-use character per category (so "没发现" followed by the safety
mark is one feature, whatever the pest). It is the same scorer as the sentiment model
(``charlr``), with its own weights, trained by ``train_crisis.py`` on labelled hits and traps.

It only ever removes a hit the rules kept, and only where it is confident: the threshold in the
weights was chosen so that on the training data's cross-validation nearly every real report
survives (the figures are in MODEL_CARD.md). Chinese hits only: the English terms have too
little labelled text to learn from.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Final

from streams.core.text.charlr import CharLR, Weights
from streams.core.text.lexicon import Hit
from streams.core.text.terms import CRISIS

WEIGHTS: Final = Path(str(files("streams.core.text"))) / "weights" / "zh_crisis_reading.json.gz"
# Private-use characters: never in a customer's text after normalisation, one per category.
MARKS: Final[dict[str, str]] = {c: chr(0xE000 + n) for n, c in enumerate(sorted(CRISIS))}
_CJK: Final = re.compile("[\u3400-\u9fff]")


def window(norm: str, hit: Hit, reach: int) -> str:
    """The hit's surroundings, ``reach`` characters each side, the hit as its category's mark."""
    before = norm[max(0, hit.start - reach) : hit.start]
    return before + MARKS[hit.category] + norm[hit.end : hit.end + reach]


def reads(hit: Hit) -> bool:
    """Whether the second reading applies to a hit: Chinese terms and patterns only."""
    return _CJK.search(hit.term) is not None


class CrisisReading:
    """Keeps a hit unless the model reads its surroundings as no crisis (logit < threshold)."""

    def __init__(self, weights: Path | str | None = None, threshold: float | None = None) -> None:
        loaded = Weights.load(Path(weights) if weights is not None else WEIGHTS)
        self.model = CharLR(loaded)
        self.reach = int(loaded.meta["reach"])
        self.threshold = float(loaded.meta["threshold"]) if threshold is None else threshold

    def logit(self, norm: str, hit: Hit) -> float:
        return self.model.logit(window(norm, hit, self.reach))

    def holds(self, norm: str, hit: Hit) -> bool:
        return not reads(hit) or self.logit(norm, hit) >= self.threshold
