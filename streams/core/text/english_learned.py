"""A lean for the English sentences the lexicon cannot read.

Many review sentences carry their opinion in facts, not in opinion words: "the walls were so
thin we heard everything", "ordered at seven, ate at nine", "my daughter hasn't taken them
off since". The lexicon (``english.py``) scores those exactly 0, and a word list cannot grow
fast enough to cover them (MODEL_CARD.md). Here a logistic regression over words and word
pairs, trained on labelled review sentences written for this project
(``bench/data/en_train_written.jsonl``), gives them a lean.

It is only asked where the lexicon's sum is exactly 0, so it never overrules a word the
lexicon knows, and its log-odds are scaled down (``scale`` in the weights file) so that it
speaks quietly: a weak lean stays inside the neutral band (a label of ``neutral``, a score
that is not 0), and only a confident one crosses it. A sentence none of whose words and pairs
it knows stays at 0: no judgement is better than the bias.

Features: lower-case words; a word within three after a negator ("not", "never", "n't" ...)
is marked ``!word``, so "not once wrong" and "wrong" weigh apart; pairs of neighbouring words
within a sentence; emoticons as words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from streams.core.text import weights_file

FORMAT: Final = "cxpulse-en-words/1"
NEGATION_SPAN: Final = 3
NEGATORS: Final = frozenset({
    "not", "no", "never", "nothing", "nobody", "none", "nowhere", "neither", "nor",
    "without", "hardly", "barely", "cannot", "zero",
})  # fmt: skip
_ENDS: Final = frozenset(".!?;")


def features(tokens: Sequence[str]) -> list[str]:
    """The features of a text's tokens (``english.tokens``): words, negation-marked, and
    the pairs of neighbours within a sentence (``a b``)."""
    out: list[str] = []
    previous = ""
    negated_for = 0
    for token in tokens:
        if token[0] in _ENDS:
            previous, negated_for = "", 0
            continue
        low = token.lower().replace("’", "'")
        word = low
        if negated_for:
            negated_for -= 1
            word = "!" + low
        out.append(word)
        if previous:
            out.append(previous + " " + word)
        previous = word
        if low in NEGATORS or low.endswith("n't"):
            negated_for = NEGATION_SPAN
    return out


@dataclass(frozen=True)
class LearnedWords:
    """Weights per feature, the bias, and how far the log-odds are scaled down."""

    bias: float
    scale: float
    weights: Mapping[str, float]
    meta: Mapping[str, Any]

    def total(self, tokens: Sequence[str]) -> float:
        """The scaled log-odds that the text is positive, on the lexicon's sum's scale; 0.0
        where no feature is known."""
        known = False
        margin = self.bias
        weights = self.weights
        for f in features(tokens):
            w = weights.get(f)
            if w is not None:
                margin += w
                known = True
        return margin * self.scale if known else 0.0

    def dump(self, path: Path, digits: int = 4) -> None:
        body = {
            "format": FORMAT,
            "bias": round(self.bias, 6),
            "scale": self.scale,
            "meta": dict(self.meta),
            "weights": {f: round(w, digits) for f, w in sorted(self.weights.items())},
        }
        weights_file.write(path, body)

    @classmethod
    def load(cls, path: Path) -> LearnedWords:
        body = weights_file.read(path, (FORMAT,))
        weights = {str(f): float(w) for f, w in body["weights"].items()}
        return cls(float(body["bias"]), float(body["scale"]), weights, body["meta"])
