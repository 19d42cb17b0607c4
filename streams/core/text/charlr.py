"""The Chinese sentiment model: logistic regression on character n-grams, scored in pure Python.

The features are the *counts* of every character 1..``order``-gram of the lower-cased text,
divided by ``len(text) ** power``. Counts (not presence) make the score a plain sum over text
positions, and that sum can be folded: position ``i`` contributes
``w1[t[i]] + w2[t[i:i+2]] + ...``, so one table keyed by the longest n-gram starting there holds
the whole sum, with the shorter n-grams' tables as back-off for the ones the model does not
know. Most positions then cost one dictionary look-up instead of ``order``, which is what makes
20k+ texts/s per core possible without numpy. (A text with a contrast tail, when the weights
use that rule, takes a path that keeps each position's value, to re-sum the tail's.) The
folded score equals the unfolded one (up to float rounding), and ``train.py`` uses
:func:`features`, so training sees the same features.

Two rules read a little syntax, because reviews put their verdict after a contrast and
negation changes what the next words mean (both measured on held-out domains, MODEL_CARD.md):

- **contrast**: the text after the last contrast word (但是, 不过, 就是, 却 ...) is counted a
  second time, so in 味道很好，但是服务太差了 the complaint outweighs the praise;
- **negation**: each character within three characters after 不/没/无/别 (inside the clause)
  is also a feature of its own, "negated c", with its own weight;
- **negation_pairs**: each pair of adjacent characters in that scope too ("negated 难吃"), in
  the same ``negated`` table (keys of two characters).

Both are features, not post-hoc rules: :func:`features` lists them for training and the scorer
adds the same terms, so the weights are learnt with them. A weights file names the rules it
was trained with; the shipped one uses negation only (contrast lost accuracy on three
held-out domains).

No Unicode normalisation: NFKC costs more than the scoring itself (~240 ns/char) and changed no
held-out accuracy by more than 0.1 point, because full-width and ASCII punctuation are both
frequent enough in training text to get their own weights.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add
from pathlib import Path
from typing import Any, Final

from streams.core.text import weights_file

FORMAT: Final = "cxpulse-zh-charlr/2"
READS: Final = ("cxpulse-zh-charlr/1", FORMAT)  # /1: no rules, no "negated" table
RULES: Final = ("contrast", "negation", "negation_pairs")
# normalise() replaces it in every text, so a feature name that starts with it is never an n-gram.
_PAD: Final = "\x00"


# The verdict of a review tends to follow these: "good, but ..." / "fine, only ...". 但是
# comes before 但 so that the tail starts after the whole word.
_CONTRAST: Final = re.compile(r"但是|可是|不过|然而|只是|就是|但|却")
# A negation cue and up to three characters after it, stopping at clause punctuation.
_NEGATION: Final = re.compile(r"[不没无别]([^，,。.！!？?；;～~\s…]{1,3})")
NEGATED: Final = _PAD  # feature-name prefix of a negated character (normalise() strips _PAD)


def contrast_start(norm: str) -> int:
    """Where the text after the last contrast word starts (``len(norm)`` when there is none)."""
    if _CONTRAST.search(norm) is None:  # most texts: one C-level scan, no match objects
        return len(norm)
    *_, last = _CONTRAST.finditer(norm)
    return last.end()


def contrast_tail(norm: str) -> str:
    """What follows the last contrast word ('' when there is none)."""
    return norm[contrast_start(norm) :]


def negated(norm: str) -> str:
    """The characters in negation scope, concatenated (a character may appear twice)."""
    return "".join(_NEGATION.findall(norm))


def negated_pairs(norm: str) -> list[str]:
    """Each pair of adjacent characters inside one negation scope (不难吃 -> 难吃): a negated
    word of two characters gets a weight of its own, so 不难吃 need not read as 不 + 难."""
    return [s[i : i + 2] for s in _NEGATION.findall(norm) for i in range(len(s) - 1)]


def normalise(text: str) -> str:
    t = text.lower()
    return t.replace(_PAD, " ") if _PAD in t else t


def char_ngrams(norm: str, order: int) -> list[str]:
    """Every 1..order-gram of an already normalised text (the training features)."""
    grams = list(norm)
    out = list(grams)
    for k in range(1, order):
        grams = list(map(add, grams, norm[k:]))
        out += grams
    return out


def features(norm: str, order: int, rules: Sequence[str] = RULES) -> list[str]:
    """The training features of a normalised text: its n-grams, the contrast tail's n-grams
    again, and NEGATED + c for each character in negation scope."""
    out = char_ngrams(norm, order)
    if "contrast" in rules and (tail := contrast_tail(norm)):
        out += char_ngrams(tail, order)
    if "negation" in rules:
        out += [NEGATED + c for c in negated(norm)]
    if "negation_pairs" in rules:
        out += [NEGATED + pair for pair in negated_pairs(norm)]
    return out


@dataclass(frozen=True, slots=True)
class Weights:
    """What a weights file holds: raw per-n-gram weights, as the trainer produced them."""

    bias: float
    power: float
    order: int
    grams: Mapping[str, float]
    meta: Mapping[str, Any]
    rules: tuple[str, ...] = ()
    negated: Mapping[str, float] = field(default_factory=dict)

    def dump(self, path: Path, digits: int = 4) -> None:
        # 4 decimals change no held-out prediction and make the file a third smaller.
        body = {
            "format": FORMAT,
            "bias": round(self.bias, 6),
            "power": self.power,
            "order": self.order,
            "meta": dict(self.meta),
            "rules": list(self.rules),
            "grams": {g: round(w, digits) for g, w in sorted(self.grams.items())},
            "negated": {c: round(w, digits) for c, w in sorted(self.negated.items())},
        }
        weights_file.write(path, body)

    @classmethod
    def load(cls, path: Path) -> Weights:
        body = weights_file.read(path, READS)
        grams = {str(g): float(w) for g, w in body["grams"].items()}
        rules = tuple(str(r) for r in body.get("rules", ()))
        if unknown := set(rules) - set(RULES):
            raise ValueError(f"{path}: unknown feature rules {sorted(unknown)}")
        neg = {str(c): float(w) for c, w in body.get("negated", {}).items()}
        return cls(
            float(body["bias"]),
            float(body["power"]),
            int(body["order"]),
            grams,
            body["meta"],
            rules,
            neg,
        )


class CharLR:
    """Scores text with folded tables built from :class:`Weights`."""

    def __init__(self, weights: Weights) -> None:
        self.bias = weights.bias
        self.power = weights.power
        self.order = weights.order
        self.meta = weights.meta
        self.raw = weights.grams
        self.rules = weights.rules
        self._contrast = "contrast" in weights.rules
        self._negation = "negation" in weights.rules
        self._pairs = "negation_pairs" in weights.rules
        self.negated = dict(weights.negated)
        self._negated_get = self.negated.get
        # tables[k - 1][g] = sum of the weights of g's prefixes (g[:1], ..., g), for k = len(g)
        self._tables: list[dict[str, float]] = [{} for _ in range(self.order)]
        for g, w in sorted(weights.grams.items(), key=lambda item: len(item[0])):
            self._tables[len(g) - 1][g] = self._prefix_sum(g[:-1]) + w
        self._gets = [table.get for table in reversed(self._tables)]  # longest first

    def _prefix_sum(self, g: str) -> float:
        """The folded value of ``g`` even when the model lacks ``g`` itself (back-off)."""
        while g:
            value = self._tables[len(g) - 1].get(g)
            if value is not None:
                return value
            g = g[:-1]
        return 0.0

    def logit(self, text: str) -> float:
        """The model's log-odds that ``text`` is positive."""
        t = normalise(text)
        n = len(t)
        if n == 0:
            return self.bias
        if self._contrast and (start := contrast_start(t)) < n:
            # The tail is a suffix of the text: its n-grams are the same positions' again.
            values = self._values(t)
            total = sum(values, 0.0) + sum(values[start:], 0.0)
        else:
            total = self._sum(t)
        if (self._negation or self._pairs) and (scopes := _NEGATION.findall(t)):
            get = self._negated_get
            if self._negation:
                total += sum(map(get, "".join(scopes), repeat(0.0)), 0.0)
            if self._pairs:
                total += sum(
                    [get(s[i : i + 2], 0.0) for s in scopes for i in range(len(s) - 1)], 0.0
                )
        return self.bias + total / math.pow(n, self.power)

    def _values(self, t: str) -> list[float]:
        """The folded weight of the longest known n-gram starting at each position of ``t``:
        the unigram's, replaced by the bigram's where the model knows it, and so on (dict.get's
        default is the back-off). Longer n-grams exist at fewer positions; the last positions
        keep the shorter ones'. Slower than :meth:`_sum` (every level is looked up everywhere)
        but it keeps each position's value, for the contrast tail."""
        gets = self._gets
        values = list(map(gets[-1], t, repeat(0.0)))  # _gets is longest first
        grams: Sequence[str] = t
        for k in range(1, self.order):
            grams = list(map(add, grams, t[k:]))
            values[: len(grams)] = map(gets[-1 - k], grams, values)
        return values

    def _sum(self, t: str) -> float:
        """Σ of the weights of every 1..order-gram of ``t``, folded: at each position the
        longest n-gram the model knows, tried longest first (the shorter ones are its back-off).
        One position at a time, because most positions know their longest n-gram: this makes
        a little more than one string a position, where building every level's n-grams for the
        whole text made ``order - 1`` (compiled: a third less time for the Chinese sentiment
        model's bigrams, a quarter of it for the crisis reading's English 5-grams)."""
        tables = self._tables
        order = self.order
        n = len(t)
        total = 0.0
        for i in range(n):
            k = min(order, n - i)
            while k > 0:
                value = tables[k - 1].get(t[i : i + k])
                if value is not None:
                    total += value
                    break
                k -= 1
        return total

    def score(self, text: str) -> float:
        """2 * P(positive) - 1, in -1..1 (tanh(z/2) is that, without overflow)."""
        return math.tanh(self.logit(text) / 2)

    def logit_unfolded(self, text: str) -> float:
        """The same log-odds the slow, obvious way: the reference the tests compare against."""
        t = normalise(text)
        if not t:
            return self.bias
        grams = features(t, self.order, self.rules)
        table = {**self.raw, **{NEGATED + c: w for c, w in self.negated.items()}}
        return self.bias + sum(table.get(g, 0.0) for g in grams) / math.pow(len(t), self.power)

    def __len__(self) -> int:
        return len(self.raw)
