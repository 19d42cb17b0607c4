"""Injectable scenarios and their one-line CLI syntax.

Syntax: ``KIND:STORE@START[/DURATION][,key=value...]``

- KIND: ``drop`` | ``crisis`` | ``abandon`` | ``spike`` | ``unanswered`` | ``taboo`` |
  ``burst`` (chain generator only)
- STORE: a store id such as ``S003``; for ``drop`` and ``abandon`` also a city or a region
  (``成都``, ``华东``: every store of it at once); for ``burst`` a region such as ``华东``
- START: ISO 8601 with an offset, e.g. ``2026-11-23T12:00+08:00`` (or ``...Z``)
- DURATION (not for ``unanswered``/``taboo``): ``90m``, ``2h``, ``1h30m``, ``45s``, ``1d``
- keys: ``drop``: ``csat=0.35``; ``crisis``: ``reviews=30``; ``abandon``: ``rate=0.25``;
  ``spike``: ``negatives=12``; ``unanswered``: ``tier=vip``; ``taboo``: ``agent=AG099``;
  ``burst``: ``factor=100``, ``csat=0.3``

Examples::

    drop:S003@2026-11-23T12:00+08:00/2h
    drop:成都@2026-11-23T11:00+08:00/3h,csat=0.45
    crisis:S005@2026-11-23T19:00+08:00/1h,reviews=40
    abandon:S001@2026-11-23T11:00+08:00/3h,rate=0.25
    spike:S006@2026-11-23T15:00+08:00/1h,negatives=12
    unanswered:S002@2026-11-23T10:15+08:00,tier=gold
    taboo:S004@2026-11-23T15:00+08:00,agent=AG012
    burst:华东@2026-11-23T19:00+08:00/1h,factor=100
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, cast, get_args

from .rhythm import require_aware

Tier = Literal["regular", "silver", "gold", "vip"]
_TIERS: tuple[str, ...] = get_args(Tier)


def _check_common(store_id: str, start: datetime) -> None:
    if not store_id:
        raise ValueError("scenario store_id is empty")
    require_aware(start, "scenario start")


def _check_duration(duration: timedelta) -> None:
    if duration <= timedelta(0):
        raise ValueError(f"scenario duration must be positive, got {duration}")


@dataclass(frozen=True)
class SatisfactionDrop:
    """The store's ratings fall to ``csat`` (share of 4-5) during the window."""

    store_id: str
    start: datetime
    duration: timedelta = timedelta(hours=2)
    csat: float = 0.35

    def __post_init__(self) -> None:
        _check_common(self.store_id, self.start)
        _check_duration(self.duration)
        if not 0.0 <= self.csat <= 1.0:
            raise ValueError(f"drop csat must be in [0, 1], got {self.csat}")


@dataclass(frozen=True)
class CrisisBurst:
    """``reviews`` negative reviews with crisis terms in the window, plus a media complaint."""

    store_id: str
    start: datetime
    duration: timedelta = timedelta(hours=1)
    reviews: int = 30

    def __post_init__(self) -> None:
        _check_common(self.store_id, self.start)
        _check_duration(self.duration)
        if not 1 <= self.reviews <= 10_000:
            raise ValueError(f"crisis reviews must be in [1, 10000], got {self.reviews}")


@dataclass(frozen=True)
class AbandonmentProblem:
    """The store's callers hang up in the queue with probability ``rate`` during the window
    (understaffed phones), instead of the configured normal rate."""

    store_id: str
    start: datetime
    duration: timedelta = timedelta(hours=2)
    rate: float = 0.25

    def __post_init__(self) -> None:
        _check_common(self.store_id, self.start)
        _check_duration(self.duration)
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"abandon rate must be in [0, 1], got {self.rate}")


@dataclass(frozen=True)
class NegativeSpike:
    """``negatives`` ordinary negative reviews (no crisis words, small audiences) spread over
    the window: a bad service hour, not a scandal."""

    store_id: str
    start: datetime
    duration: timedelta = timedelta(hours=1)
    negatives: int = 12

    def __post_init__(self) -> None:
        _check_common(self.store_id, self.start)
        _check_duration(self.duration)
        if not 1 <= self.negatives <= 10_000:
            raise ValueError(f"spike negatives must be in [1, 10000], got {self.negatives}")


@dataclass(frozen=True)
class UnansweredComplaint:
    """A complaint opened at ``start`` by a customer of ``tier`` that nobody ever answers."""

    store_id: str
    start: datetime
    tier: Tier = "vip"

    def __post_init__(self) -> None:
        _check_common(self.store_id, self.start)
        if self.tier not in _TIERS:
            raise ValueError(f"unanswered tier must be one of {_TIERS}, got {self.tier!r}")


@dataclass(frozen=True)
class TabooPhrase:
    """A call queued at ``start`` in which agent ``agent_id`` says a taboo phrase (服务的禁言)."""

    store_id: str
    start: datetime
    agent_id: str = "AG099"

    def __post_init__(self) -> None:
        _check_common(self.store_id, self.start)
        if not re.fullmatch(r"[^\s]{1,128}", self.agent_id):
            raise ValueError(
                f"taboo agent_id must be a non-empty id without spaces: {self.agent_id!r}"
            )


@dataclass(frozen=True)
class RegionBurst:
    """A regional crisis: every store of ``region`` gets ``factor`` times its traffic during the
    window, and its customers rate at ``csat`` (share of 4-5). Chain generator only."""

    region: str
    start: datetime
    duration: timedelta = timedelta(hours=1)
    factor: float = 100.0
    csat: float = 0.30

    def __post_init__(self) -> None:
        _check_common(self.region, self.start)
        _check_duration(self.duration)
        if not 1.0 <= self.factor <= 10_000.0:
            raise ValueError(f"burst factor must be in [1, 10000], got {self.factor}")
        if not 0.0 <= self.csat <= 1.0:
            raise ValueError(f"burst csat must be in [0, 1], got {self.csat}")


Scenario = (
    SatisfactionDrop
    | CrisisBurst
    | AbandonmentProblem
    | NegativeSpike
    | UnansweredComplaint
    | TabooPhrase
)

_SYNTAX = (
    "expected KIND:STORE@START[/DURATION][,key=value...], e.g. drop:S003@2026-11-23T12:00+08:00/2h"
)
_HEAD = re.compile(r"^(?P<kind>[a-z]+):(?P<store>[^@\s]+)@(?P<rest>\S+)$")
_DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_KEYS: dict[str, set[str]] = {
    "drop": {"csat"},
    "crisis": {"reviews"},
    "abandon": {"rate"},
    "spike": {"negatives"},
    "unanswered": {"tier"},
    "taboo": {"agent"},
    "burst": {"factor", "csat"},
}


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not text or match is None:
        raise ValueError(f"bad duration {text!r}: use e.g. 90m, 2h, 1h30m, 45s, 1d")
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    return timedelta(
        days=parts.get("d", 0),
        hours=parts.get("h", 0),
        minutes=parts.get("m", 0),
        seconds=parts.get("s", 0),
    )


def _parse_start(text: str) -> datetime:
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"bad start time {text!r}: use ISO 8601, e.g. 2026-11-23T12:00+08:00"
        ) from None
    if start.tzinfo is None:
        raise ValueError(f"start time {text!r} needs an offset, e.g. 2026-11-23T12:00+08:00")
    return start


def _parse_params(kind: str, items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ValueError(f"bad parameter {item!r}: expected key=value")
        if key not in _KEYS[kind]:
            allowed = ", ".join(sorted(_KEYS[kind]))
            raise ValueError(f"unknown parameter {key!r} for {kind} (allowed: {allowed})")
        if key in params:
            raise ValueError(f"parameter {key!r} given twice")
        params[key] = value
    return params


def _number(value: str, kind: type[int] | type[float], what: str) -> float:
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{what} must be a {kind.__name__}, got {value!r}") from None


def parse_scenario(text: str) -> Scenario:
    """Parse one scenario string (syntax in the module docstring); ValueError says what is wrong.
    ``burst`` is refused here: only the chain generator has regions to multiply."""
    parsed = parse_chain_scenario(text)
    if isinstance(parsed, RegionBurst):
        raise ValueError("burst is a chain scenario: use `cxpulse simulate --chain`")
    return parsed


def parse_chain_scenario(text: str) -> Scenario | RegionBurst:
    """``parse_scenario`` plus ``burst:REGION@START[/DURATION][,factor=100][,csat=0.3]``."""
    head = _HEAD.match(text.strip())
    if head is None:
        raise ValueError(f"bad scenario {text!r}: {_SYNTAX}")
    kind, store = head["kind"], head["store"]
    if kind not in _KEYS:
        raise ValueError(f"unknown scenario kind {kind!r}: use one of {', '.join(_KEYS)}")
    when, *items = head["rest"].split(",")
    start_text, slash, duration_text = when.partition("/")
    start = _parse_start(start_text)
    params = _parse_params(kind, items)
    if slash and kind in ("unanswered", "taboo"):
        raise ValueError(f"{kind} takes no duration (got /{duration_text})")
    duration = parse_duration(duration_text) if slash else None

    if kind == "drop":
        csat = _number(params.get("csat", "0.35"), float, "drop csat")
        if duration is None:
            return SatisfactionDrop(store, start, csat=csat)
        return SatisfactionDrop(store, start, duration, csat)
    if kind == "crisis":
        reviews = int(_number(params.get("reviews", "30"), int, "crisis reviews"))
        if duration is None:
            return CrisisBurst(store, start, reviews=reviews)
        return CrisisBurst(store, start, duration, reviews)
    if kind == "abandon":
        rate = _number(params.get("rate", "0.25"), float, "abandon rate")
        if duration is None:
            return AbandonmentProblem(store, start, rate=rate)
        return AbandonmentProblem(store, start, duration, rate)
    if kind == "spike":
        negatives = int(_number(params.get("negatives", "12"), int, "spike negatives"))
        if duration is None:
            return NegativeSpike(store, start, negatives=negatives)
        return NegativeSpike(store, start, duration, negatives)
    if kind == "burst":
        factor = _number(params.get("factor", "100"), float, "burst factor")
        csat = _number(params.get("csat", "0.3"), float, "burst csat")
        if duration is None:
            return RegionBurst(store, start, factor=factor, csat=csat)
        return RegionBurst(store, start, duration, factor, csat)
    if kind == "unanswered":
        tier = params.get("tier", "vip")
        if tier not in _TIERS:
            raise ValueError(f"unanswered tier must be one of {', '.join(_TIERS)}, got {tier!r}")
        return UnansweredComplaint(store, start, cast(Tier, tier))  # checked just above
    return TabooPhrase(store, start, params.get("agent", "AG099"))
