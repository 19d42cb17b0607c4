"""A learned second reading of crisis hits: does the text around the word report one?

The context rules (``rules.py``) read negation, figurative use and known turns of phrase, but
each trap a customer writes is its own turn of phrase: 上次有只苍蝇，这次干净多了 holds a pest
word and reports nothing. Writing a rule per phrase does not generalise (MODEL_CARD.md, "Eighth
round"): a rule fitted to one set of traps barely moved precision on another.

This is a logistic regression on the character n-grams of the hit's surroundings, the hit
itself replaced by one private-use character per category (so "没发现" followed by the safety
mark is one feature, whatever the pest). It is the same scorer as the sentiment model
(``charlr``), with its own weights per language, trained by ``train_crisis.py`` on labelled
hits and traps: a Chinese term's hit is read by the Chinese model, an English term's by the
English one (English needs longer surroundings and longer n-grams for the same evidence).

It only ever removes a hit the rules kept, and only where it is confident: the threshold in the
weights was chosen so that on the training data's cross-validation nearly every real report
survives (the figures are in MODEL_CARD.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Final

from streams.core.text.charlr import CharLR, Weights
from streams.core.text.lang import CJK, Lang, lang
from streams.core.text.lexicon import Hit
from streams.core.text.terms import CRISIS

_SHIPPED: Final = Path(str(files("streams.core.text"))) / "weights"
WEIGHTS: Final[dict[Lang, Path]] = {
    "zh": _SHIPPED / "zh_crisis_reading.json.gz",
    "en": _SHIPPED / "en_crisis_reading.json.gz",
}
# Private-use characters: never in a customer's text after normalisation, one per category.
MARKS: Final[dict[str, str]] = {c: chr(0xE000 + n) for n, c in enumerate(sorted(CRISIS))}


def window(norm: str, hit: Hit, reach: int) -> str:
    """The hit's surroundings, ``reach`` characters each side, the hit as its category's mark."""
    before = norm[max(0, hit.start - reach) : hit.start]
    return before + MARKS[hit.category] + norm[hit.end : hit.end + reach]


def language(hit: Hit, text_lang: Lang) -> Lang | None:
    """Which model reads a hit of a text in ``text_lang``: the Chinese one a term or pattern
    spelt in Chinese, the English one a Latin term in English text; none a Latin term in
    Chinese text (CCTV, 12315), which neither model learnt from."""
    if CJK.search(hit.term):
        return "zh"
    return "en" if text_lang == "en" else None


@lru_cache(maxsize=8)
def _model(path: Path) -> CharLR:
    """One scorer per weights file for the process: every detector built (one per worker, many
    in tests and benches) shares it instead of loading ~40k n-grams again (~27 ms)."""
    return CharLR(Weights.load(path))


class CrisisReading:
    """Keeps a hit unless its language's model reads the surroundings as no crisis (logit below
    that model's threshold). A language with no weights is not read."""

    def __init__(
        self,
        weights: Mapping[Lang, Path | str | None] | None = None,
        thresholds: Mapping[Lang, float | None] | None = None,
    ) -> None:
        given = weights if weights is not None else dict.fromkeys(WEIGHTS)
        chosen = {which: path or WEIGHTS[which] for which, path in given.items()}
        self.models: dict[Lang, CharLR] = {w: _model(Path(p)) for w, p in chosen.items()}
        self.reach = {w: int(m.meta["reach"]) for w, m in self.models.items()}
        self.threshold = {w: float(m.meta["threshold"]) for w, m in self.models.items()}
        self.threshold |= {w: t for w, t in (thresholds or {}).items() if t is not None}

    def read(self, norm: str, hit: Hit, text_lang: Lang) -> tuple[float, float] | None:
        """The log-odds that the hit reports a crisis and the threshold they are held to; None
        where no model reads the hit."""
        which = language(hit, text_lang)
        if which is None or which not in self.models:
            return None
        logit = self.models[which].logit(window(norm, hit, self.reach[which]))
        return logit, self.threshold[which]

    def keep(self, norm: str, hits: list[Hit]) -> list[Hit]:
        """The hits the reading keeps. The text's language is guessed once, and only where a
        hit's term is Latin (a Chinese term is read by the Chinese model whatever the text)."""
        latin = any(CJK.search(h.term) is None for h in hits)
        text_lang: Lang = lang(norm) if latin else "zh"
        kept: list[Hit] = []
        for hit in hits:
            read = self.read(norm, hit, text_lang)
            if read is None or read[0] >= read[1]:
                kept.append(hit)
        return kept
