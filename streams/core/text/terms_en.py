"""English crisis terms for what happened, in the customer's words.

The first English terms name the crisis (food poisoning, lawsuit, chargeback). Customers
writing in English mostly say what happened instead: "up all night being sick", "a shard of
glass in the brownie", "my solicitor has the file", "disputed the charge with Amex", "pass it
on". Texts written that way (``bench/data/crisis_train_written_en.jsonl``) were found about one
time in five. These terms are merged into ``terms.CRISIS``; the ones with everyday senses count
only in the context ``rules_english.py`` gives them, and every English hit is then read by the
second reading (``crisis_reading.py``), trained with them.

Whole words only, lower case, inflections listed (the lexicon matches spellings, not stems).
"""

from __future__ import annotations

from typing import Final

from streams.core.text.config import CrisisCategory

# Money a group wants back: each counts only with many customers near it
# (rules_english.NEEDS_CONTEXT).
GROUP_REFUND: Final = (
    "refunds", "money back", "fees back", "deposits back", "our money", "want a refund",
    "wants a refund", "want it back", "wants reimbursing", "reimbursement", "money returned",
    "refund demand",
)  # fmt: skip
# News outlets and consumer programmes of the markets served, by name: customers name where
# they took it ("this is going to Watchdog"). Each counts only beside a word of reaching it
# (rules_english.NEEDS_CONTEXT).
OUTLETS: Final = (
    "bbc", "bbc news", "itv news", "sky news", "channel 4 news", "watchdog", "rip off britain",
    "which?", "daily mail", "the mirror", "evening standard", "the guardian", "the telegraph",
    "the sun", "the times", "cnn", "fox news", "nbc", "cbs", "abc news", "usa today",
    "new york times", "washington post", "a current affair", "today tonight", "fair go", "7news",
    "9news", "10 news", "channel 7", "channel 9", "channel 10", "herald sun",
    "sydney morning herald", "the australian", "straits times", "channel newsasia", "cna",
    "mothership", "the new paper", "today online", "the star", "malay mail", "new straits times",
    "malaysiakini", "says.com", "inquirer", "rappler", "abs-cbn", "gma news", "gma", "tv5",
    "tulfo", "philstar", "manila bulletin", "times of india", "hindustan times", "the hindu",
    "ndtv", "india today", "economic times", "mumbai mirror", "indian express", "zee news",
    "punch newspaper", "vanguard", "channels tv", "daily nation", "the standard", "citizen tv",
    "ntv kenya", "buzzfeed", "the independent",
)  # fmt: skip
# The outlets whose name is also a place or a word (the Star Vista is a mall): only beside
# contacting them, not beside going there.
OUTLETS_ALSO_WORDS: Final = (
    "the sun", "the star", "the times", "the mirror", "the standard", "the guardian",
    "the independent", "the telegraph",
)  # fmt: skip

TERMS: Final[dict[CrisisCategory, tuple[str, ...]]] = {
    "safety": (
        # illness after eating or drinking
        "salmonella", "norovirus", "gastro", "gastroenteritis", "e. coli", "e.coli",
        "listeria", "vomited", "vomit", "vomits", "puked", "puking", "being sick",
        "was sick", "were sick", "been sick", "sick as a dog", "fell ill", "got ill",
        "became ill", "was ill", "were ill", "been ill", "violently ill", "really ill",
        "unwell", "poorly", "the runs", "stomach cramps", "cramps", "stomach pain",
        "tummy ache", "upset tummy", "upset tummies", "stomach bug", "fever", "feverish",
        "dehydration", "dehydrated", "hugging the toilet", "on the toilet", "bathroom floor",
        "to the loo", "queasy", "nauseous", "nausea", "doubled over", "hospital", "a&e",
        "the er", "urgent care", "ambulance", "felt sick", "feeling sick", "feel sick",
        # allergic reactions
        "epipen", "epi-pen", "hives", "anaphylactic", "allergy", "allergen", "reaction",
        "rash", "swelled", "swollen", "swelling", "throat closed", "wheezing",
        "couldn't breathe", "coeliac", "celiac",
        # pests
        "roach", "roaches", "mouse", "mice", "droppings", "maggot", "maggots", "larvae",
        "bedbug", "bedbugs", "bed bug", "bed bugs", "weevil", "weevils", "fruit flies",
        "fruit fly", "dead fly", "fly", "flies", "ants", "slug", "slugs", "worm", "worms",
        "caterpillar", "beetle", "spider", "insect", "insects", "bug", "bugs", "vermin",
        "rodent", "rodents", "infestation", "infested", "moths", "bites", "bitten", "welts",
        # found in the food
        "hair", "hairs", "band-aid", "bandaid", "band aid", "plaster", "shard", "shards",
        "piece of glass", "broken glass", "plastic", "metal", "staple", "screw", "nail",
        "fingernail", "steel wool", "wire", "bristle", "bristles", "cigarette butt", "glove",
        "stone", "grit", "bone", "choked", "choking", "choking hazard", "button battery",
        "tooth", "chipped", "foreign body",
        # spoiled, raw or past its date
        "mould", "mold", "rotten", "rancid", "spoiled", "spoilt", "gone off", "went off",
        "past its date", "past the date", "out of date", "out-of-date", "expired", "use-by",
        "use by date", "sell-by", "best before", "fermented", "slimy", "undercooked",
        "under-cooked", "raw inside", "raw in the middle", "pink in the middle",
        "pink inside", "frozen in the middle", "still pink", "half-raw", "half raw", "contaminated",
        "recall", "ammonia",
        # injuries and hazards on the premises
        "slipped", "tripped", "fell", "burned", "burnt", "burns", "scalded", "scalding",
        "blister", "blisters", "blistered", "stitches", "sprained", "fractured", "broken",
        "bruised", "bruise", "bruises", "concussion", "bleeding", "hurt", "collapsed",
        "came loose", "electric shock", "shock", "jolt", "sparks", "sparking", "sparked",
        "exposed wires", "bare wires", "frayed", "caught fire", "fire hazard", "flames",
        "smoke", "burning smell", "smell of burning", "scorched", "black eye", "cut",
        # what happened, in more of the customer's words
        "stomach aches", "on the loo", "cramping", "sick since",
        "fur on it", "gecko", "lizard", "wasp", "stung", "snail", "spiders", "pigeons",
        "bandage", "syringe", "needle", "hairpin", "feather", "rusty nail", "fainted",
        "crushed", "twisted my knee", "twisted my ankle", "red raw", "fire exit", "fire exits",
        "on fire", "smoking", "curdled", "bloated", "puffed-up", "black bits", "floating bits",
        "growing on", "growing inside",
    ),
    "media": (
        "journo", "journos", "the papers", "local paper", "newspapers", "news station",
        "news stations", "newsroom", "news desk", "news hotline", "news tip", "tip line",
        "news website", "news site", "local news", "evening news", "national tv",
        "national news", "tv crew", "tv producer", "tv stations", "tv network",
        "consumer programme", "consumer program", "consumer show", "consumer column",
        "consumer desk", "consumer editor", "consumer champion", "consumer rights segment",
        "investigative team", "front page", "headline", "headlines", "primetime",
        "radio station", "on the radio", "the news", "interview", "interviewed", "story",
        # the press reached in other words: a desk, a crew, a segment, a piece
        "tip form", "tipped off", "tip-off", "city desk", "civic desk", "news blog",
        "news team", "news crew", "camera crew", "public service desk", "consumer segment",
        "current affairs", "phone-in", "talkback", "talk-back", "on air", "on the record",
        "on record", "for a statement", "run my story", "running my story", "run the story",
        "doing a piece", "writing a piece", "picked up by", "newspaper people", "sunday paper",
        "evening paper", "researcher", "producer", "editor", "columnist", "the programme",
        "going to the press", "gone to the press", "went to the press", "contacted the press",
        "told the press", "tell the press",
        *OUTLETS,
    ),
    "regulator": (
        "health dept", "health authority", "health authorities", "health inspectors",
        "environmental health", "food standards agency", "food standards",
        "food safety agency", "food safety team", "food safety line", "food safety hotline",
        "food safety officer", "food safety inspector", "food authority", "food agency",
        "bbb", "ombudsman", "ftc", "fda", "cfpb", "accc", "fair trading", "consumer affairs",
        "consumer watchdog", "hygiene rating", "closure order", "licensing board",
        "licensing authority", "advertising standards", "inspection report",
        "inspection results", "inspectors", "inspector", "inspection", "violations",
        "council",
        # agencies as customers name them, and their officers at work
        "sfa", "nea", "moh", "dti", "fssai", "kpdn", "kpdnhep", "cccs", "nafdac", "fccpc",
        "kebs", "fsanz", "consumer helpline", "consumer portal", "consumer tribunal",
        "consumer claims", "tourism board", "fire safety officer", "fire officer",
        "legal metrology", "weights and measures", "health office", "health officer",
        "health officers", "food safety office", "food hygiene", "department of health",
        "dept of health", "ministry of health", "ministry of manpower", "labour department",
        "local authority", "food team", "licensing people", "spot check", "public health",
        "sanitary inspector",
    ),
    "legal": (
        "solicitor", "solicitors", "barrister", "counsel", "legal advice", "legal aid",
        "legal notice", "legal letter", "legal matter", "legal representative", "legal team",
        "legal proceedings", "litigation", "lawyering up", "lawyered up", "lawyer up",
        "filing suit", "file suit", "filed suit", "see you in court", "court date",
        "consumer court", "small-claims", "letter before action", "served with papers",
        "personal injury", "no-win-no-fee", "no win no fee", "pursue damages",
        "pursuing damages", "seeking damages", "bring a claim", "money claims",
        "police report", "police complaint", "called the police", "called the cops",
        "call the police", "police came", "gone to the police", "went to the police",
        "mass claim", "group claim",
        # a claim on its way through a court, in the customer's words
        "law firm", "demand letter", "summons", "court paperwork",
        "claim form", "small claim", "money claim online", "county court", "magistrates court",
        "magistrates' court", "civil suit", "civil case", "through the courts", "go to court",
        "going to court", "taking you to court", "seeing you in court",
        "in court", "my advocate", "legal clinic", "expect papers", "papers filed",
        "file a case", "filing a case", "file the case", "consumer rights act",
        "breach of contract",
    ),
    "refund": (
        *GROUP_REFUND,
        "dispute", "disputed", "disputing", "reversed the charge", "reverse the charge",
        "reversed the payment", "reversed the transaction", "claw back", "card reversal",
        # the bank asked to take the money back, and groups asking for theirs
        "charge it back", "charged back", "reverse the transaction",
        "reversing the charge", "reversing the whole charge", "paypal reversal", "section 75",
        "recall the funds", "fraud team", "frozen the payment", "dispute filed",
        "filed a dispute",
    ),
    "viral": (
        "please share", "pls share", "plz share", "share please", "share far and wide",
        "share around", "share with anyone", "share with everyone", "share it",
        "please boost", "boost this", "boosting this", "retweet", "retweets", "retweeted",
        "rt", "repost", "reposting", "please repost", "pass it on", "pass this on",
        "tell your friends", "tell everyone", "tell your neighbours", "tell your family",
        "warn your friends", "warn others", "warn everyone", "psa", "cross-posting",
        "cross posting", "crossposting", "screenshot and share", "make some noise",
        "every platform", "every review site", "every facebook group", "every local group",
        "every group", "every forum", "boycott", "tag them", "spread it", "spread this",
        "let everyone know", "needs to see this", "warning to", "warning for",
        "warning post",
        # spreading it in other words: screenshots, group chats, stories, shares
        "screenshot this", "screenshot it", "before they delete", "before they take this down",
        "share to your", "share it in", "share with every", "like and share", "tag everyone",
        "sharing everywhere", "posting this in every", "forward this to", "forward to all",
        "copy and paste this", "on your story", "post this in", "keep sharing",
        "go round", "pass it round", "flood their page", "trending", "shares so",
        "get buried", "archive this", "send this to anyone", "send this to everyone",
        "group chat", "whatsapp status", "community page", "residents' page",
    ),
}  # fmt: skip
