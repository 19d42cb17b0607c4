"""Positions in a store's counter vector (``tiers.Tiered``): one vector per bucket holds every
count a signal needs, so an event touches three buckets, not three per signal."""

from __future__ import annotations

RATING = (0, 1, 2, 3, 4)  # ratings 1..5
PROMOTERS, PASSIVES, DETRACTORS = 5, 6, 7  # NPS 9-10 / 7-8 / 0-6 (domain.md)
CES_SUM, CES_N = 8, 9
GAP_SUM, GAP_N = 10, 11  # rating − expectation, where the expectation is given
UNHAPPY = 12  # unhappy customers this stands for (a complaint stands for 25)
POSITIVE = 13  # positive experiences (rating 4-5, positive review)
REACH = 14  # people who hear of the negatives (the reach model)
NEGATIVE = 15  # negative events: low ratings, negative reviews and calls, complaints
SPECIAL = 16  # complaints from special customers (media, government, lawyer)
CRISIS_REACH = 17  # audience of posts that hit the crisis lexicon
# Reserved: counted in older records (the sentiment of comments and reviews, which no reader
# took) and kept empty, so such a record reads back with every other field in its place.
COMMENT_NEG, COMMENT_NEU, COMMENT_POS = 18, 19, 20
CRISIS_CATEGORIES = ("media", "regulator", "legal", "safety", "refund", "viral")
CRISIS = {c: 21 + i for i, c in enumerate(CRISIS_CATEGORIES)}
CRISIS_SOURCES = 21 + len(CRISIS_CATEGORIES)  # events that said a crisis term (not positive)
SPECIAL_VOICES = CRISIS_SOURCES + 1  # special customers' complaints that said a crisis term
WIDTH = SPECIAL_VOICES + 1
