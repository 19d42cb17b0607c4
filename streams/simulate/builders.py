"""Builders for single events (and complaint lifecycles) as contract-shaped dicts.

Every builder takes the RNG it must draw from: the caller decides which RNG stream an event
belongs to, which is what keeps the simulator deterministic and split-invariant.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

from .config import SimConfig
from .rhythm import iso
from .texts import (
    CALL_AGENT_CLOSE,
    CALL_CUSTOMER_FOLLOW,
    CALL_TOPICS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_OPEN_TEXT,
    COMPLAINT_STEP_TEXT,
    FEEDBACK_NEGATIVE,
    FEEDBACK_NEUTRAL,
    FEEDBACK_POSITIVE,
    PLATFORM_HOSTS,
    REVIEW_NEGATIVE,
    REVIEW_NEUTRAL,
    REVIEW_PLATFORMS,
    REVIEW_POSITIVE,
)
from .topology import StoreSpec

Event = dict[str, object]
# (occurred_at epoch seconds, event_id, event): the sort key travels with the event.
Timed = tuple[int, str, Event]

SPECIAL_TAGS: Final = ("media", "government", "lawyer")
FEEDBACK_CHANNELS: Final = ("wechat-miniprogram", "app", "sms", "pos-qr")
COMPLAINT_CHANNELS: Final = ("hotline", "wechat", "app", "in-store")
HOUR: Final = 3600


class Ids:
    """Deterministic ids: a prefix naming the RNG stream plus a counter within it."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._n = 0

    def next(self, kind: str = "e") -> str:
        self._n += 1
        return f"{self._prefix}-{kind}{self._n:04d}"


@dataclass(frozen=True)
class Who:
    """The customer an event is about (the contract's ``customer`` object)."""

    id: str | None
    tier: str = "regular"
    tags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        # A fresh dict per event: events must not share mutable parts.
        return {"id": self.id, "tier": self.tier, "tags": list(self.tags)}


def customer_for(number: int, cfg: SimConfig) -> Who:
    """Tier and tags are a pure function of the customer number, so the same customer id always
    carries the same tier and tags, whichever store or slot the event comes from."""
    bucket = number % 1000
    premium = round(cfg.premium_share * 1000)
    vip = premium // 4
    if bucket < vip:
        tier = "vip"
    elif bucket < premium:
        tier = "gold"
    elif bucket < premium + 200:
        tier = "silver"
    else:
        tier = "regular"
    # A multiplicative hash decorrelates the tags from the tier buckets.
    mixed = (number * 2654435761) & 0xFFFFFFFF
    special = mixed % 10_000 < cfg.special_tag_share * 10_000
    return Who(f"U{number:06d}", tier, (SPECIAL_TAGS[mixed % 3],) if special else ())


def draw_customer(rng: random.Random, cfg: SimConfig) -> Who:
    return customer_for(rng.randint(1, 999_999), cfg)


def draw_rating(rng: random.Random, csat: float) -> int:
    """Top-2-box share is ``csat``; 5s are a bit more common than 4s among the satisfied, and
    3 ("一般") is the most common unhappy-side answer."""
    if rng.random() < csat:
        return 5 if rng.random() < 0.55 else 4
    u = rng.random()
    return 3 if u < 0.5 else 2 if u < 0.8 else 1


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    names = [name for name, _ in table]
    weights = [weight for _, weight in table]
    return rng.choices(names, weights)[0]


def envelope(
    event_id: str,
    event_type: str,
    ts: int,
    source: str,
    store: StoreSpec,
    channel: str | None,
    who: Who,
) -> Event:
    return {
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": iso(ts, store.tz),
        "source": source,
        "store_id": store.store_id,
        "brand": store.brand,
        "region": store.region,
        "city": store.city,
        "channel": channel,
        "customer": who.as_dict(),
    }


# NPS and CES ranges per rating: the scores move with the rating instead of being independent.
_NPS: Final = {5: (9, 10), 4: (7, 9), 3: (5, 8), 2: (2, 6), 1: (0, 4)}
_CES: Final = {5: (6, 7), 4: (5, 7), 3: (3, 5), 2: (2, 4), 1: (1, 3)}


def feedback(
    rng: random.Random,
    ids: Ids,
    store: StoreSpec,
    ts: int,
    csat: float,
    cfg: SimConfig,
    *,
    dropped: bool = False,
) -> tuple[Timed, int, Who]:
    """One survey answer; returns (timed event, rating, customer) so the caller can decide on a
    complaint by the same customer."""
    rating = draw_rating(rng, csat)
    who = draw_customer(rng, cfg)
    event_id = ids.next()
    event = envelope(event_id, "feedback", ts, "survey", store, rng.choice(FEEDBACK_CHANNELS), who)
    event["rating"] = rating
    if rng.random() < 0.6:
        event["nps"] = rng.randint(*_NPS[rating])
    if rng.random() < 0.5:
        event["ces"] = rng.randint(*_CES[rating])
    if rng.random() < 0.4:
        # Satisfaction = perceived / expected: the unhappy mostly expected a lot.
        event["expectation"] = rng.randint(4, 5) if rating <= 2 else rng.randint(2, 5)
    # During a satisfaction drop people write more, which is what makes the drop readable.
    if rng.random() < (0.85 if dropped else 0.45):
        bank = (
            FEEDBACK_POSITIVE
            if rating >= 4
            else FEEDBACK_NEUTRAL
            if rating == 3
            else FEEDBACK_NEGATIVE
        )
        event["comment"] = rng.choice(bank)
    return (ts, event_id, event), rating, who


def complaint_priority(rng: random.Random, who: Who, rating: int) -> str:
    """Tiered treatment (分级对待): special customers are urgent, vip/gold come first."""
    if who.tags:
        return "urgent"
    if who.tier == "vip":
        return "high"
    if who.tier == "gold":
        return "high" if rating == 1 else "normal"
    return "normal" if rating == 1 or rng.random() < 0.7 else "low"


def draw_category(rng: random.Random) -> str:
    return _weighted(rng, COMPLAINT_CATEGORIES)


def complaint_lifecycle(
    rng: random.Random,
    ids: Ids,
    store: StoreSpec,
    born: int,
    who: Who,
    *,
    category: str,
    priority: str,
    text: str | None = None,
    answered: bool = True,
) -> list[Timed]:
    """All steps of one complaint, decided at birth.

    Every offset is bounded so that the whole life fits in ``MAX_LIFETIME_SECONDS`` (about 62 h):
    the simulator looks back that far for births whose later steps fall into a queried interval.
    """
    complaint_id = ids.next("c")
    channel = rng.choice(COMPLAINT_CHANNELS)
    opened_text = text if text is not None else rng.choice(COMPLAINT_OPEN_TEXT[category])
    steps: list[tuple[int, str]] = [(born, "opened")]
    if answered:
        premium = who.tier in ("gold", "vip") or priority in ("high", "urgent")
        # 快速响应: premium complaints get a reply in ~10 min on average, others ~25 min.
        reply = rng.expovariate(1 / (600 if premium else 1500))
        t = born + 60 + int(min(reply, 4 * HOUR))
        steps.append((t, "agent_replied"))
        if rng.random() < 0.30:
            t += rng.randint(600, 2 * HOUR)
            steps.append((t, "customer_replied"))
        if rng.random() < 0.15:
            t += rng.randint(300, HOUR)
            steps.append((t, "pending"))
            t += rng.randint(HOUR, 12 * HOUR)
            steps.append((t, "resumed"))
        if rng.random() < (0.25 if priority in ("high", "urgent") else 0.05):
            t += rng.randint(300, HOUR)
            steps.append((t, "escalated"))
        t += rng.randint(1800, 8 * HOUR)
        steps.append((t, "resolved"))
        if rng.random() < 0.05:
            t += rng.randint(HOUR, 12 * HOUR)
            steps.append((t, "reopened"))
            t += rng.randint(1800, 4 * HOUR)
            steps.append((t, "resolved"))
        # 回访: most resolved complaints get a follow-up call before closing.
        if rng.random() < 0.85:
            t += rng.randint(HOUR, 12 * HOUR)
            steps.append((t, "follow_up_done"))
        t += rng.randint(600, 2 * HOUR)
        steps.append((t, "closed"))

    out: list[Timed] = []
    for ts, action in steps:
        event_id = ids.next()
        event = envelope(event_id, "complaint", ts, "ticketing", store, channel, who)
        event["complaint_id"] = complaint_id
        event["action"] = action
        event["priority"] = priority
        event["category"] = category
        event["text"] = (
            opened_text if action == "opened" else rng.choice(COMPLAINT_STEP_TEXT[action])
        )
        out.append((ts, event_id, event))
    return out


# 4 h reply + 2 h + (1 h + 12 h) + 1 h + 8 h + (12 h + 4 h) + 12 h + 2 h, plus the 60 s floor.
MAX_LIFETIME_SECONDS: Final = 58 * HOUR + 60


def call(
    rng: random.Random,
    ids: Ids,
    store: StoreSpec,
    queued: int,
    cfg: SimConfig,
    abandon_rate: float | None = None,
) -> Timed:
    """One call-centre contact, published when it ends (occurred_at = ended_at). The caller
    hangs up in the queue with ``abandon_rate`` (default: the configured normal rate)."""
    who = draw_customer(rng, cfg)
    event_id = ids.next()
    call_id = ids.next("k")
    fields: dict[str, object]
    if rng.random() < (cfg.abandon_rate if abandon_rate is None else abandon_rate):
        ended = queued + rng.randint(5, 180)
        # Same keys as an answered call, so consumers never need .get() for call fields.
        fields = {
            "answered_at": None,
            "ended_at": iso(ended, store.tz),
            "talk_seconds": 0.0,
            "hold_seconds": 0.0,
            "wrap_seconds": 0.0,
            "transfers": 0,
            "resolved": None,
            "agent_id": None,
            "transcript": [],
        }
    else:
        wait = rng.expovariate(1 / cfg.mean_wait_seconds) if cfg.mean_wait_seconds > 0 else 0.0
        answered = queued + int(min(wait, 600.0))
        talk = int(min(rng.lognormvariate(math.log(180), 0.5), 1800.0)) + 20
        hold = rng.randint(10, 120) if rng.random() < 0.30 else 0
        u = rng.random()
        transfers = 0 if u >= cfg.transfer_rate else 1 if u >= cfg.transfer_rate * 0.25 else 2
        ended = answered + talk + hold
        opening, agent_lines = rng.choice(CALL_TOPICS)
        transcript = [
            {"speaker": "customer", "text": opening},
            {"speaker": "agent", "text": agent_lines[0]},
        ]
        if transfers:
            transcript.append({"speaker": "agent", "text": "正在为您转接相关部门,请稍候。"})
        transcript += [
            {"speaker": "customer", "text": rng.choice(CALL_CUSTOMER_FOLLOW)},
            {"speaker": "agent", "text": agent_lines[1]},
            {"speaker": "agent", "text": CALL_AGENT_CLOSE},
        ]
        fields = {
            "answered_at": iso(answered, store.tz),
            "ended_at": iso(ended, store.tz),
            "talk_seconds": float(talk),
            "hold_seconds": float(hold),
            "wrap_seconds": float(rng.randint(10, 60)),
            "transfers": transfers,
            "resolved": rng.random() < (0.80 if transfers == 0 else 0.55),
            "agent_id": f"AG{rng.randint(1, 40):03d}",
            "transcript": transcript,
        }
    event = envelope(event_id, "call", ended, "callcenter", store, "phone", who)
    event["call_id"] = call_id
    event["queued_at"] = iso(queued, store.tz)
    event.update(fields)
    return ended, event_id, event


def review(rng: random.Random, ids: Ids, store: StoreSpec, ts: int, csat: float) -> Timed:
    """A public review. Follower counts are heavy-tailed: most authors are small, a few are big."""
    rating = draw_rating(rng, csat)
    platform = _weighted(rng, REVIEW_PLATFORMS)
    bank = REVIEW_POSITIVE if rating >= 4 else REVIEW_NEUTRAL if rating == 3 else REVIEW_NEGATIVE
    followers = int(rng.lognormvariate(math.log(150), 1.6))
    event_id = ids.next()
    event = envelope(event_id, "review", ts, "review-scraper", store, "online", Who(None))
    event["platform"] = platform
    event["rating"] = rating
    event["text"] = rng.choice(bank)
    event["author_followers"] = followers
    event["views"] = int(followers * rng.uniform(0.3, 3.0)) + rng.randint(20, 500)
    event["url"] = f"https://www.{PLATFORM_HOSTS[platform]}.example/review/{event_id}"
    return ts, event_id, event
