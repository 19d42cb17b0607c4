"""English sentiment in one linear pass: VADER's lexicon and main rules, without its cost.

VADER (Hutto & Gilbert 2014, the ``vaderSentiment`` package, MIT) rescans the whole text for
every word it scores, so its cost grows with the square of the length (20,000 characters take
a second, 40,000 four) and a two-sentence review costs ~90 µs. This scorer reads the same
lexicon, booster and negation lists from the package, adds its own words and phrases
(``english_words``), and applies VADER's main rules in a single pass over the words:

- a word's valence from the lexicon (-4..4), extended by customer-experience words VADER lacks
  (``DOMAIN``: "waited", "undercooked", "refund" ...), so fewer ordinary review sentences score
  exactly 0, and plain review words it lacks (``REVIEW``: "burnt", "unhelpful", "sturdy"
  ...), used only where VADER has no entry and not when capitalised inside a sentence (a name);
- a few two-word phrases (``PHRASES``: "took forever", "fell apart", "come back"), a long span
  after "took"/"waited" ("took three weeks"), "like" after a verb of the senses ("tasted like")
  read as a comparison, and "refused"/"failed" negating what follows as "not" does;
- negation: a negator among the three words before flips and damps it (x -0.74);
- boosters and dampeners among the three words before ("very", "slightly"), fading with
  distance; a word in capitals in a text that is not all capitals adds emphasis;
- "but": in a sentence, what comes before it counts half and what comes after 1.5 times;
- exclamation marks (up to four) push the sum further from zero;
- a sentence with no sentiment word but a negator ("nobody answered", "it never came") is a
  mild complaint (``NEGATED_NEUTRAL``): in reviews a negated plain verb is an unmet
  expectation far more often than praise;
- a text where all of that finds nothing (no opinion word: "the walls were so thin we heard
  everything") is given the quiet lean of a word model learned from labelled review sentences
  (``english_learned``), so such a text is not scored exactly 0;
- compound score ``s / sqrt(s^2 + 15)``, VADER's normalisation, in -1..1.

Only the first ``MAX_CHARS`` characters are scored: a customer's first 10,000 characters say
how they feel, and a pasted log of a million characters must not stall a partition.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Final

from streams.core.text.english_learned import LearnedWords
from streams.core.text.english_words import (
    BOOSTERS,
    DOMAIN,
    PHRASES,
    REVIEW,
    SPAN_PHRASES,
    TRIPLES,
)

MAX_CHARS: Final = 10_000
# Found through the package, not ``__file__``: compiled (streams.native), this module lives
# apart from its package's files.
LEARNED: Final = Path(str(files("streams.core.text"))) / "weights" / "en_words.json.gz"
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z'’]*|[.!?;]+|[:;=8][-']?[()DPp]")
_SENTENCE_END: Final = frozenset(".!?;")
_NEGATE_SCALAR: Final = -0.74  # VADER's N_SCALAR
_CAPS_BOOST: Final = 0.733  # VADER's C_INCR
_EXCLAIM: Final = 0.292  # VADER's per-"!" amplifier, at most four
_ALPHA: Final = 15.0  # VADER's normalisation constant
NEGATED_NEUTRAL: Final = -0.6

# The words a phrase can end on: only these look back for the phrase's first word.
_PHRASE_ENDS: Final = frozenset(second for _, second in PHRASES)
_SPAN_ENDS: Final = frozenset(second for _, second in SPAN_PHRASES)
_TRIPLE_ENDS: Final = frozenset(third for _, _, third in TRIPLES)

# A rating given in the text ("1/10", "4 out of 5", "5 stars") says how the customer felt in
# so many words. On a five-point scale 4 and 5 are satisfied and 3 is not (the CSAT rule),
# so the middle is put between 3 and 4 (0.65 of the scale): 5/5 +2.1, 4/5 +0.9, 3/5 -0.3,
# 1/10 -3 (capped at VADER's -3..3 of a strong word). A date ("12/5") is not a rating: the
# number must not exceed its scale.
_RATING: Final = re.compile(
    r"(?<![\d./])(\d{1,2}(?:\.\d)?)\s*(?:/|out of)\s*(10|5)(?![\d/])"
    r"|(?<![\d.])([0-5](?:\.5)?)\s*-?\s*stars?\b",
    re.IGNORECASE,
)
_RATING_MIDDLE: Final = 0.65
_RATING_SCALE: Final = 6.0

# A long stretch after "took" or "waited" ("it took three weeks", "waited two hours") is a
# complaint in a review; minutes are left out ("assembly took ten minutes" is praise).
_LONG_SPANS: Final = frozenset({"hour", "hours", "days", "weeks", "months", "ages"})
_TOOK: Final = frozenset({"took", "takes", "take", "taking", "waited", "wait", "waiting"})
_LONG_WAIT: Final = -1.2
# Minutes, or an hour, after "under" or "within" are speed ("arrived within minutes", "in
# under an hour"); days are not, since "within days it broke" is a complaint.
_SHORT_SPANS: Final = frozenset({"minute", "minutes", "hour"})
_WITHIN: Final = frozenset({"under", "within"})
_QUICK: Final = 1.0

# "like" after a verb of the senses compares ("tasted like chlorine"): it is not liking.
_LIKENS: Final = frozenset({
    "taste", "tastes", "tasted", "tasting", "smell", "smells", "smelled", "smelt", "look",
    "looks", "looked", "feel", "feels", "felt", "sound", "sounds", "sounded", "seem", "seems",
    "seemed",
})  # fmt: skip
# Refusing or failing to do a thing negates it as "not" does ("refused to honour the price").
_NEGATING_VERBS: Final = frozenset({"refused", "refuses", "refuse", "failed", "fails"})

# "too" before a word with no valence of its own is excess ("too much salt", "too small",
# "way too long"); the function words that can follow "too" meaning "also" are left alone
# ("the staff were kind too and ...").
_EXCESS: Final = -0.8
_FUNCTION_WORDS: Final = frozenset({
    "a", "an", "the", "and", "or", "but", "so", "as", "if", "when", "which", "who", "that",
    "because", "since", "though", "then", "i", "we", "you", "he", "she", "it", "they", "me",
    "us", "him", "her", "them", "my", "our", "your", "their", "its", "is", "was", "are",
    "were", "be", "been", "had", "have", "has", "will", "would", "to", "of", "in", "on",
    "at", "for", "with", "by", "from",
})  # fmt: skip

# A fault named right after a remedy ("replaced the faulty charger", "fixed our leaking
# tap") is what was put right, and a trouble noun just before one ("problem solved", "my
# issue was resolved") likewise: neither is the customer's complaint. The remedy's own
# valence (fixed, solved, replaced ...) stands, and is negated as usual ("never fixed").
_REMEDIES: Final = frozenset({
    "fixed", "fix", "fixes", "sorted", "sort", "sorts", "solved", "solve", "solves",
    "resolved", "resolve", "resolves", "repaired", "repair", "replaced", "replace",
    "rectified", "refunded", "corrected",
})  # fmt: skip
_TROUBLES: Final = frozenset({
    "problem", "problems", "issue", "issues", "fault", "faults", "mistake", "mistakes",
    "error", "errors", "complaint", "complaints", "trouble",
})  # fmt: skip
# the words that may stand between a remedy and the fault it names
_DETERMINERS: Final = frozenset({
    "the", "a", "an", "my", "our", "your", "their", "his", "her", "its", "this", "that",
    "these", "those", "out", "up", "all",
})  # fmt: skip

# "could have been", "should have been", "would have been" and "could be" before a word say
# it was missing ("could have been warmer", "would have been nice", "could be better"): for
# the next three words a positive valence turns into a mild complaint, and a word with none
# right after the verb ("crispier", "quicker") is one. Negated ("couldn't have been more
# helpful", "couldn't be happier") the same words are praise, and the negation is not
# applied to them.
_COUNTERFACTUAL_SPAN: Final = 3
_UNMET: Final = -0.9
_MODALS: Final = frozenset({"could", "should", "would"})
_MODALS_HAVE: Final = frozenset({"could've", "should've", "would've"})
_NEGATED_MODALS: Final = frozenset({
    "couldn't", "couldnt", "wouldn't", "wouldnt", "shouldn't", "shouldnt",
})  # fmt: skip

# "don't bother", "wouldn't bother again", "couldn't be bothered": in a review, not taking
# the trouble is a complaint, so negation leaves these negative instead of flipping them.
_BOTHER: Final = frozenset({"bother", "bothered", "bothering"})
# "don't waste your money" is advice against, not praise: after the imperative the word keeps
# its sign ("it was not a waste of time" and "didn't waste" are negated as usual).
_WASTE: Final = frozenset({"waste", "wasting"})
_IMPERATIVE_NOT: Final = frozenset({"don't", "dont"})
# the words after which one of the rules above looks back, and the ends of phrases and
# spans, each in one set so that most words cost one look-up
_AFTER_TRIGGERS: Final = _REMEDIES | {"been", "be"}
_ANY_PHRASE_END: Final = _PHRASE_ENDS | _SPAN_ENDS | _TRIPLE_ENDS
_ANY_SPAN: Final = _LONG_SPANS | _SHORT_SPANS


def tokens(text: str) -> list[str]:
    """The words, sentence ends and emoticons of the scored part of a text."""
    return _WORD.findall(text[:MAX_CHARS])


class EnglishScorer:
    def __init__(self, learned: LearnedWords | None = None) -> None:
        """``learned``: the word model asked where the lexicon finds nothing
        (``english_learned``); None: such a text scores 0."""
        from vaderSentiment import vaderSentiment as vader

        self.learned = learned

        path = Path(vader.__file__).parent / "vader_lexicon.txt"
        lexicon: dict[str, float] = {}
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                word, _, rest = line.partition("\t")
                if rest:
                    lexicon[word] = float(rest.split("\t", 1)[0])
        lexicon.update(DOMAIN)
        # REVIEW only fills gaps: where VADER has the word, its valence stands.
        self.review = frozenset(w for w in REVIEW if w not in lexicon)
        lexicon.update((w, REVIEW[w]) for w in self.review)
        self.lexicon = {w: v for w, v in lexicon.items() if v != 0.0}
        self.boosters: dict[str, float] = {**vader.BOOSTER_DICT, **BOOSTERS}
        self.negators = (
            frozenset(vader.NEGATE)
            | {"never", "no", "nobody", "nothing", "nowhere", "zero"}
            | _NEGATING_VERBS
        )

    def score(self, text: str) -> float:
        head = text[:MAX_CHARS]
        words = tokens(head)
        shout = not text.isupper()  # capitals are emphasis only when not everything is
        total = 0.0
        exclaims = 0
        sentence: list[float] = []
        but_at = -1
        negated = False
        recent: list[str] = []  # the three words before, lower case
        # per word of the sentence: was a negator among the three words before it (a phrase
        # reads its negation where it starts); and where the last negator stood
        negated_at: list[bool] = []
        last_negator = -4
        modal_left = 0  # words still under "could have been" and the like
        modal_praise = False  # ... when negated ("couldn't have been nicer")
        modal_used = False  # the unscored word right after the verb has been read
        lexicon, boosters, negators = self.lexicon, self.boosters, self.negators
        for token in words:
            if token[0] in _SENTENCE_END:
                exclaims += token.count("!")
                total += _close(sentence, but_at, negated)
                sentence, but_at, recent, negated = [], -1, [], False
                negated_at, last_negator, modal_left = [], -4, 0
                continue
            word = token.lower().replace("’", "'")
            at = len(sentence)
            # the words whose boosters count, and whether a negator is among the three before
            before_word = recent
            neg_here = at - last_negator <= 3
            if word == "but":
                if recent and recent[-1] == "nothing":
                    last_negator = -4  # "nothing but problems": only problems, not none
                else:
                    but_at = at
            elif word in negators or word.endswith("n't"):
                negated = True
                last_negator = at
            valence = lexicon.get(word)
            phrase_at, phrase = 0, 0.0
            if word in _ANY_PHRASE_END and recent:
                phrase_at, phrase = _phrase(recent, word)
            if phrase_at:
                # the phrase replaces its first word; what precedes it modifies it, and its
                # negation is the one in force where it starts
                valence = phrase
                before_word = recent[:-phrase_at]
                neg_here = negated_at[-phrase_at]
                sentence[-phrase_at] = 0.0
            elif word in _ANY_SPAN:
                if word in _SHORT_SPANS and any(w in _WITHIN for w in recent):
                    valence = _QUICK
                elif word in _LONG_SPANS and any(w in _TOOK for w in recent):
                    valence = _LONG_WAIT
            elif valence is None:
                if recent and recent[-1] == "too" and word not in _FUNCTION_WORDS:
                    valence = _EXCESS
            elif word == "like" and recent and recent[-1] in _LIKENS:
                valence = None
            elif recent and token[0].isupper() and word in self.review:
                valence = None  # capitalised inside a sentence: a name ("Sturdy Inn")
            elif valence < 0 and _after_remedy(recent):
                valence = None  # the fault that was put right
            praise = False
            if modal_left:
                modal_left -= 1
                if modal_praise:
                    praise = True
                elif valence is None:
                    if not modal_used and word not in _FUNCTION_WORDS:
                        valence = _UNMET  # "could have been crispier"
                elif valence > 0:
                    valence = _UNMET  # "would have been nice"
                if word not in _FUNCTION_WORDS:
                    modal_used = True
            if valence is not None:
                sign = 1.0 if valence > 0 else -1.0
                if shout and len(token) > 1 and token.isupper():
                    valence += sign * _CAPS_BOOST
                for distance, before in enumerate(reversed(before_word)):
                    boost = boosters.get(before)
                    if boost is not None:
                        valence += sign * boost * (1.0, 0.95, 0.9)[distance]
                if neg_here and not praise and not _kept_under_negation(word, valence, recent):
                    valence *= _NEGATE_SCALAR
                sentence.append(valence)
            else:
                sentence.append(0.0)
            if word in _AFTER_TRIGGERS:
                if word in _REMEDIES:
                    # a trouble noun just before a remedy is what it put right ("problem
                    # solved"); the sentence's list ends with this word, hence start=2
                    for distance, before in enumerate(reversed(recent), start=2):
                        if before in _TROUBLES and sentence[-distance] < 0:
                            sentence[-distance] = 0.0
                else:  # "been" or "be"
                    modal_left, modal_praise = _counterfactual(recent, word)
                    modal_used = False
            negated_at.append(neg_here)
            recent.append(word)
            if len(recent) > 3:
                del recent[0]
        total += _close(sentence, but_at, negated)
        # Three substring checks cost less than the rating pattern's scan, and most texts
        # hold none of them ("tar" for "star", "Stars" and "STARS" alike would need lower())
        if "/" in head or "tar" in head or "out of" in head:
            total += _ratings(head)
        if not total and self.learned is not None:
            total = self.learned.total(words)
        if total:
            total += math.copysign(min(exclaims, 4) * _EXCLAIM, total)
        return total / math.sqrt(total * total + _ALPHA)


def _phrase(recent: list[str], word: str) -> tuple[int, float]:
    """The phrase ``word`` ends: how many words back it starts (1 = the word before; 0 for
    none) and its valence. Three words in a row win over two, two over a span, the nearest
    span over others."""
    if len(recent) >= 2:
        valence = TRIPLES.get((recent[-2], recent[-1], word))
        if valence is not None:
            return 2, valence
    valence = PHRASES.get((recent[-1], word))
    if valence is not None:
        return 1, valence
    for distance in range(1, len(recent) + 1):
        valence = SPAN_PHRASES.get((recent[-distance], word))
        if valence is not None:
            return distance, valence
    return 0, 0.0


def _kept_under_negation(word: str, valence: float, recent: list[str]) -> bool:
    """A negative word a negator before it does not turn: "don't bother", "don't waste"."""
    if valence >= 0:
        return False
    if word in _BOTHER:
        return True
    return (
        word in _WASTE
        and bool(recent)
        and (recent[-1] in _IMPERATIVE_NOT or recent[-2:] == ["do", "not"])
    )


def _ratings(text: str) -> float:
    """The valence of the ratings the text gives itself ("1/10", "5 stars"), summed."""
    total = 0.0
    for m in _RATING.finditer(text):
        if m.group(1) is not None:
            value, scale = float(m.group(1)), float(m.group(2))
        else:
            value, scale = float(m.group(3)), 5.0
        if value <= scale:
            share = (value / scale - _RATING_MIDDLE) * _RATING_SCALE
            total += max(-3.0, min(3.0, share))
    return total


def _after_remedy(recent: list[str]) -> bool:
    """Is a remedy among the words before, with only determiners after it ("fixed the")?"""
    for before in reversed(recent):
        if before in _REMEDIES:
            return True
        if before not in _DETERMINERS:
            return False
    return False


def _counterfactual(recent: list[str], verb: str) -> tuple[int, bool]:
    """After "been" or "be": how many words a "could have been" reading covers, and whether
    it is the negated one ("couldn't have been nicer"), which is praise."""
    if verb == "been":
        if recent and recent[-1] in _MODALS_HAVE:
            return _COUNTERFACTUAL_SPAN, False
        if len(recent) >= 2 and recent[-1] == "have":
            if recent[-2] in _MODALS:
                return _COUNTERFACTUAL_SPAN, False
            if recent[-2] in _NEGATED_MODALS or (
                recent[-2] == "not" and len(recent) == 3 and recent[-3] in _MODALS
            ):
                return _COUNTERFACTUAL_SPAN, True
        return 0, False
    if recent and recent[-1] == "could":
        return _COUNTERFACTUAL_SPAN, False
    if recent and recent[-1] in ("couldn't", "couldnt"):
        return _COUNTERFACTUAL_SPAN, True
    return 0, False


def _close(sentence: list[float], but_at: int, negated: bool) -> float:
    """A sentence's sum, with VADER's "but" rule: before it x0.5, after it x1.5."""
    if negated and not any(sentence):
        return NEGATED_NEUTRAL
    if but_at < 0:
        return sum(sentence, 0.0)
    return 0.5 * sum(sentence[:but_at], 0.0) + 1.5 * sum(sentence[but_at:], 0.0)


@lru_cache(maxsize=1)
def english() -> EnglishScorer:
    """The shipped scorer: the lexicon, and the learned words where it finds nothing."""
    return EnglishScorer(LearnedWords.load(LEARNED))
