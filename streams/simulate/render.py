"""Fast JSON rendering of baseline events for the chain generator.

At millions of events a run, building a dict per event and encoding it costs more than drawing
it. Everything that does not change per event is rendered to JSON text once (a store's envelope
fragment, every text of the banks, every call transcript, the minute part of each timestamp), and
an event is a handful of draws plus one f-string. The draws and their distributions are the same
as ``builders`` (ratings, customers, NPS/CES, call times, follower counts), so the chain's events
read like the small simulator's. A unit test validates a sample through the event contract.
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect
from datetime import datetime
from itertools import accumulate
from typing import Final

from .builders import _CES, _NPS, FEEDBACK_CHANNELS, SPECIAL_TAGS
from .config import SimConfig
from .rhythm import zone
from .texts import (
    CALL_AGENT_CLOSE,
    CALL_CUSTOMER_FOLLOW,
    CALL_TOPICS,
    FEEDBACK_NEGATIVE,
    FEEDBACK_NEUTRAL,
    FEEDBACK_POSITIVE,
    PLATFORM_HOSTS,
    REVIEW_CRISIS,
    REVIEW_NEGATIVE,
    REVIEW_NEUTRAL,
    REVIEW_PLATFORMS,
    REVIEW_POSITIVE,
)
from .topology import StoreSpec

# (occurred_at epoch s, event_id, event_type, store_id, JSON text): sort key first, then what a
# producer needs to route the line without parsing it.
Line = tuple[int, str, str, str, str]


def js(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _bank(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(js(t) for t in texts)


def _transcripts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every transcript a baseline call can have, as JSON: (without transfer, with transfer),
    each indexed by topic * len(follow-ups) + follow-up."""
    plain: list[str] = []
    transferred: list[str] = []
    for opening, agent in CALL_TOPICS:
        for follow in CALL_CUSTOMER_FOLLOW:
            for out, transfer in ((plain, False), (transferred, True)):
                lines = [("customer", opening), ("agent", agent[0])]
                if transfer:
                    lines.append(("agent", "正在为您转接相关部门,请稍候。"))
                lines += [("customer", follow), ("agent", agent[1]), ("agent", CALL_AGENT_CLOSE)]
                out.append(js([{"speaker": s, "text": t} for s, t in lines]))
    return tuple(plain), tuple(transferred)


_PLAIN_CALLS, _TRANSFER_CALLS = _transcripts()
_FOLLOWS: Final = len(CALL_CUSTOMER_FOLLOW)
_POSITIVE, _NEUTRAL, _NEGATIVE = (
    _bank(FEEDBACK_POSITIVE),
    _bank(FEEDBACK_NEUTRAL),
    _bank(FEEDBACK_NEGATIVE),
)
_REVIEWS: Final = {
    5: _bank(REVIEW_POSITIVE),
    4: _bank(REVIEW_POSITIVE),
    3: _bank(REVIEW_NEUTRAL),
    2: _bank(REVIEW_NEGATIVE),
    1: _bank(REVIEW_NEGATIVE),
}
_PLATFORMS: Final = tuple(name for name, _ in REVIEW_PLATFORMS)
_PLATFORM_CUM: Final = tuple(accumulate(weight for _, weight in REVIEW_PLATFORMS))
_PLATFORM_JS: Final = tuple(js(name) for name in _PLATFORMS)
_HOSTS: Final = tuple(PLATFORM_HOSTS[name] for name in _PLATFORMS)


class Clock:
    """RFC 3339 local times from epoch seconds, rendering the date part once per minute.

    Any real offset is a whole number of minutes, so a minute's prefix never changes within it.
    """

    def __init__(self, tz: str) -> None:
        self._tz = zone(tz)
        self._cache: dict[int, tuple[str, str]] = {}

    def __call__(self, ts: int) -> str:
        minute = ts // 60
        parts = self._cache.get(minute)
        if parts is None:
            if len(self._cache) > 10_000:
                self._cache.clear()
            text = datetime.fromtimestamp(minute * 60, self._tz).isoformat()
            parts = self._cache[minute] = (text[:17], text[19:])  # "...T12:34:" / "+08:00"
        return f"{parts[0]}{ts % 60:02d}{parts[1]}"


class Renderer:
    """Draws and renders one baseline event per call. Stores are passed by index into the
    ``stores`` given at construction (their envelope fragment is rendered once)."""

    def __init__(self, stores: tuple[StoreSpec, ...], figures: SimConfig, clock: Clock) -> None:
        self.clock = clock
        self.figures = figures
        self.fragments = tuple(
            f',"store_id":{js(s.store_id)},"brand":{js(s.brand)},'
            f'"region":{js(s.region)},"city":{js(s.city)}'
            for s in stores
        )
        self.crisis_prefix = tuple(js(f"{s.city}{s.brand}:")[:-1] for s in stores)
        premium = round(figures.premium_share * 1000)
        self._vip, self._premium = premium // 4, premium
        self._special = figures.special_tag_share * 10_000

    def customer(self, number: int) -> str:
        """The customer object of ``builders.customer_for``, as JSON."""
        bucket = number % 1000
        tier = (
            "vip"
            if bucket < self._vip
            else "gold"
            if bucket < self._premium
            else "silver"
            if bucket < self._premium + 200
            else "regular"
        )
        mixed = (number * 2654435761) & 0xFFFFFFFF
        tag = f'"{SPECIAL_TAGS[mixed % 3]}"' if mixed % 10_000 < self._special else ""
        return f'{{"id":"U{number:06d}","tier":"{tier}","tags":[{tag}]}}'

    def feedback(
        self, rng: random.Random, eid: str, store: int, ts: int, csat: float, dropped: bool
    ) -> tuple[str, int, int]:
        """(JSON, rating, customer number): the caller decides on a complaint by that customer."""
        rnd = rng.random
        if rnd() < csat:
            rating = 5 if rnd() < 0.55 else 4
        else:
            u = rnd()
            rating = 3 if u < 0.5 else 2 if u < 0.8 else 1
        number = int(rnd() * 999_999) + 1
        extra = ""
        if rnd() < 0.6:
            lo, hi = _NPS[rating]
            extra += f',"nps":{lo + int(rnd() * (hi - lo + 1))}'
        if rnd() < 0.5:
            lo, hi = _CES[rating]
            extra += f',"ces":{lo + int(rnd() * (hi - lo + 1))}'
        if rnd() < 0.4:
            # Satisfaction = perceived / expected: the unhappy mostly expected a lot.
            low = 4 if rating <= 2 else 2
            extra += f',"expectation":{low + int(rnd() * (6 - low))}'
        if rnd() < (0.85 if dropped else 0.45):
            bank = _POSITIVE if rating >= 4 else _NEUTRAL if rating == 3 else _NEGATIVE
            extra += f',"comment":{bank[int(rnd() * len(bank))]}'
        channel = FEEDBACK_CHANNELS[int(rnd() * len(FEEDBACK_CHANNELS))]
        line = (
            f'{{"event_id":"{eid}","event_type":"feedback","occurred_at":"{self.clock(ts)}",'
            f'"source":"survey"{self.fragments[store]},"channel":"{channel}",'
            f'"customer":{self.customer(number)},"rating":{rating}{extra}}}'
        )
        return line, rating, number

    def call(self, rng: random.Random, eid: str, store: int, ended: int) -> str:
        """A call published when it ends; its earlier times are drawn backwards from the end, so
        a call belongs to the minute it is published in and never has to wait in a queue."""
        rnd, fig, clock = rng.random, self.figures, self.clock
        who = self.customer(int(rnd() * 999_999) + 1)
        head = (
            f'{{"event_id":"{eid}","event_type":"call","occurred_at":"{clock(ended)}",'
            f'"source":"callcenter"{self.fragments[store]},"channel":"phone",'
            f'"customer":{who},"call_id":"{eid}k","ended_at":"{clock(ended)}"'
        )
        if rnd() < fig.abandon_rate:
            queued = ended - 5 - int(rnd() * 176)
            return (
                f'{head},"queued_at":"{clock(queued)}","answered_at":null,"talk_seconds":0.0,'
                f'"hold_seconds":0.0,"wrap_seconds":0.0,"transfers":0,"resolved":null,'
                f'"agent_id":null,"transcript":[]}}'
            )
        wait = rng.expovariate(1 / fig.mean_wait_seconds) if fig.mean_wait_seconds > 0 else 0.0
        talk = int(min(rng.lognormvariate(math.log(180), 0.5), 1800.0)) + 20
        hold = 10 + int(rnd() * 111) if rnd() < 0.30 else 0
        u = rnd()
        transfers = 0 if u >= fig.transfer_rate else 1 if u >= fig.transfer_rate * 0.25 else 2
        answered = ended - talk - hold
        queued = answered - int(min(wait, 600.0))
        pick = int(rnd() * len(_PLAIN_CALLS))
        transcript = (_TRANSFER_CALLS if transfers else _PLAIN_CALLS)[pick]
        resolved = "true" if rnd() < (0.80 if transfers == 0 else 0.55) else "false"
        return (
            f'{head},"queued_at":"{clock(queued)}","answered_at":"{clock(answered)}",'
            f'"talk_seconds":{talk}.0,"hold_seconds":{hold}.0,'
            f'"wrap_seconds":{10 + int(rnd() * 51)}.0,"transfers":{transfers},'
            f'"resolved":{resolved},"agent_id":"AG{1 + int(rnd() * 40):03d}",'
            f'"transcript":{transcript}}}'
        )

    def review(
        self, rng: random.Random, eid: str, store: int, ts: int, csat: float, crisis: bool
    ) -> str:
        """A public review; in a regional crisis the negative ones name the crisis."""
        rnd = rng.random
        if rnd() < csat:
            rating = 5 if rnd() < 0.55 else 4
        else:
            u = rnd()
            rating = 3 if u < 0.5 else 2 if u < 0.8 else 1
        p = bisect(_PLATFORM_CUM, rnd() * _PLATFORM_CUM[-1])
        if crisis and rating <= 2:
            body = REVIEW_CRISIS[int(rnd() * len(REVIEW_CRISIS))]
            text = f"{self.crisis_prefix[store]}{js(body)[1:]}"
        else:
            bank = _REVIEWS[rating]
            text = bank[int(rnd() * len(bank))]
        followers = int(rng.lognormvariate(math.log(150), 1.6))
        views = int(followers * (0.3 + rnd() * 2.7)) + 20 + int(rnd() * 481)
        return (
            f'{{"event_id":"{eid}","event_type":"review","occurred_at":"{self.clock(ts)}",'
            f'"source":"review-scraper"{self.fragments[store]},"channel":"online",'
            f'"customer":{{"id":null,"tier":"regular","tags":[]}},"platform":{_PLATFORM_JS[p]},'
            f'"rating":{rating},"text":{text},"author_followers":{followers},"views":{views},'
            f'"url":"https://www.{_HOSTS[p]}.example/review/{eid}"}}'
        )
