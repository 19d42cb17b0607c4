"""English sentiment in one linear pass: VADER's lexicon and main rules, without its cost.

VADER (Hutto & Gilbert 2014, the ``vaderSentiment`` package, MIT) rescans the whole text for
every word it scores, so its cost grows with the square of the length (20,000 characters take
a second, 40,000 four) and a two-sentence review costs ~90 µs. This scorer reads the same
lexicon, booster and negation lists from the package and applies VADER's main rules in a single
pass over the words:

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
- compound score ``s / sqrt(s^2 + 15)``, VADER's normalisation, in -1..1.

Only the first ``MAX_CHARS`` characters are scored: a customer's first 10,000 characters say
how they feel, and a pasted log of a million characters must not stall a partition.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Final

MAX_CHARS: Final = 10_000
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z'’]*|[.!?;]+|[:;=8][-']?[()DPp]")
_SENTENCE_END: Final = frozenset(".!?;")
_NEGATE_SCALAR: Final = -0.74  # VADER's N_SCALAR
_CAPS_BOOST: Final = 0.733  # VADER's C_INCR
_EXCLAIM: Final = 0.292  # VADER's per-"!" amplifier, at most four
_ALPHA: Final = 15.0  # VADER's normalisation constant
NEGATED_NEUTRAL: Final = -0.6

# Customer-experience words missing from VADER's lexicon, on its -4..4 scale; values are set
# near the VADER words they mean the same as ("late" as "slow" -1.0 ...).
DOMAIN: Final[dict[str, float]] = {
    "waited": -1.0, "wait": -0.6, "waiting": -0.8, "late": -1.0, "delayed": -1.2,
    "slow": -1.2, "cold": -0.8, "lukewarm": -0.8, "undercooked": -1.8, "overcooked": -1.4,
    "raw": -1.0, "stale": -1.6, "soggy": -1.4, "bland": -1.3, "greasy": -1.2, "salty": -0.9,
    "overpriced": -1.8, "overcharged": -2.0, "pricey": -0.7, "expensive": -0.8,
    "cheap": -0.3, "tiny": -0.6, "small": -0.3, "missing": -1.2, "forgot": -1.2,
    "forgotten": -1.2, "wrong": -1.5, "refund": -1.0, "refunded": -0.6, "complaint": -1.6,
    "complained": -1.6, "noisy": -1.2, "loud": -0.8, "smelly": -1.8, "sticky": -1.0,
    "filthy": -2.6, "broken": -1.6, "crowded": -0.9, "understaffed": -1.6, "ignored": -1.6,
    "sick": -1.6, "vomiting": -2.4, "diarrhea": -2.4, "diarrhoea": -2.4, "hair": -0.6,
    "cockroach": -2.4, "cockroaches": -2.4, "rats": -1.6, "mould": -2.0, "mold": -2.0,
    "moldy": -2.2, "mouldy": -2.2, "average": -0.3, "mediocre": -1.3, "meh": -0.9,
    "fresh": 1.3, "tasty": 1.9, "yummy": 2.2, "crispy": 1.0, "tender": 1.2, "juicy": 1.2,
    "flavorful": 1.9, "flavourful": 1.9, "quick": 1.0, "prompt": 1.1, "attentive": 1.7,
    "spotless": 2.0, "cozy": 1.8, "cosy": 1.8, "generous": 1.9, "reasonable": 1.0,
    "affordable": 1.2, "recommended": 1.5, "authentic": 1.3, "polite": 1.6,
    "welcoming": 1.8, "efficient": 1.4, "value": 0.8, "portions": 0.0, "again": 0.0,
    "thanks": 1.9, "apologised": 0.8, "apologized": 0.8, "back": 0.3, "issue": -0.8,
    "issues": -0.8, "rushed": -1.0, "disorganised": -1.5, "disorganized": -1.5,
}  # fmt: skip

# Plain review words VADER has no entry for, by the classes of complaint and praise that left
# ordinary sentences at exactly 0: food gone wrong, attitude of staff, goods that fail, dirt
# and pests, and the plain praise of food, rooms, goods and service. Valences are set near the
# VADER words of the same strength ("unhelpful" as "useless" -1.8, "sturdy" as "solid"). Words
# whose review sense goes both ways are left out ("thin" walls or crust, "melted" ice cream or
# cheese, "old", "warm", "hot").
REVIEW: Final[dict[str, float]] = {
    "burnt": -1.5, "burned": -1.3, "burns": -0.8, "mushy": -1.1, "watery": -1.1,
    "rubbery": -1.4, "wilted": -1.2, "inedible": -2.4, "tasteless": -1.6, "flavourless": -1.6,
    "flavorless": -1.6, "overdone": -1.2, "fatty": -0.7, "oily": -1.0, "dry": -0.8,
    "lumpy": -0.9, "sour": -0.6, "underwhelming": -1.5,
    "unhelpful": -1.8, "dismissive": -1.6, "condescending": -2.0, "shouting": -1.2,
    "shouted": -1.2, "unresponsive": -1.5, "unprofessional": -1.8,
    "leaks": -1.3, "leaking": -1.3, "shrank": -1.3, "shrunk": -1.3, "dies": -1.5,
    "cracked": -1.2, "ripped": -1.2, "scratched": -1.1, "dented": -1.1, "flimsy": -1.4,
    "unusable": -2.0, "overheats": -1.4, "canceled": -1.0, "wet": -0.6,
    "stained": -1.3, "stains": -1.2, "damp": -1.0, "dusty": -1.1, "grimy": -1.8,
    "clogged": -1.2, "unclean": -1.8, "ants": -1.4, "bugs": -1.4, "roaches": -2.2,
    "bedbugs": -2.6, "mice": -1.6, "maggots": -2.6,
    "homemade": 1.4, "fragrant": 1.4, "fluffy": 1.3, "crisp": 1.0, "creamy": 1.2,
    "hearty": 1.3, "succulent": 1.8, "spacious": 1.4, "roomy": 1.1, "comfy": 1.6,
    "tidy": 1.2, "immaculate": 2.2, "sturdy": 1.4, "durable": 1.4, "reliable": 1.4,
    "sleek": 1.2, "plenty": 0.8, "patient": 1.3, "knowledgeable": 1.7,
    "accommodating": 1.6, "professional": 1.2, "speedy": 1.3, "promptly": 1.1,
    "early": 0.5, "remembered": 0.8, "fixed": 0.8, "answered": 0.6, "replied": 0.6,
    "responded": 0.6,
}  # fmt: skip

# Two-word phrases whose meaning neither word has alone ("took forever", "fell apart"); the
# phrase's valence replaces its first word's. Negators and boosters are read before the phrase.
PHRASES: Final[dict[tuple[str, str], float]] = {
    ("took", "forever"): -1.8, ("takes", "forever"): -1.8, ("take", "forever"): -1.8,
    ("taking", "forever"): -1.8, ("on", "hold"): -1.2, ("fell", "apart"): -1.8,
    ("falls", "apart"): -1.8, ("falling", "apart"): -1.8, ("stopped", "working"): -2.0,
    ("stops", "working"): -2.0, ("run", "down"): -1.5, ("never", "arrived"): -1.8,
    ("never", "came"): -1.5, ("never", "showed"): -1.5, ("never", "again"): -1.8,
    ("piping", "hot"): 1.5, ("sorted", "out"): 1.2, ("come", "back"): 1.2,
    ("coming", "back"): 1.2, ("go", "back"): 1.0, ("going", "back"): 1.0,
    ("smelled", "of"): -1.0, ("smells", "of"): -1.0, ("smelt", "of"): -1.0,
    ("smelling", "of"): -1.0,
}  # fmt: skip
_PHRASE_ENDS: Final = frozenset(second for _, second in PHRASES)

# A long stretch after "took" or "waited" ("it took three weeks", "waited two hours") is a
# complaint in a review; minutes are left out ("assembly took ten minutes" is praise).
_LONG_SPANS: Final = frozenset({"hours", "days", "weeks", "months", "ages"})
_TOOK: Final = frozenset({"took", "takes", "take", "taking", "waited", "wait", "waiting"})
_LONG_WAIT: Final = -1.2

# "like" after a verb of the senses compares ("tasted like chlorine"): it is not liking.
_LIKENS: Final = frozenset({
    "taste", "tastes", "tasted", "tasting", "smell", "smells", "smelled", "smelt", "look",
    "looks", "looked", "feel", "feels", "felt", "sound", "sounds", "sounded", "seem", "seems",
    "seemed",
})  # fmt: skip
# Refusing or failing to do a thing negates it as "not" does ("refused to honour the price").
_NEGATING_VERBS: Final = frozenset({"refused", "refuses", "refuse", "failed", "fails"})


class EnglishScorer:
    def __init__(self) -> None:
        from vaderSentiment import vaderSentiment as vader

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
        self.boosters: dict[str, float] = dict(vader.BOOSTER_DICT)
        self.negators = (
            frozenset(vader.NEGATE)
            | {"never", "no", "nobody", "nothing", "nowhere"}
            | _NEGATING_VERBS
        )

    def score(self, text: str) -> float:
        tokens = _WORD.findall(text[:MAX_CHARS])
        shout = not text.isupper()  # capitals are emphasis only when not everything is
        total = 0.0
        exclaims = 0
        sentence: list[float] = []
        but_at = -1
        negated = False
        recent: list[str] = []  # the three words before, lower case
        lexicon, boosters, negators = self.lexicon, self.boosters, self.negators
        for token in tokens:
            if token[0] in _SENTENCE_END:
                exclaims += token.count("!")
                total += _close(sentence, but_at, negated)
                sentence, but_at, recent, negated = [], -1, [], False
                continue
            word = token.lower().replace("’", "'")
            if word == "but":
                but_at = len(sentence)
            elif word in negators or word.endswith("n't"):
                negated = True
            valence = lexicon.get(word)
            before_word = recent
            if word in _PHRASE_ENDS and recent:
                phrase = PHRASES.get((recent[-1], word))
                if phrase is not None:
                    # the phrase replaces its first word; what precedes it modifies it
                    valence, before_word = phrase, recent[:-1]
                    sentence[-1] = 0.0
            elif word in _LONG_SPANS:
                if any(w in _TOOK for w in recent):
                    valence = _LONG_WAIT
            elif valence is not None:
                if word == "like" and recent and recent[-1] in _LIKENS:
                    valence = None
                elif recent and token[0].isupper() and word in self.review:
                    valence = None  # capitalised inside a sentence: a name ("Sturdy Inn")
            if valence is not None:
                sign = 1.0 if valence > 0 else -1.0
                if shout and len(token) > 1 and token.isupper():
                    valence += sign * _CAPS_BOOST
                for distance, before in enumerate(reversed(before_word)):
                    boost = boosters.get(before)
                    if boost is not None:
                        valence += sign * boost * (1.0, 0.95, 0.9)[distance]
                if any(w in negators or w.endswith("n't") for w in before_word):
                    valence *= _NEGATE_SCALAR
                sentence.append(valence)
            else:
                sentence.append(0.0)
            recent.append(word)
            if len(recent) > 3:
                del recent[0]
        total += _close(sentence, but_at, negated)
        if total:
            total += math.copysign(min(exclaims, 4) * _EXCLAIM, total)
        return total / math.sqrt(total * total + _ALPHA)


def _close(sentence: list[float], but_at: int, negated: bool) -> float:
    """A sentence's sum, with VADER's "but" rule: before it x0.5, after it x1.5."""
    if negated and not any(sentence):
        return NEGATED_NEUTRAL
    if but_at < 0:
        return sum(sentence)
    return 0.5 * sum(sentence[:but_at]) + 1.5 * sum(sentence[but_at:])


@lru_cache(maxsize=1)
def english() -> EnglishScorer:
    return EnglishScorer()
