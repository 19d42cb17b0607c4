"""Contexts and idioms for the English crisis terms of ``terms_en.py``.

Most English words for what happened have everyday senses: a fly is also a verb, a cut is
also a price cut, a story is also a film's, a dispute is also one with the waiter. Each such
term counts only with the context given here near it (40 characters each side, merged into
the detector's tables as ``rules.NEEDS_CONTEXT`` is), and a term's idioms drop it outright.
What context cannot tell (whose problem, when, whether it is a joke), the second reading of
English hits (``crisis_reading.py``) reads.

Patterns are searched in lower-cased text. ``_words`` are whole words (with a plural), so
that "ate" is not found in "late" nor "arm" in "army"; a stem that should match its
inflections says so with ``\\w*``.
"""

from __future__ import annotations

from typing import Final

from streams.core.text.terms_en import GROUP_REFUND, OUTLETS, OUTLETS_ALSO_WORDS


def _words(alternatives: str) -> str:
    return rf"\b(?:{alternatives})(?:s|es)?\b"


# What was eaten or drunk, or the eating of it.
_FOOD: Final = _words(
    "food|meal|dish|plate|bowl|order|ate|eat|eating|eaten|bite|bit into|chew|swallow|mouth|"
    "spat|burger|pizza|rice|noodle|soup|salad|sandwich|bread|roll|bun|cake|cupcake|pastry|"
    "cookie|muffin|donut|doughnut|croissant|scone|brownie|tart|pie|curry|chicken|meat|beef|"
    "pork|lamb|ham|sausage|fish|prawn|shrimp|seafood|sushi|fries|chips|drink|coffee|latte|"
    "tea|juice|milk|smoothie|yog(?:h)?urt|cereal|oat|flour|wrap|kebab|taco|burrito|dumpling|"
    "steak|egg|cheese|sauce|fruit|strawberr(?:y|ies)|melon|salmon|tuna|nugget|takeaway|takeout|"
    "delivery|delivered|buffet|kitchen|menu|served|serving|breakfast|lunch|dinner|brunch|"
    "biryani|pad thai|laksa|pho|ramen|dim sum|bagel|toast|lettuce|vegetable|veg|snack|"
    "ice cream|dessert|jam|butter|packet|jar|bottle|carton|sourdough|broccoli|mango\\w*|"
    "anchov\\w*|teh|kopi|halo-halo|sambar|stir fry|omelette|lettuce|mayo|pudding|eggs|"
    "tuna|lemonade|noodles|paneer|roti|naan|dosa|idli|chapati|samosa|bao|jollof|salad bar|"
    "ice machine|dispenser"
)
# After eating: an illness word needs a meal or a time after one nearby.
_AFTER_EATING: Final = (
    _FOOD
    + "|"
    + _words(
        "after|since|afterwards|later|next day|that night|overnight|all night|within|"
        "hours|poison\\w*|allerg\\w*|reaction|burn\\w*|fell|slipped|injur\\w*|bitten|stung|sting"
    )
)
_BODY: Final = _words(
    "hand|arm|palm|finger|thumb|wrist|leg|thigh|calf|knee|ankle|foot|feet|toe|hip|back|"
    "shoulder|neck|head|face|forehead|lip|chin|cheek|mouth|gum|tongue|throat|eye|nose|ear|"
    "skin|chest|lap|son|daughter|kid|child|baby|toddler|mum|mom|dad|wife|husband|partner|"
    "grandmother|grandma|grandfather|niece|nephew|second-degree|first-degree|a&e|hospital|"
    "stitches|blood|bleed"
)
# A pest where it harms: in or near food, in a room or bed, crawling or dead.
_PEST_PLACE: Final = (
    _FOOD
    + "|"
    + _words(
        "room|bed|mattress|sheet|pillow|floor|counter|table|shelf|shelves|aisle|store|shop|"
        "restaurant|cafe|café|hotel|toilet|loo|bathroom|crawl|running|ran|dead|live|alive|"
        "droppings|infest\\w*|swarm|display|stockroom|back lane|bin"
    )
)
_REACTION: Final = _words(
    "allerg\\w*|epipen|epi-pen|hives|swell\\w*|swollen|throat|lip|tongue|rash|itch\\w*|"
    "breath\\w*|wheez\\w*|hospital|a&e|ambulance|urgent care|reaction|sick|ill|vomit\\w*|"
    "pain|cramp|nut|peanut|sesame|gluten|dairy|shellfish|lactose|soy|egg"
)
_ELECTRIC: Final = _words(
    "socket|plug|wire|wiring|outlet|kettle|heater|cable|cord|charger|light|lamp|fuse|power|"
    "electric|fridge|dryer|machine|appliance|switch|extension|handle|door"
)
# The press itself, and (``_PRESS``) what a customer does to reach it.
_PRESS_ONLY: Final = _words(
    "news|paper|press|journalist|journo|reporter|editor|tv|television|radio|station|channel|"
    "programme|program|show|segment|producer|crew|podcast|headline|article|times|herald|"
    "mirror|inquirer|tribune|gazette|chronicle|telegraph|blog|magazine|column|desk|"
    "publication|broadcast|airs|aired|bbc|itv|cnn|abc|nbc|cbs|sky"
)
# The press contacted: sent the story, called, pitched, in talks. The core of both contexts below.
_CONTACTING: Final = (
    "sen[dt]|sending|forward\\w*|contact\\w*|call\\w*|rang|email\\w*|submitt\\w*|pitch\\w*|"
    "told|speaking to|in talks|interested"
)
_PRESS: Final = _PRESS_ONLY + "|" + _words(f"{_CONTACTING}|tipped|going to|went to|wants to")
# An outlet named as where the customer took it: contacted, told, or holding their story.
_CONTACTED: Final = _words(
    f"{_CONTACTING}|wrote|writ\\w*|tell|tip\\w*|in touch|spoke to|has my|have my|got my|dm'd|"
    "messaged|message|story|footage|complaint|coming to film"
)
_REACHED: Final = _CONTACTED + "|" + _words("going to|gone to|went to|go to")
_AUTHORITY: Final = _words(
    "health|food|safety|hygiene|environmental|council|city|state|municipal|government|"
    "report\\w*|found|came|visit\\w*|sent|fail\\w*|violation|closure|shut|surprise|grade|"
    "rating|result|order|fined|code"
)
_BANK: Final = _words(
    "bank|card|amex|visa|mastercard|paypal|chase|credit|debit|issuer|charges?|transaction|"
    "payment|hdfc|barclays|hsbc|citi|gcash|apple pay|google pay|gpay|paytm|upi|grabpay|"
    "venmo|barclaycard|provider"
)
# Many customers at once, or the whole of a group (all 30 of us, every member).
_MANY: Final = _words(
    "all|every|everyone|everybody|whole|entire|dozen|hundred|\\d{2,}|member|parent|"
    "families|guest|subscriber|holder|backer|resident|student|many of us|en masse|"
    "collectively|together|group|mass|thread|whatsapp|facebook|cohort|class|club|half|"
    "people|office|floor|colleagues|attendees|of us|comments?"
)
_SPREAD: Final = _words(
    "please|pls|plz|everyone|anyone|warn\\w*|far|wide|friend|family|group|loud|word|share"
)
_AUDIENCE: Final = _words(
    "all|everyone|anyone|parent|others|fellow|travell?er|customer|people|user|shopper|diner|"
    "families|mum|mom|local|neighbou?r|tourist|student|member"
)

# A report to an agency, not its name in an address or on a label (FDA认证, the FTC building).
_REPORTED: Final = _words(
    "report\\w*|complain\\w*|filed|file|filing|lodg\\w*|contact\\w*|submitt\\w*|rang|call\\w*|"
    "writ\\w*|wrote|inspect\\w*|recall\\w*|warning|case|officers?|registered|docket|"
    "summon\\w*|testing|took my|came|visit\\w*|notice|taking this up|went to|gone to|told"
)
# A warning or a grievance near a call to spread: "put this in the group chat" about a scam,
# not about a half-price night.
_GRIEVANCE: Final = _words(
    "avoid|never|don't|do not|dont|nobody|no one|scam\\w*|trap|warn\\w*|beware|careful|"
    "enough|complain\\w*|refund\\w*|rip\\w*|delet\\w*|ignor\\w*|respond\\w*|repl\\w*|"
    "shortchang\\w*|overcharg\\w*|charg\\w*|cancel\\w*|fake|missing|terrible|worst|"
    "disgust\\w*|unpaid|treated|again|sick|until|so they|huwag|falling for|wrong"
)

NEEDS_CONTEXT: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("bbb", "ftc", "fda", "cfpb", "accc", "sfa", "nea", "moh", "dti", "fssai", "kpdn",
         "kpdnhep", "cccs", "nafdac", "fccpc", "kebs", "fsanz", "tourism board",
         "local authority", "public health", "department of health", "dept of health",
         "ministry of health", "ministry of manpower", "labour department", "health office",
         "food safety office", "legal metrology", "weights and measures", "consumer helpline",
         "consumer portal", "health officer", "health officers", "sanitary inspector",
         "fire safety officer", "fire officer", "licensing people"),
        _REPORTED,
    ),
    "food hygiene": _words("people|team|officer\\w*|report\\w*|complain\\w*|inspect\\w*"),
    **dict.fromkeys(
        ("food team", "spot check"),
        _words(
            "council|authority|environmental|health|officer\\w*|inspector\\w*|agency|"
            "report\\w*|complain\\w*"
        ),
    ),
    # the press reached: a person or a programme of it, named with the press near
    **dict.fromkeys(
        ("researcher", "producer", "editor", "columnist", "the programme", "on the record",
         "on record", "picked up by"),
        _PRESS_ONLY,
    ),
    **dict.fromkeys(("for a statement", "sunday paper", "evening paper"), _PRESS),
    # an outlet by name (terms_en.OUTLETS): where the customer took it, or only where they
    # contacted it for a name that is also a place or a word
    **dict.fromkeys((o for o in OUTLETS if o not in OUTLETS_ALSO_WORDS), _REACHED),
    **dict.fromkeys(OUTLETS_ALSO_WORDS, _CONTACTED),
    "on air": _words(
        "next week|tomorrow|tonight|story|complaint|case|footage|video|whole|will be|before"
    ),
    **dict.fromkeys(
        ("camera crew", "news crew", "news team"),
        _words(
            "coming|complain\\w*|story|interested|contact\\w*|rang|called|about your|outside the"
        ),
    ),
    "claim form": _words("court|small|money|county|filed|file|fee|legal|sue|papers"),
    **dict.fromkeys(
        ("file a case", "filing a case", "file the case"),
        _words("court|against|lawyer|advocate|legal|police|consumer|forum|judge|sue"),
    ),
    **dict.fromkeys(("fraud team", "frozen the payment", "recall the funds"), _BANK),
    **dict.fromkeys(
        ("group chat", "whatsapp status", "community page", "residents' page", "post this in",
         "on your story", "go round", "trending", "shares so", "get buried", "forward this to",
         "send this to anyone", "send this to everyone", "share with every", "share to your",
         "share it in", "tag everyone", "like and share", "keep sharing", "sharing everywhere"),
        _GRIEVANCE,
    ),
    **dict.fromkeys(("stomach aches", "on the loo", "cramping", "sick since"), _AFTER_EATING),
    **dict.fromkeys(
        ("fur on it", "bandage", "hairpin", "feather", "rusty nail", "curdled"), _FOOD
    ),
    **dict.fromkeys(("gecko", "lizard", "wasp", "snail", "spiders", "pigeons"), _PEST_PLACE),
    "stung": _BODY + "|" + _words("wasp|bee|hornet|jellyfish"),
    **dict.fromkeys(
        ("syringe", "needle"),
        _words("used|found|lying|ball pit|play area|playground|sandpit|pool|prick\\w*|floor"),
    ),
    "fainted": _BODY + "|" + _words("steam|sauna|heat|hot|ambulance"),
    "crushed": _words(
        "foot|feet|finger|fingers|toe|toes|hand|leg|arm|kid|child|son|daughter|guy|man|woman|"
        "crushed (?:his|her|my|a)"
    ),
    "red raw": _BODY + "|" + _words("scald\\w*|burn\\w*|water|shower"),
    **dict.fromkeys(
        ("fire exit", "fire exits"),
        _words("blocked|padlocked|locked|chained|boxes|obstructed|blocking|no way out"),
    ),
    "on fire": _words(
        "menu|napkin|sleeve|hair|tablecloth|candle|caught|heater|lamp|kitchen|stove|fryer|"
        "oven|socket|plug|charger|cable|cord|curtain"
    ),
    "smoking": _ELECTRIC + "|" + _words("cord|extension|fryer|oven|heater"),
    **dict.fromkeys(
        ("bloated", "puffed-up"),
        _words("can|tin|pack\\w*|yog(?:h)?urt|carton|bottle|container|lid|tub"),
    ),
    **dict.fromkeys(("black bits", "floating bits"), _FOOD + "|" + _words("water|bottle")),
    **dict.fromkeys(
        ("growing on", "growing inside"), _words("mou?ld|black|green|fur|fuzz\\w*|white stuff")
    ),
    # a stomach bug, not a gastro pub
    "gastro": _words("sick|ill|bug|vomit\\w*|hospital|doctor|cramp\\w*|diarrh\\w*|after|since"),
    "roach": _PEST_PLACE,
    **dict.fromkeys(("rt", "repost"), _SPREAD),
    "psa": _words("avoid|don't|do not|warn\\w*|scam|careful|never|sick|overcharg\\w*|check"),
    **dict.fromkeys(
        ("fever", "feverish", "cramps", "stomach pain", "hospital", "queasy", "nauseous",
         "nausea", "unwell", "poorly", "felt sick", "feeling sick", "feel sick", "was sick",
         "were sick", "been sick", "being sick", "was ill", "were ill", "been ill",
         "dehydration", "dehydrated", "on the toilet", "bathroom floor", "to the loo",
         "doubled over", "ambulance", "a&e", "the er", "urgent care", "the runs", "vomit",
         "vomits"),
        _AFTER_EATING,
    ),
    **dict.fromkeys(
        ("allergy", "allergen", "reaction", "rash", "swelled", "swollen", "swelling",
         "coeliac", "celiac", "wheezing", "couldn't breathe"),
        _REACTION,
    ),
    **dict.fromkeys(
        ("mouse", "mice", "ants", "slug", "slugs", "worm", "worms", "spider", "insect",
         "insects", "bug", "bugs", "moths", "caterpillar", "beetle"),
        _PEST_PLACE,
    ),
    # a fly in or on something eaten, not a verb
    **dict.fromkeys(
        ("fly", "flies"),
        _FOOD + "|" + _words("dead|crawl|landed|swarm|all over|baked|floating|buzz"),
    ),
    **dict.fromkeys(
        ("bites", "bitten", "welts"),
        _words("bed|mattress|sheet|itch\\w*|welt|red|woke|bug|insect|mosquito|flea|arm|leg|skin"),
    ),
    **dict.fromkeys(
        ("hair", "hairs", "plaster", "plastic", "metal", "staple", "screw", "nail", "wire",
         "glove", "stone", "grit", "bristle", "bristles", "shard", "shards"),
        _FOOD,
    ),
    "tooth": _words("chipped|cracked|broke|in my|in the|found"),
    "chipped": _words("tooth|teeth|molar|crown|filling"),
    "bone": _words("chok\\w*|lodged|throat|stuck|boneless|swallow\\w*"),
    **dict.fromkeys(("choked", "choking"), _FOOD + "|" + _words("bone|piece|toy|on")),
    **dict.fromkeys(
        ("rotten", "rancid", "spoiled", "spoilt", "gone off", "went off",
         "expired", "out of date", "out-of-date", "past its date", "past the date", "use-by",
         "use by date", "sell-by", "best before", "fermented", "slimy", "recall", "ammonia",
         "contaminated", "frozen in the middle"),
        _FOOD,
    ),
    **dict.fromkeys(
        ("mould", "mold"),
        _FOOD
        + "|"
        + _words(
            "cough\\w*|asthma|wheez\\w*|breath\\w*|dispenser|machine|chute|ice|vent|aircon|"
            "air con"
        ),
    ),
    **dict.fromkeys(
        ("slipped", "tripped", "fell"),
        _words(
            "floor|stair|step|wet|spill\\w*|icy|ice|carpet|tile|mat|puddle|cable|hurt|"
            "injur\\w*|broke|sprain\\w*|fractur\\w*|bruis\\w*|stitch\\w*|hospital|a&e|landed|"
            "banged|knee|ankle|wrist|hip|head|chin|escalator|pool"
        ),
    ),
    **dict.fromkeys(
        ("burned", "burnt", "burns", "scalded", "scalding", "blister", "blisters",
         "blistered", "bruised", "bruise", "bruises", "bleeding", "broken"),
        _BODY,
    ),
    # a cut that bled: not a price cut, a haircut or hand-cut chips
    "cut": _words(
        "blood|bleed\\w*|stitch\\w*|open|deep|glass|shard|sharp|knife|edge|a&e|hospital|"
        "bandage|first aid|badly|gash"
    ),
    "hurt": _words("got|was|were|been|badly|my|his|her|their|back|head|knee"),
    "collapsed": _words(
        "chair|bench|ceiling|shelf|railing|stool|table|floor|under|roof|stage|deck|balcony|"
        "stair|slide|frame"
    ),
    "came loose": _words(
        "railing|fan|light|fixture|tile|panel|handle|rail|shelf|bolt|seat|wheel|step|"
        "balcony|ceiling|plate"
    ),
    **dict.fromkeys(("shock", "jolt", "sparks", "sparking", "sparked", "scorched"), _ELECTRIC),
    "frayed": _words("wire|cable|cord|lead"),
    "smoke": _words(
        "alarm|coming|burning|billow\\w*|filled|everywhere|fire|wire|socket|heater|fridge|"
        "machine|kitchen|pouring"
    ),
    "flames": _words("kitchen|fire|stove|hood|grill|caught|shot|up|fryer|oven|wok"),
    **dict.fromkeys(("the news", "story"), _PRESS),
    **dict.fromkeys(("interview", "interviewed", "on the radio", "radio station"), _PRESS_ONLY),
    **dict.fromkeys(("headline", "headlines"), _words("news|paper|made|site|today|page|read")),
    "the papers": _words("all|to|in|news|tell|know|story|contact|call|going"),
    **dict.fromkeys(("inspector", "inspectors", "inspection", "violations"), _AUTHORITY),
    "council": _words(
        "report\\w*|complain\\w*|inspect\\w*|environmental|food|safety|health|rang|called|"
        "contact\\w*|emailed|wrote|writing|asking"
    ),
    "hygiene rating": _words("dropped|cut|downgrad\\w*|zero|[0-2]|lowered|poor|fail\\w*|low"),
    "counsel": _words("retain\\w*|engag\\w*|legal|instructed|my|our|hired"),
    **dict.fromkeys(GROUP_REFUND, _MANY),
    **dict.fromkeys(("dispute", "disputed", "disputing", "claw back"), _BANK),
    **dict.fromkeys(("share it", "spread it", "spread this"), _SPREAD),
    **dict.fromkeys(("warning to", "warning for"), _AUDIENCE),
}  # fmt: skip

# A group names itself at the start of the sentence (All 40 of us who bought the party
# package want our money back): the refund words read further than the usual 40 characters.
CONTEXT_REACH: Final[dict[str, int]] = dict.fromkeys(GROUP_REFUND, 80)

# Idioms a term is part of: the hit is dropped where one of its term's idioms overlaps it.
# Keyed by term and searched only around that term's hits: one pattern per category, searched
# around every hit, cost more than the rest of an English text's reading put together.
_SICK_OF: Final = r"\bsick (?:of|and tired)\b"
_HAIRCUT: Final = r"\bcut (?:(?:\w+'s|my|his|her|our) )*hair"
IDIOMS: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("got sick", "was sick", "were sick", "been sick", "being sick", "felt sick",
         "feeling sick", "feel sick", "made me sick", "made us sick"),
        _SICK_OF,
    ),
    "fell": r"\bfell (?:in love|asleep|apart|short|through|for|behind|silent)\b"
    r"|\bfell (?:right )?off the bone",
    "slipped": r"\bslipped (?:my mind|out|in|away)\b",
    "hurt": r"\bhurt (?:my|his|her|our|their) feelings",
    "stitches": r"\bin stitches",
    "shock": r"\b(?:culture|sticker|price) shock|\bin shock",
    "cut": r"\bcut (?:the|a|in) (?:queue|line|corner)\b|\bcut corners|\bprice cut|\bhair ?cut"
    rf"|-cut\b|\bcut[, ]+(?:colou?r|and blow|blow)|{_HAIRCUT}",
    **dict.fromkeys(("hair", "hairs"), rf"{_HAIRCUT}|\bhair ?(?:cut|net|dryer|brush|salon|style)"),
    "sparked": r"\bsparked (?:joy|a|an|my|our|some|interest|conversation)\b",
    **dict.fromkeys(
        ("bug", "bugs"), r"\bbug-?fest|\b(?:app|software|website|site|game) (?:bugs?|is full of)"
    ),
    **dict.fromkeys(
        ("fly", "flies"), r"\bfly (?:to|back|home|out|in from)\b|\bflies by\b|\btime flies"
    ),
    "stone": r"\bstone[- ]cold",
    "staple": r"\bstaple (?:of|for|dish|food)\b|\b(?:weekend|household|pantry|menu|daily|family|"
    r"local|regular|summer|winter|breakfast|lunch|dinner) staple",
    "rotten": r"\brotten (?:week|day|time|luck|service|weather|night|month|year|mood|attitude)\b",
    "the press": r"\bthe press of\b",
    "fainted": r"\b(?:nearly|almost|could have|i) fainted (?:at|when i saw) (?:the )?"
    r"(?:price|bill|cost)",
    "crushed": r"\bcrushed (?:it|ice|garlic|nuts|peanuts|biscuits?|oreos?|pistachios?|almonds?|"
    r"chillies)\b",
    "needle": r"\bneedle in a haystack",
    "on fire": r"\b(?:chef|kitchen|team|band|cook|dj) (?:was|were|is|are) on fire\b",
}  # fmt: skip

# An illness the business helped with (looked after a guest who fell ill) is not one it caused.
AVOID_CONTEXT: Final[dict[str, str]] = dict.fromkeys(
    ("fell ill", "got ill", "became ill", "was ill", "were ill", "been ill", "unwell", "poorly",
     "fever", "feverish", "was sick", "were sick", "been sick", "got sick"),
    _words(
        "thank\\w*|went above|looked after|took care|checked on|fetched|helped|kind|lovely|"
        "brought|packed extra|so sweet|caring"
    ),
)  # fmt: skip
