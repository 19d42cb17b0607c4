"""Events that scenarios add on top of the baseline traffic.

A satisfaction drop changes how baseline feedback is drawn (see the generator); the other three
scenarios add their own events. Those are few and bounded, so they are built once per simulator
from an RNG seeded by (seed, scenario index), which keeps them deterministic and independent of
the queried interval.
"""

from __future__ import annotations

import math
import random

from .builders import (
    Ids,
    Timed,
    Who,
    complaint_lifecycle,
    envelope,
)
from .config import SimConfig
from .rhythm import iso
from .scenarios import (
    AbandonmentProblem,
    CrisisBurst,
    NegativeSpike,
    SatisfactionDrop,
    Scenario,
    TabooPhrase,
    UnansweredComplaint,
)
from .texts import (
    MEDIA_COMPLAINT_TEXT,
    PLATFORM_HOSTS,
    REVIEW_CRISIS,
    REVIEW_NEGATIVE,
    REVIEW_PLATFORMS,
    TABOO_AGENT_LINES,
    TABOO_CUSTOMER_LINES,
)
from .topology import StoreSpec


def scenario_events(
    index: int, scenario: Scenario, store: StoreSpec, cfg: SimConfig
) -> list[Timed]:
    rng = random.Random(f"{cfg.seed}:scenario:{index}")
    ids = Ids(f"sim{cfg.seed}-x{index}")
    if isinstance(scenario, CrisisBurst):
        return _crisis(rng, ids, scenario, store)
    if isinstance(scenario, UnansweredComplaint):
        return _unanswered(rng, ids, scenario, store)
    if isinstance(scenario, TabooPhrase):
        return [_taboo_call(rng, ids, scenario, store)]
    if isinstance(scenario, NegativeSpike):
        return _negatives(rng, ids, scenario, store)
    if isinstance(scenario, SatisfactionDrop | AbandonmentProblem):
        return []  # applied while drawing baseline feedback and calls
    raise TypeError(f"unknown scenario {scenario!r}")


def _customer_number(rng: random.Random) -> str:
    # Scenario customers live outside the baseline id range (U000001-U999999) so they never
    # inherit a baseline customer's tier or tags.
    return f"U{rng.randint(1_000_000, 1_999_999):07d}"


def _crisis(rng: random.Random, ids: Ids, sc: CrisisBurst, store: StoreSpec) -> list[Timed]:
    start = int(sc.start.timestamp())
    span = max(1, int(sc.duration.total_seconds()))
    out: list[Timed] = []
    big_authors = max(1, sc.reviews // 5)
    platforms = [name for name, _ in REVIEW_PLATFORMS]
    for i in range(sc.reviews):
        ts = start + rng.randrange(span)
        # "A negative post's reach is its audience": a fifth of the burst comes from big accounts.
        if i < big_authors:
            followers = int(rng.lognormvariate(math.log(80_000), 0.8))
            views = int(followers * rng.uniform(1.5, 6.0))
        else:
            followers = int(rng.lognormvariate(math.log(300), 1.2))
            views = int(followers * rng.uniform(0.5, 3.0)) + rng.randint(100, 2_000)
        platform = rng.choice(platforms)
        event_id = ids.next()
        event = envelope(event_id, "review", ts, "review-scraper", store, "online", Who(None))
        event["platform"] = platform
        event["rating"] = 1 if rng.random() < 0.8 else 2
        event["text"] = f"{store.city}{store.brand}:{rng.choice(REVIEW_CRISIS)}"
        event["author_followers"] = followers
        event["views"] = views
        event["url"] = f"https://www.{PLATFORM_HOSTS[platform]}.example/review/{event_id}"
        out.append((ts, event_id, event))
    # The special customer (media) complains early in the burst.
    born = start + rng.randrange(min(span, 1800))
    reporter = Who(_customer_number(rng), "regular", ("media",))
    out += complaint_lifecycle(
        rng,
        ids,
        store,
        born,
        reporter,
        category="食品安全",
        priority="urgent",
        text=MEDIA_COMPLAINT_TEXT,
    )
    return out


def _negatives(rng: random.Random, ids: Ids, sc: NegativeSpike, store: StoreSpec) -> list[Timed]:
    start = int(sc.start.timestamp())
    span = max(1, int(sc.duration.total_seconds()))
    platforms = [name for name, _ in REVIEW_PLATFORMS]
    out: list[Timed] = []
    for _ in range(sc.negatives):
        ts = start + rng.randrange(span)
        followers = int(rng.lognormvariate(math.log(150), 1.0))  # ordinary authors
        platform = rng.choice(platforms)
        event_id = ids.next()
        event = envelope(event_id, "review", ts, "review-scraper", store, "online", Who(None))
        event["platform"] = platform
        event["rating"] = rng.choice((1, 2))
        event["text"] = rng.choice(REVIEW_NEGATIVE)
        event["author_followers"] = followers
        event["views"] = int(followers * rng.uniform(0.3, 3.0)) + rng.randint(20, 500)
        event["url"] = f"https://www.{PLATFORM_HOSTS[platform]}.example/review/{event_id}"
        out.append((ts, event_id, event))
    return out


def _unanswered(
    rng: random.Random, ids: Ids, sc: UnansweredComplaint, store: StoreSpec
) -> list[Timed]:
    who = Who(_customer_number(rng), sc.tier)
    priority = "high" if sc.tier in ("gold", "vip") else "normal"
    return complaint_lifecycle(
        rng,
        ids,
        store,
        int(sc.start.timestamp()),
        who,
        category="服务态度",
        priority=priority,
        answered=False,
    )


def _taboo_call(rng: random.Random, ids: Ids, sc: TabooPhrase, store: StoreSpec) -> Timed:
    queued = int(sc.start.timestamp())
    answered = queued + rng.randint(5, 30)
    talk, hold = rng.randint(180, 420), rng.randint(20, 90)
    ended = answered + talk + hold
    lines = rng.sample(TABOO_AGENT_LINES, 2)
    transcript = [
        {"speaker": "agent", "text": "您好,请问有什么可以帮您?"},
        {"speaker": "customer", "text": rng.choice(TABOO_CUSTOMER_LINES)},
        {"speaker": "agent", "text": lines[0]},
        {"speaker": "customer", "text": "你这是什么态度?我要投诉你!"},
        {"speaker": "agent", "text": lines[1]},
    ]
    event_id = ids.next()
    who = Who(_customer_number(rng), "regular")
    event = envelope(event_id, "call", ended, "callcenter", store, "phone", who)
    event.update(
        {
            "call_id": ids.next("k"),
            "queued_at": iso(queued, store.tz),
            "answered_at": iso(answered, store.tz),
            "ended_at": iso(ended, store.tz),
            "talk_seconds": float(talk),
            "hold_seconds": float(hold),
            "wrap_seconds": float(rng.randint(10, 60)),
            "transfers": 1,
            "resolved": False,
            "agent_id": sc.agent_id,
            "transcript": transcript,
        }
    )
    return ended, event_id, event
