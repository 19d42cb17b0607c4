"""Phrase matching with Aho-Corasick: every term of a lexicon found in one pass over the text.

Matching is case-insensitive. A term that starts (ends) with an ASCII letter or digit only
matches where the text has no ASCII letter or digit just before (after) it, so "sue" does not
match "issue" and "12315" does not match "0123156"; Chinese terms match anywhere, since Chinese
has no spaces between words. Instead of normalising every text, each term is expanded into its
written variants (ASCII or full-width digits and punctuation), which keeps the text's offsets
as they are and costs nothing per text.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, NamedTuple

import ahocorasick_rs

from streams.core.text.config import TextConfig
from streams.core.text.terms import CRISIS, TABOO

_ASCII_TWINS: Final = "!\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~"
# A character and its full-width form (U+FF01.. mirrors ASCII 0x21..), e.g. "1" and "１".
_TWINS: Final = {c: (c, chr(ord(c) + 0xFEE0)) for c in _ASCII_TWINS}
# How a pause inside a taboo phrase may be written, speech transcripts having no punctuation.
_PAUSES: Final = (",", "，", "、", "。", ".", "?", "？", "!", "！", " ", "")
_LOOSE: Final = tuple(sorted({p + s for p in _PAUSES for s in ("", " ")}))  # "，" or ", " or ""
_ELLIPSES: Final = ("……", "…", "...")
# Lone surrogates; no literal of them: mypyc (streams.native) refuses one.
_SURROGATE: Final = re.compile(f"[{chr(0xD800)}-{chr(0xDFFF)}]")


class Hit(NamedTuple):
    term: str
    category: str
    weight: float
    start: int  # text[start:end] is what matched
    end: int


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    category: str
    weight: float = 1.0
    # Taboo phrases: any pause (punctuation, space or none) may stand for punctuation inside.
    loose_pauses: bool = False


def _is_word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _variants(term: Term) -> set[str]:
    text = term.text.strip().lower()
    if term.loose_pauses:  # a closing "?" is optional too: 你怎么这么讲话 is the phrase
        text = _strip_ellipsis(text).rstrip("".join(_PAUSES))
        options = [_LOOSE if c in _PAUSES and c != " " else _TWINS.get(c, (c,)) for c in text]
    else:
        options = [_TWINS.get(c, (c,)) for c in text]
    if math.prod(map(len, options)) > 4096:
        raise ValueError(f"term {term.text!r} has too many written variants")
    return {"".join(parts) for parts in itertools.product(*options)} - {""}


class Lexicon:
    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms: list[Term] = []
        patterns: dict[str, int] = {}
        for term in terms:
            for pattern in sorted(_variants(term)):
                # The first term to claim a spelling keeps it (defaults before operator extras).
                if pattern not in patterns:
                    patterns[pattern] = len(self.terms)
            self.terms.append(term)
        self._patterns = list(patterns)
        self._owner = list(patterns.values())
        self._edges = [(_is_word_char(p[0]), _is_word_char(p[-1])) for p in self._patterns]
        self._ac = ahocorasick_rs.AhoCorasick(self._patterns) if self._patterns else None

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, text: str) -> list[Hit]:
        """Every hit, leftmost first; a hit inside a longer one (中毒 in 食物中毒) is dropped."""
        if self._ac is None:
            return []
        low = text.lower()
        if len(low) != len(text):  # a few letters lower to two characters (İ); keep offsets
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        try:
            found = self._ac.find_matches_as_indexes(low, overlapping=True)
        except UnicodeEncodeError:  # lone surrogates (from JSON "\\ud800"): one char each
            low = _SURROGATE.sub("\ufffd", low)
            found = self._ac.find_matches_as_indexes(low, overlapping=True)
        found.sort(key=lambda m: (m[1], -m[2]))
        hits: list[Hit] = []
        reach = -1
        for index, start, end in found:
            if end <= reach:
                continue
            left, right = self._edges[index]
            if left and start > 0 and _is_word_char(low[start - 1]):
                continue
            if right and end < len(low) and _is_word_char(low[end]):
                continue
            term = self.terms[self._owner[index]]
            hits.append(Hit(term.text, term.category, term.weight, start, end))
            reach = end
        return hits


def crisis_terms(cfg: TextConfig | None = None) -> list[Term]:
    cfg = cfg or TextConfig()
    off = {t.lower() for t in cfg.crisis_disabled}
    out = [
        Term(text, category, weight)
        for category, (weight, texts) in CRISIS.items()
        for text in texts
        if text.lower() not in off
    ]
    for category, texts in cfg.crisis_extra.items():
        out += [Term(text, category, CRISIS[category][0]) for text in texts]
    return out


def taboo_terms(cfg: TextConfig | None = None) -> list[Term]:
    cfg = cfg or TextConfig()
    off = set(cfg.taboo_disabled)
    return [
        Term(text, "taboo", 1.0, loose_pauses=True)
        for phrase in (*TABOO, *cfg.taboo_extra)
        for alternative in phrase.split(" / ")
        if (text := _strip_ellipsis(alternative.strip())) and text not in off
    ]


def _strip_ellipsis(text: str) -> str:
    for tail in _ELLIPSES:
        text = text.removesuffix(tail)
    return text


def crisis_lexicon(cfg: TextConfig | None = None) -> Lexicon:
    return Lexicon(crisis_terms(cfg))


def taboo_lexicon(cfg: TextConfig | None = None) -> Lexicon:
    return Lexicon(taboo_terms(cfg))
