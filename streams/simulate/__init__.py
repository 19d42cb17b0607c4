"""Deterministic simulator of customer-experience events for many stores.

``Simulator(SimConfig(...)).events_between(start, end)`` returns contract-valid event dicts
(feedback, call, review, complaint; see ``schemas.events``) for a store network following a daily
rhythm, with optional injected scenarios. Same config and interval -> same events; any split of an
interval gives the same events as the whole, so a live loop and a file writer agree.

Scenario strings (``parse_scenario``): ``KIND:STORE@START[/DURATION][,key=value...]``

- ``drop:S003@2026-11-23T12:00+08:00/2h[,csat=0.35]`` -- the store's CSAT falls to 0.35
- ``crisis:S005@2026-11-23T19:00+08:00/1h[,reviews=30]`` -- negative reviews with crisis terms
  (食物中毒, 12315, 记者 ...) plus a complaint by a media-tagged customer
- ``unanswered:S002@2026-11-23T10:15+08:00[,tier=vip]`` -- a complaint opened and never answered
- ``taboo:S004@2026-11-23T15:00+08:00[,agent=AG099]`` -- a call where the agent says a taboo phrase
- ``abandon:S001@2026-11-23T11:00+08:00/3h[,rate=0.25]`` -- callers hang up at this rate
- ``spike:S006@2026-11-23T15:00+08:00/1h[,negatives=12]`` -- ordinary negative reviews in a burst

For chains beyond the exact simulator's 999 stores (up to 100,000, brand -> region -> city, with
heavy-tailed store sizes) ``ChainGenerator(ChainConfig(...)).batches(start, end)`` streams a
whole chain's traffic in 10-second batches; it takes the same scenarios plus
``burst:REGION@START[/DURATION][,factor=100][,csat=0.3]`` (a region's traffic multiplied).

START is ISO 8601 with an offset (``+08:00`` or ``Z``); DURATION is like ``90m``, ``2h``,
``1h30m``, ``45s``, ``1d`` and applies to every kind but ``unanswered`` and ``taboo`` (defaults
2h for ``drop``/``abandon``, 1h for the others).
"""

from .chain import MAX_CHAIN_STORES, ChainShape, build_chain
from .config import SimConfig
from .generator import LOOKBACK_SLOTS, Simulator
from .jsonl import write_jsonl
from .load import ChainConfig, ChainGenerator, write_chain_jsonl
from .scenarios import (
    AbandonmentProblem,
    CrisisBurst,
    NegativeSpike,
    RegionBurst,
    SatisfactionDrop,
    Scenario,
    TabooPhrase,
    UnansweredComplaint,
    parse_chain_scenario,
    parse_duration,
    parse_scenario,
)
from .texts import CRISIS_TERMS, TABOO_PHRASES
from .topology import StoreSpec, build_stores

__all__ = [
    "CRISIS_TERMS",
    "LOOKBACK_SLOTS",
    "MAX_CHAIN_STORES",
    "TABOO_PHRASES",
    "AbandonmentProblem",
    "ChainConfig",
    "ChainGenerator",
    "ChainShape",
    "CrisisBurst",
    "NegativeSpike",
    "RegionBurst",
    "SatisfactionDrop",
    "Scenario",
    "SimConfig",
    "Simulator",
    "StoreSpec",
    "TabooPhrase",
    "UnansweredComplaint",
    "build_chain",
    "build_stores",
    "parse_chain_scenario",
    "parse_duration",
    "parse_scenario",
    "write_chain_jsonl",
    "write_jsonl",
]
