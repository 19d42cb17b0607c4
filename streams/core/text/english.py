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
    # food names VADER scores as other senses ("nuts" as crazy); a promise reported in a
    # review is mostly one not kept, so "promised" is not praise
    "dumpling": 0.0, "dumplings": 0.0, "nuts": 0.0, "promised": 0.0, "promise": 0.0,
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
    # food gone wrong, second round: texture, reheating, spoilage
    "gloopy": -1.1, "fishy": -1.1, "chewy": -0.8, "gristly": -1.2, "stodgy": -1.0,
    "limp": -1.0, "curdled": -1.6, "microwaved": -1.0, "reheated": -0.9,
    "unseasoned": -1.2, "overseasoned": -1.0, "expired": -1.6, "spoiled": -1.8,
    "tepid": -0.8, "grease": -0.8, "undrinkable": -2.0, "overpowering": -1.0,
    # staff and service
    "surly": -1.8, "grumpy": -1.5, "abrupt": -1.2, "curt": -1.2, "snooty": -1.6,
    "bossy": -1.2, "inattentive": -1.5, "disinterested": -1.3, "uninterested": -1.3,
    "unapologetic": -1.6, "inefficient": -1.4, "untrained": -1.3, "unmanned": -1.0,
    "unanswered": -1.2, "unreachable": -1.3, "scripted": -0.8, "robotic": -0.9,
    "overbooked": -1.2, "overcrowded": -1.2, "queue": -0.5, "queues": -0.6,
    "fuss": -1.0, "hassle": -1.2, "letdown": -1.9, "ripoff": -2.2,
    # rooms and goods that are worn or faulty
    "faded": -0.9, "holes": -0.9, "shabby": -1.4, "tatty": -1.3, "dated": -0.8,
    "stuffy": -1.0, "cramped": -1.2, "musty": -1.4, "draughty": -1.0, "drafty": -1.0,
    "noise": -0.8, "wobbly": -0.9, "squeaky": -0.7, "creaky": -0.8, "frayed": -1.0,
    "leaky": -1.3, "peeling": -1.0, "grubby": -1.5, "manky": -1.8,
    # plain praise
    "decent": 1.0, "delish": 2.2, "moreish": 1.8, "flaky": 0.9, "crunchy": 0.9,
    "zesty": 1.0, "chatty": 0.8, "obliging": 1.5, "approachable": 1.4, "informative": 1.3,
    "thorough": 1.2, "punctual": 1.3, "timely": 1.0, "fast": 1.0, "quickly": 0.7,
    "seamless": 1.5, "upgraded": 1.2, "pristine": 1.8, "gleaming": 1.5,
    "airy": 1.0, "plush": 1.3, "soundproofed": 1.0, "brill": 2.2, "sorted": 1.0,
    "replaced": 0.6, "repaired": 0.8, "rectified": 1.0, "updated": 0.5, "smooth": 1.0,
    "spilled": -1.0, "spilt": -1.0, "lacking": -1.0, "lacked": -1.0, "lacks": -1.0,
    "runaround": -1.4,
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
    # food gone off, and goods or service that let the customer down
    ("smelled", "off"): -1.6, ("smells", "off"): -1.6, ("smelt", "off"): -1.6,
    ("tasted", "off"): -1.6, ("tastes", "off"): -1.6, ("gone", "off"): -1.6,
    ("went", "off"): -1.2, ("still", "frozen"): -1.4, ("of", "date"): -1.4,
    ("a", "fly"): -1.6, ("coming", "apart"): -1.8, ("came", "apart"): -1.8,
    ("come", "apart"): -1.8, ("never", "happened"): -1.5, ("a", "joke"): -1.8,
    ("rip", "off"): -2.2, ("talked", "over"): -1.2, ("talking", "over"): -1.2,
    ("talks", "over"): -1.2, ("dropping", "out"): -1.2, ("drops", "out"): -1.2,
    ("dropped", "out"): -1.2, ("cutting", "out"): -1.2, ("cuts", "out"): -1.2,
    ("kept", "dropping"): -1.2, ("keeps", "dropping"): -1.2, ("kept", "crashing"): -1.5,
    ("keeps", "crashing"): -1.5, ("expected", "more"): -1.2, ("expected", "better"): -1.2,
    ("expect", "better"): -1.0, ("else's", "order"): -1.5, ("else's", "food"): -1.5,
    ("a", "script"): -0.8, ("at", "best"): -0.5,
    # praise that is in the phrase, not in its words
    ("spot", "on"): 1.6, ("on", "point"): 1.4, ("a", "breeze"): 1.6, ("as", "described"): 1.2,
    ("as", "advertised"): 1.2, ("exactly", "what"): 1.0, ("exactly", "how"): 1.0,
    ("just", "right"): 1.5, ("inside", "out"): 1.0, ("same", "day"): 1.2,
    ("hassle", "free"): 1.6, ("no", "hassle"): 1.2, ("without", "asking"): 1.2,
    ("on", "time"): 1.0, ("five", "stars"): 1.8, ("five", "star"): 1.8, ("one", "star"): -1.8,
    ("zero", "stars"): -2.0, ("die", "for"): 2.4,
    # call centres and shops: cut off, sold out, mixed up
    ("hung", "up"): -1.8, ("hangs", "up"): -1.8, ("cut", "off"): -1.2, ("mixed", "up"): -1.2,
    ("ran", "out"): -1.0, ("run", "out"): -1.0, ("sold", "out"): -0.8, ("of", "stock"): -1.0,
    ("still", "waiting"): -1.4, ("money", "back"): -1.2, ("left", "hungry"): -1.2,
    # fillers whose words VADER scores but that say nothing: "to be honest" is no praise
    ("be", "honest"): 0.0, ("be", "fair"): 0.0, ("fast", "food"): 0.0,
}  # fmt: skip
_PHRASE_ENDS: Final = frozenset(second for _, second in PHRASES)

# Two words with one or two others between them ("took us forever", "rolled her eyes",
# "sorted it out", "would definitely stay here again"): as PHRASES, the valence replaces the
# first word's, the words between keep theirs, and negation is read where the first word
# stood ("won't be ordering from here again"). Only pairs whose gap cannot change the
# meaning are listed; "at best" is not, since "at its best" is praise.
SPAN_PHRASES: Final[dict[tuple[str, str], float]] = {
    ("took", "forever"): -1.8, ("takes", "forever"): -1.8, ("taking", "forever"): -1.8,
    ("rolled", "eyes"): -1.6, ("rolling", "eyes"): -1.6, ("rolls", "eyes"): -1.6,
    ("sorted", "out"): 1.2, ("let", "down"): -1.6, ("lets", "down"): -1.6,
    ("letting", "down"): -1.6, ("kept", "waiting"): -1.4, ("keep", "waiting"): -1.4,
    ("kept", "awake"): -1.4, ("kept", "loop"): 1.0, ("in", "loop"): 1.0,
    ("tasted", "nothing"): -1.6, ("tastes", "nothing"): -1.6, ("taste", "nothing"): -1.6,
    ("melted", "mouth"): 2.0, ("melts", "mouth"): 2.0, ("melt", "mouth"): 2.0,
    ("off", "bone"): 1.4, ("off", "bill"): 1.2, ("on", "house"): 1.4,
    ("in", "piece"): 1.0, ("in", "pieces"): -1.6, ("past", "date"): -1.4,
    ("swimming", "oil"): -1.4, ("swimming", "grease"): -1.4, ("needs", "clean"): -2.0,
    ("needs", "cleaning"): -2.0, ("needs", "updating"): -1.2, ("needs", "refurb"): -1.2,
    ("needs", "refurbishment"): -1.2, ("needs", "renovating"): -1.2,
    ("needs", "makeover"): -1.2, ("needs", "work"): -1.2,
    ("does", "job"): 1.2, ("did", "job"): 1.2, ("do", "job"): 1.2,
    ("go", "again"): 1.2, ("come", "again"): 1.2, ("stay", "again"): 1.2,
    ("visit", "again"): 1.2, ("order", "again"): 1.2, ("ordering", "again"): 1.2,
    ("buy", "again"): 1.2, ("use", "again"): 1.2, ("eat", "again"): 1.2,
    ("never", "again"): -1.8, ("without", "asked"): 1.2, ("above", "beyond"): 2.2,
    ("out", "way"): 1.6, ("second", "none"): 2.2, ("hit", "spot"): 1.8, ("blew", "away"): 2.0,
    ("sent", "back"): -1.2, ("send", "back"): -1.2, ("sending", "back"): -1.2,
}  # fmt: skip
_SPAN_ENDS: Final = frozenset(second for _, second in SPAN_PHRASES)

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
# the words after which one of the rules above looks back, and the ends of phrases and
# spans, each in one set so that most words cost one look-up
_AFTER_TRIGGERS: Final = _REMEDIES | {"been", "be"}
_ANY_PHRASE_END: Final = _PHRASE_ENDS | _SPAN_ENDS
_ANY_SPAN: Final = _LONG_SPANS | _SHORT_SPANS


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
        # per word of the sentence: was a negator among the three words before it (a phrase
        # reads its negation where it starts); and where the last negator stood
        negated_at: list[bool] = []
        last_negator = -4
        modal_left = 0  # words still under "could have been" and the like
        modal_praise = False  # ... when negated ("couldn't have been nicer")
        modal_used = False  # the unscored word right after the verb has been read
        lexicon, boosters, negators = self.lexicon, self.boosters, self.negators
        for token in tokens:
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
                if neg_here and not praise and not (word in _BOTHER and valence < 0):
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
        if total:
            total += math.copysign(min(exclaims, 4) * _EXCLAIM, total)
        return total / math.sqrt(total * total + _ALPHA)


def _phrase(recent: list[str], word: str) -> tuple[int, float]:
    """The phrase ``word`` ends: how many words back it starts (1 = the word before; 0 for
    none) and its valence. A two-word phrase wins over a span, the nearest span over others."""
    valence = PHRASES.get((recent[-1], word))
    if valence is not None:
        return 1, valence
    for distance in range(1, len(recent) + 1):
        valence = SPAN_PHRASES.get((recent[-distance], word))
        if valence is not None:
            return distance, valence
    return 0, 0.0


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
        return sum(sentence)
    return 0.5 * sum(sentence[:but_at]) + 1.5 * sum(sentence[but_at:])


@lru_cache(maxsize=1)
def english() -> EnglishScorer:
    return EnglishScorer()
