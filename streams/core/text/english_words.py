"""The English scorer's own words and phrases (``streams.core.text.english`` reads them), on
VADER's -4..4 scale: customer-experience words VADER lacks or scores in another sense, plain
review words it has no entry for, and phrases whose meaning none of their words has alone.
Kept apart from the scoring rules so each reads in one sitting; chosen on the dev splits of
``bench/data/en_sentences*.jsonl`` only (``bench.en_eval``)."""

from __future__ import annotations

from typing import Final

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
    # words VADER scores that in a review only negate, intensify or name a thing: "no" is a
    # negator ("no problems" is praise, not -1.2 plus a flipped "problems"); "definitely" and
    # "certainly" are intensifiers (``BOOSTERS``: "definitely not worth it" is no praise);
    # "support" is a department ("customer support never replied") and a device "charges"
    "no": 0.0, "definitely": 0.0, "certainly": 0.0, "support": 0.0, "charges": 0.0,
}  # fmt: skip

# Intensifiers VADER has as lexicon words, read as its boosters are (its own weight).
BOOSTERS: Final[dict[str, float]] = {"definitely": 0.293, "certainly": 0.293}

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
    # third round: devices that fail, sound and screens, goods that come apart
    "disconnecting": -1.3, "disconnects": -1.3, "crashes": -1.5, "crashing": -1.5,
    "crashed": -1.4, "laggy": -1.4, "lags": -1.2, "lagging": -1.2, "glitchy": -1.5,
    "glitch": -1.2, "glitches": -1.3, "buggy": -1.5, "bricked": -2.0, "overheating": -1.4,
    "overheated": -1.4, "drains": -1.2, "draining": -1.1, "tinny": -1.3, "muffled": -1.2,
    "muddy": -0.9, "crackles": -1.1, "crackling": -1.1, "dim": -0.8, "stiff": -0.8,
    "sticking": -0.9, "snapped": -1.3, "chipped": -1.1, "chipping": -1.1, "scratchy": -1.0,
    "undone": -0.9, "rubbish": -2.2, "junk": -2.0, "bloatware": -1.3, "nightmare": -2.5,
    "scratch": -0.9, "drops": -0.8, "lightweight": 1.0, "faster": 0.9, "upgrade": 1.2,
    "punchy": 1.1, "snug": 0.9, "snugly": 0.9, "snappy": 1.1,
    # films and series
    "predictable": -1.0, "wooden": -1.2, "clunky": -1.2, "cheesy": -1.0, "forgettable": -1.3,
    "preachy": -1.3, "miscast": -1.2, "overlong": -1.2, "plodding": -1.2, "overrated": -1.3,
    "unwatchable": -2.4, "cringe": -1.6, "cringey": -1.6, "cringy": -1.6,
    "cringeworthy": -1.8, "underrated": 1.3, "gem": 2.0, "hooked": 1.2, "gripping": 1.8,
    "riveting": 1.8, "effortlessly": 1.2, "watchable": 0.8,
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
    # third round: advice to stay away, faults and praise of goods and films
    ("stay", "away"): -1.8, ("steer", "clear"): -1.8, ("fell", "asleep"): -1.5,
    ("falling", "asleep"): -1.5, ("washed", "out"): -1.2, ("plot", "holes"): -1.4,
    ("heavy", "handed"): -1.3, ("two", "stars"): -1.2, ("two", "star"): -1.2,
    ("four", "stars"): 1.4, ("four", "star"): 1.4, ("holds", "up"): 1.0,
    ("pays", "off"): 1.4, ("paid", "off"): 1.2, ("a", "hit"): 1.4, ("must", "see"): 1.8,
    ("must", "watch"): 1.8, ("special", "effects"): 0.0, ("from", "scratch"): 1.0,
}  # fmt: skip

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
    ("stay", "away"): -1.8, ("all", "place"): -1.2, ("wanted", "like"): -1.5,
    ("wanted", "love"): -1.5, ("wanted", "enjoy"): -1.5, ("steals", "scene"): 1.6,
    ("steals", "show"): 1.6, ("edge", "seat"): 1.8, ("customer", "life"): 1.8,
}  # fmt: skip

# Three words in a row whose meaning none has alone; read as PHRASES are.
TRIPLES: Final[dict[tuple[str, str, str], float]] = {
    ("save", "your", "money"): -1.8, ("save", "your", "cash"): -1.8,
    ("keep", "your", "money"): -1.8, ("keep", "your", "cash"): -1.8,
    ("first", "and", "last"): -1.5,
}  # fmt: skip
