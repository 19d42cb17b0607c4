"""Evidence on alerts: small rings of a store's recent triggering events, and the one place
that puts them on the store's alert events.

A ring per event kind keeps the last ``KEEP`` events of that kind that can make a store alert
(unhappy or negative ones, ones that said a crisis term, calls that raised a coaching alert)
as plain lists, so the rings are serialised with the store's state and restored by the
per-event checkpoint like any other field. A rule that reads one kind shows that kind's ring
only: the worker reads each kind's topic at its own pace, and the satisfaction and call alerts
must come out byte-equal to a time-ordered replay however the topics interleave. The rules
that read every kind show the rings merged by event time (their figures, too, are read as the
counters stand). Text is masked before it is cut, so a phone number split by the cut is still
masked; the customer's name, phone and id are never kept.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from schemas.alerts import (
    MAX_EVIDENCE_BYTES,
    MAX_EVIDENCE_EVENTS,
    MAX_EXCERPT,
    MAX_TAGS,
    AlertEvent,
    Evidence,
    EvidenceEvent,
    RuleName,
)
from schemas.events import Complaint, Envelope, Feedback, Review, event_time
from schemas.mask import mask_text

KEEP = MAX_EVIDENCE_EVENTS
MASK_MARGIN = 40  # characters: longer than any phone, id-card or e-mail form the masker knows
TAG_CHARS = 32  # a tag is a word ("media", "lawyer"); a longer one is cut
# One ring entry: [event_id, kind, time, rating, excerpt, platform, views, tier, tags]. The
# words from a small set (kind, platform, tier, tags) are interned: every store's entries share
# one copy of "review" or "gold", where each held its own.
Entry = list[Any]
# The tags of an entry without any: one list for all, never written to (entries are replaced,
# never changed in place), equal to the [] a changelog reads back.
NO_TAGS: list[str] = []
Rings = dict[str, list[Entry]]  # event kind -> its ring, oldest first
# The rules that read one kind of event; every other store rule reads them all.
READS: dict[str, str] = {
    RuleName.CSAT_LOW: "feedback",
    RuleName.CSAT_DROP: "feedback",
    RuleName.TABOO_PHRASE: "call",
    RuleName.CALL_ABANDONMENT_HIGH: "call",
    RuleName.CALL_SERVICE_LEVEL_LOW: "call",
}


def entry(event: Envelope) -> Entry:
    """What a ring keeps of one event."""
    text: str | None = None
    rating = platform = views = tier = None
    tags = NO_TAGS
    if isinstance(event, Feedback):
        text, rating = event.comment, event.rating
    elif isinstance(event, Review):
        text, rating, platform = event.text, event.rating, event.platform
        views = max(event.views, event.author_followers)
    elif isinstance(event, Complaint):
        text, tier = event.text, event.customer.tier
        tags = [sys.intern(t[:TAG_CHARS]) for t in event.customer.tags[:MAX_TAGS]] or NO_TAGS
    # Masked with a margin past the cut (a phone or id number straddling it is still seen
    # whole), not in full: a review may be 20,000 characters and this runs on every negative.
    excerpt = mask_text(text[: MAX_EXCERPT + MASK_MARGIN])[:MAX_EXCERPT] if text else ""
    kind: str = event.event_type  # type: ignore[attr-defined]
    return [
        event.event_id,
        sys.intern(kind),
        event_time(event),
        rating,
        excerpt,
        _word(platform),
        views,
        _word(tier),
        tags,
    ]


def remember(rings: Rings, event: Envelope) -> None:
    """Add ``event`` to its kind's ring, dropping the oldest beyond ``KEEP``."""
    kind: str = event.event_type  # type: ignore[attr-defined]
    ring = rings.setdefault(kind, [])
    ring.append(entry(event))
    del ring[:-KEEP]


def build(entries: Iterable[Entry]) -> Evidence:
    """The newest ``MAX_EVIDENCE_EVENTS`` entries as evidence, newest first, within
    ``MAX_EVIDENCE_BYTES`` (the oldest give way if long texts would pass it)."""
    newest = sorted(entries, key=lambda e: (e[2], e[1], e[0]), reverse=True)
    events = [_event(e) for e in newest[:MAX_EVIDENCE_EVENTS]]
    while True:
        size = sum(len(e.model_dump_json().encode()) + 1 for e in events) + 32
        if size <= MAX_EVIDENCE_BYTES or not events:
            return Evidence(events=events)
        events.pop()


def attach(alerts: list[AlertEvent], rings: Rings) -> list[AlertEvent]:
    """The store's alerts, each with the evidence of the kinds its rule reads (alerts that
    carry their own keep it)."""
    out = []
    for a in alerts:
        if a.evidence is None:
            kind = READS.get(a.rule)
            found = rings.get(kind, []) if kind else [e for r in rings.values() for e in r]
            a = a.model_copy(update={"evidence": build(found)})
        out.append(a)
    return out


def _event(e: Entry) -> EvidenceEvent:
    event_id, kind, ts, rating, excerpt, platform, views, tier, tags = e
    return EvidenceEvent(
        event_id=event_id,
        kind=kind,
        occurred_at=datetime.fromtimestamp(ts, UTC),
        rating=rating,
        excerpt=excerpt,
        platform=platform,
        views=views,
        tier=tier,
        tags=tags,
    )


def _word(text: str | None) -> str | None:
    return None if text is None else sys.intern(text)
