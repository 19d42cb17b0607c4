"""Lexicon hits read in context: the crisis and taboo detectors the stream uses.

A detector converts traditional Chinese to simplified (offsets kept), lets the Aho-Corasick
lexicon find its terms, and only then reads context, so a text without any term (nearly all of
them) costs one conversion check and one automaton pass. The rules and why each exists are in
``rules.py``; every one of them is configurable per deployment through ``TextConfig``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from streams.core.text import rules, rules_cause, rules_english, rules_worded
from streams.core.text.config import CrisisCategory, TextConfig
from streams.core.text.crisis_reading import CrisisReading
from streams.core.text.lang import CJK
from streams.core.text.lexicon import Hit, Lexicon, crisis_lexicon, taboo_lexicon
from streams.core.text.terms import CRISIS

_IGNORE_CASE: Final = re.IGNORECASE
# How far around a hit its category's exclusions are searched (longest exclusion: ~30 chars).
_EXCLUDE_REACH: Final = 40
# A text that repeats crisis terms thousands of times (a flood, a pasted log) is read for its
# first hits of each category only: every hit costs a few context searches, 40,000 of them
# took seconds, and the crisis score counts at most a few hits of a category anyway
# (``crisis.max_hits_per_category``, 2 by default).
READ_PER_CATEGORY: Final = 32


def _either(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for many; searched in lower-cased text, so no case flag (it slows scans)."""
    listed = [p for p in patterns if p]
    return re.compile("|".join(f"(?:{p})" for p in listed)) if listed else None


def _ascii_only(patterns: Iterable[str]) -> list[str]:
    """The patterns that can match a text with no Chinese in it. A pattern that spells a
    Chinese character is taken to need one: skipping it on ASCII text halves English cost."""
    return [p for p in patterns if not CJK.search(p)]


def _compile(pattern: str) -> re.Pattern[str]:
    """Case-insensitive only where the pattern has letters: the flag slows every scan."""
    return re.compile(pattern, _IGNORE_CASE if re.search("[A-Za-z]", pattern) else 0)


def _identity(text: str) -> str:
    return text


def _simplifier(cfg: TextConfig) -> Callable[[str], str]:
    if not cfg.traditional_to_simplified:
        return _identity
    from streams.core.text.script import simplifier

    return simplifier()


class Negation:
    """Is a hit negated in its clause? Chinese and English rules, chosen by the term's script."""

    def __init__(self) -> None:
        pseudo = "|".join(sorted(rules.ZH_PSEUDO, key=len, reverse=True))
        cues = "|".join(sorted(rules.ZH_CUES, key=len, reverse=True))
        short = "|".join(rules.ZH_SHORT_CUES)
        self._zh = re.compile(f"(?P<pseudo>{pseudo})|(?P<cue>{cues})|(?P<short>{short})")
        self._zh_clause = re.compile(rules.ZH_CLAUSE)
        self._zh_breakers = re.compile(rules.ZH_BREAKERS)
        self._zh_after = re.compile(rules.ZH_DENIED_AFTER)
        self._en = re.compile(f"(?P<pseudo>{rules.EN_PSEUDO})|(?P<cue>{rules.EN_CUES})")
        self._en_clause = re.compile(rules.EN_CLAUSE)
        self._word = re.compile(r"[a-z0-9']+")

    def __call__(self, low: str, hit: Hit, pattern: bool = False) -> bool:
        """``pattern``: the hit is a pattern's match, whose last character is the symptom, so a
        cue inside the match (头皮不痒, 头发一直没痒) negates it too."""
        if hit.term.isascii():
            return self._english(low, hit.start)
        if self._chinese(low, hit.start) or self._zh_after.match(low, hit.end) is not None:
            return True
        return pattern and hit.end - hit.start > 1 and self._chinese(low, hit.end - 1)

    def _clause(self, clause: re.Pattern[str], low: str, start: int, reach: int) -> str:
        before = low[max(0, start - reach) : start]
        ends = [m.end() for m in clause.finditer(before)]
        return before[ends[-1] :] if ends else before

    def _chinese(self, low: str, start: int) -> bool:
        window = self._clause(self._zh_clause, low, start, 12)
        last = None
        for m in self._zh.finditer(window):
            last = m
        if last is None or last.group("pseudo"):
            return False
        gap = window[last.end() :]
        if last.group("short"):  # 无异味, 不过敏, 无任何异味; not 不干净有蟑螂
            return len(gap) <= 2 and "有" not in gap
        return self._zh_breakers.search(gap) is None

    def _english(self, low: str, start: int) -> bool:
        window = self._clause(self._en_clause, low, start, 60)
        words = self._word.findall(window)[-rules.EN_WINDOW :]
        near = " ".join(words)
        last = None
        for m in self._en.finditer(near):
            last = m
        return last is not None and not last.group("pseudo")


class CrisisDetector:
    """Crisis hits that hold up in context. ``find`` returns hits indexing the original text."""

    def __init__(self, cfg: TextConfig | None = None) -> None:
        cfg = cfg or TextConfig()
        self.lexicon: Lexicon = crisis_lexicon(cfg)
        self.simplify = _simplifier(cfg)
        self._negation = Negation() if cfg.negation else None
        builtin = cfg.default_rules
        categories = {*CRISIS, *cfg.crisis_exclude}
        exclusions = {
            category: [
                *(rules.EXCLUDE.get(category, ()) if builtin else ()),
                *(rules_cause.EXCLUDE.get(category, ()) if builtin else ()),
                *(rules_worded.EXCLUDE.get(category, ()) if builtin else ()),
                *cfg.crisis_exclude.get(category, []),
            ]
            for category in categories
        }
        self._exclude: dict[str, re.Pattern[str]] = {
            c: p for c, ps in exclusions.items() if (p := _either(ps))
        }
        self._exclude_ascii: dict[str, re.Pattern[str]] = {
            c: p for c, ps in exclusions.items() if (p := _either(_ascii_only(ps)))
        }
        includes: dict[CrisisCategory, list[str]] = {
            category: [*(rules.INCLUDE.get(category, ()) if builtin else ())] for category in CRISIS
        }
        for category, patterns in cfg.crisis_include.items():
            includes[category] += patterns
        # One scan for all of them: a named group per pattern says which matched.
        listed = [(p, category) for category, patterns in includes.items() for p in patterns]
        self._include_of = {f"i{n}": category for n, (_, category) in enumerate(listed)}
        # A deployment's own patterns may need any character: then every text is scanned.
        gated = builtin and not cfg.crisis_include
        self._gate = re.compile(rules.INCLUDE_GATE) if gated else None
        numbered = list(enumerate(p for p, _ in listed))
        self._include = _named(numbered)
        self._include_ascii = _named([(n, p) for n, p in numbered if not CJK.search(p)])
        needs: Mapping[str, str] = {
            **(rules.NEEDS_CONTEXT if builtin else {}),
            **(rules_cause.NEEDS_CONTEXT if builtin else {}),
            **(rules_worded.NEEDS_CONTEXT if builtin else {}),
            **(rules_english.NEEDS_CONTEXT if builtin else {}),
            **cfg.crisis_context,
        }
        self._needs = {term.lower(): re.compile(p) for term, p in needs.items()}
        avoid = {**rules.AVOID_CONTEXT, **rules_english.AVOID_CONTEXT} if builtin else {}
        self._avoid = {term.lower(): re.compile(p) for term, p in avoid.items()}
        self._off_topic = re.compile(rules.OFF_TOPIC) if builtin else None
        self._names = rules.NAMES if builtin else frozenset()
        self._idioms = (
            {term: re.compile(p) for term, p in rules_english.IDIOMS.items()} if builtin else {}
        )
        self._reach: Mapping[str, int] = (
            {
                **rules_cause.CONTEXT_REACH,
                **rules_worded.CONTEXT_REACH,
                **rules_english.CONTEXT_REACH,
            }
            if builtin
            else {}
        )
        self._reading = (
            CrisisReading(
                {"zh": cfg.crisis_reading_weights, "en": cfg.crisis_reading_weights_en},
                {"zh": cfg.crisis_reading_threshold, "en": cfg.crisis_reading_threshold_en},
            )
            if cfg.crisis_second_reading and builtin
            else None
        )

    def find(self, text: str) -> list[Hit]:
        norm = self.simplify(text)
        hits = self.lexicon.find(norm)
        included: set[tuple[int, int]] = set()
        include = self._include_ascii if norm.isascii() else self._include
        if include is not None and (self._gate is None or self._gate.search(norm)):
            hits, included = self._with_included(norm, hits, include)
        if not hits:
            return hits
        if len(hits) > READ_PER_CATEGORY:
            hits = _first_per_category(hits, READ_PER_CATEGORY)
        low = norm.lower()
        if self._off_topic is not None and self._off_topic.search(low):
            return []
        kept = [h for h in hits if self._holds(text, low, h, (h.start, h.end) in included)]
        if kept:
            # The exclusions are the costliest read (one large pattern per category), so they
            # are searched only for the categories of hits that hold in context, and as before
            # around every hit of those categories.
            categories = {h.category for h in kept}
            excluded = self._excluded_spans(low, [h for h in hits if h.category in categories])
            kept = [h for h in kept if not _overlaps(h.start, h.end, excluded.get(h.category, ()))]
        if self._reading is not None and kept:
            return self._reading.keep(low, kept)
        return kept

    def _with_included(
        self, norm: str, hits: list[Hit], pattern: re.Pattern[str]
    ) -> tuple[list[Hit], set[tuple[int, int]]]:
        """Pattern hits replace the term hits they overlap: a pattern is the more specific."""
        found: list[Hit] = []
        for m in pattern.finditer(norm):
            if m.end() > m.start() and m.lastgroup is not None:
                category = self._include_of[m.lastgroup]
                found.append(Hit(m.group(), category, CRISIS[category][0], m.start(), m.end()))
        if not found:
            return hits, set()
        spans = {(h.start, h.end) for h in found}
        kept = [h for h in hits if not _overlaps(h.start, h.end, spans)]
        return sorted(kept + found, key=lambda h: h.start), spans

    def _excluded_spans(self, low: str, hits: list[Hit]) -> dict[str, list[tuple[int, int]]]:
        """Exclusions are local: each is searched only around the hits of its category."""
        spans: dict[str, list[tuple[int, int]]] = {}
        for hit in hits:
            lo, hi = max(0, hit.start - _EXCLUDE_REACH), hit.end + _EXCLUDE_REACH
            table = self._exclude_ascii if low[lo:hi].isascii() else self._exclude
            pattern = table.get(hit.category)
            if pattern is not None:
                spans.setdefault(hit.category, []).extend(
                    m.span() for m in pattern.finditer(low, lo, hi) if m.end() > m.start()
                )
        return spans

    def _holds(self, text: str, low: str, hit: Hit, from_pattern: bool) -> bool:
        """Whether a hit holds in its context, exclusions aside."""
        if from_pattern:  # written for its context already; negation still applies
            return self._negation is None or not self._negation(low, hit, pattern=True)
        term = hit.term.lower()
        if term in self._names and _written_as_name(text, hit):
            return False
        idiom = self._idioms.get(term)
        if idiom is not None and _within_idiom(low, hit, idiom):
            return False
        need, avoid = self._needs.get(term), self._avoid.get(term)
        if need is not None or avoid is not None:
            reach = self._reach.get(term) or (
                rules.CONTEXT_WINDOW_EN if term.isascii() else rules.CONTEXT_WINDOW
            )
            lo, hi = hit.start - reach, hit.end + reach
            near = low[max(0, lo) : hit.start] + " " + low[hit.end : hi]
            if need is not None and need.search(near) is None:
                return False
            if avoid is not None and avoid.search(near) is not None:
                return False
        return self._negation is None or not self._negation(low, hit)


def _first_per_category(hits: list[Hit], cap: int) -> list[Hit]:
    """The first ``cap`` hits of each category, in text order."""
    read: dict[str, int] = {}
    out: list[Hit] = []
    for hit in hits:
        n = read.get(hit.category, 0)
        if n < cap:
            read[hit.category] = n + 1
            out.append(hit)
    return out


def _within_idiom(low: str, hit: Hit, idiom: re.Pattern[str]) -> bool:
    """Whether an idiom of the hit's term overlaps the hit (fell in love, price cut)."""
    lo = max(0, hit.start - rules.CONTEXT_WINDOW_EN)
    spans = (m.span() for m in idiom.finditer(low, lo, hit.end + rules.CONTEXT_WINDOW_EN))
    return _overlaps(hit.start, hit.end, spans)


class TabooDetector:
    """Staff taboo phrases, except a refusal phrase that goes on as a commitment (apology)."""

    def __init__(self, cfg: TextConfig | None = None) -> None:
        cfg = cfg or TextConfig()
        self.lexicon: Lexicon = taboo_lexicon(cfg)
        self.simplify = _simplifier(cfg)
        after = {
            **(rules.TABOO_EXCEPT_AFTER if cfg.default_rules else {}),
            **cfg.taboo_except_after,
        }
        self._after = {phrase: re.compile(p) for phrase, p in after.items()}

    def find(self, text: str) -> list[Hit]:
        norm = self.simplify(text)
        hits = self.lexicon.find(norm)
        if not hits or not self._after:
            return hits
        return [h for h in hits if not self._apology(norm, h)]

    def _apology(self, norm: str, hit: Hit) -> bool:
        pattern = self._after.get(hit.term)
        return pattern is not None and pattern.match(norm, hit.end) is not None


def _named(numbered: list[tuple[int, str]]) -> re.Pattern[str] | None:
    """One alternation; group ``i<n>`` is pattern number n."""
    alternatives = [f"(?P<i{n}>{p})" for n, p in numbered]
    return _compile("|".join(alternatives)) if alternatives else None


def _written_as_name(text: str, hit: Hit) -> bool:
    """ "Sue was our server", "SUE's Kitchen": capitalised, or possessive."""
    word = text[hit.start : hit.end]
    return word.istitle() or text.startswith(("'s", "’s"), hit.end)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)
