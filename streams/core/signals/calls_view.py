"""What is read from ``CallStats``: the figures per scope and window. The rules that read
them are in ``rules.calls``."""

from __future__ import annotations

from dataclasses import dataclass

from streams.core import windows
from streams.core.signals.bounds import window_z
from streams.core.signals.calls import (
    ANSWERED,
    BOUNCED,
    HANDLE_MS,
    IDENTIFIED,
    IN_SL,
    OFFERED,
    REPEAT,
    RESOLVED,
    RESOLVED_KNOWN,
    SCOPES,
    STORE_ID,
    TRANSFERRED,
    WAIT_MS,
    WIDTH,
    CallStats,
    Scope,
)
from streams.core.signals.calls_config import CallConfig, CallWindow

# A rate exactly at a bound must count as at it, and 0.10 - 0.03 is 0.07000000000000001.
EPS = 1e-9


@dataclass(frozen=True)
class CallView:
    """One scope's figures over one window. Rates are None below `min_offered` calls (an
    abandonment rate from 2 calls is noise) or when their denominator is 0."""

    offered: int
    answered: int
    abandoned: int
    abandonment: float | None  # abandoned / offered
    asa: float | None  # average speed of answer: total wait / answered, seconds
    aht: float | None  # average handle time: (talk + hold + wrap) / answered, seconds
    # Answered within N s / offered. Calls abandoned within N s stay in the denominator, as in
    # the common definition: a caller who gave up after 15 s was not served.
    service_level: float | None
    transfer_rate: float | None  # answered calls transferred at least once / answered
    repeated_transfer_rate: float | None  # transferred twice or more / answered
    fcr: float | None  # resolved / answered calls whose resolution is given
    repeat_rate: float | None  # calls whose customer called within N h before / identified calls

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        offered: int,
        answered: int,
        abandoned: int,
        abandonment: float | None,
        asa: float | None,
        aht: float | None,
        service_level: float | None,
        transfer_rate: float | None,
        repeated_transfer_rate: float | None,
        fcr: float | None,
        repeat_rate: float | None,
    ) -> None:
        object.__setattr__(self, "offered", offered)
        object.__setattr__(self, "answered", answered)
        object.__setattr__(self, "abandoned", abandoned)
        object.__setattr__(self, "abandonment", abandonment)
        object.__setattr__(self, "asa", asa)
        object.__setattr__(self, "aht", aht)
        object.__setattr__(self, "service_level", service_level)
        object.__setattr__(self, "transfer_rate", transfer_rate)
        object.__setattr__(self, "repeated_transfer_rate", repeated_transfer_rate)
        object.__setattr__(self, "fcr", fcr)
        object.__setattr__(self, "repeat_rate", repeat_rate)


def view_of(counts: list[int], cfg: CallConfig) -> CallView:
    offered, answered = counts[OFFERED], counts[ANSWERED]
    enough = offered >= cfg.min_offered

    def rate(num: float, den: int) -> float | None:
        return num / den if enough and den else None

    return CallView(
        offered=offered,
        answered=answered,
        abandoned=offered - answered,
        abandonment=rate(offered - answered, offered),
        asa=rate(counts[WAIT_MS] / 1000, answered),
        aht=rate(counts[HANDLE_MS] / 1000, answered),
        service_level=rate(counts[IN_SL], offered),
        transfer_rate=rate(counts[TRANSFERRED], answered),
        repeated_transfer_rate=rate(counts[BOUNCED], answered),
        fcr=rate(counts[RESOLVED], counts[RESOLVED_KNOWN]),
        repeat_rate=rate(counts[REPEAT], counts[IDENTIFIED]),
    )


def totals(stats: CallStats, scope: Scope, sid: str, now: float, w: CallWindow) -> list[int]:
    tier = stats.scopes.get(scope, {}).get(sid, {}).get(w.label)
    if tier is None:
        return [0] * WIDTH
    first = windows.window_first_bucket(now, w.seconds, w.bucket)
    return tier.window_sum(first, windows.bucket_start(now, w.bucket))


def views(stats: CallStats, now: float, cfg: CallConfig) -> dict[tuple[str, str, str], CallView]:
    """Every scope's figures for every window ending at `now` (the caller's watermark), keyed
    by (scope, scope id, window label); the store's id is "". Agents are in their windows only
    (``CallConfig.agent_windows``). Queues and agents without a call in a window are left out
    of it; the store is always there, zeros included."""
    out: dict[tuple[str, str, str], CallView] = {}
    for scope in SCOPES:
        ids = [STORE_ID] if scope == "store" else sorted(stats.scopes.get(scope, {}))
        for sid in ids:
            for w in cfg.windows_of(scope):
                counts = totals(stats, scope, sid, now, w)
                if counts[OFFERED] or scope == "store":
                    out[(scope, sid, w.label)] = view_of(counts, cfg)
    return out


def judged_z(cfg: CallConfig, w: CallWindow, covered: float) -> float:
    """The z a call rule judges window ``w`` at, when the calls seen cover ``covered`` seconds
    of it: ``confidence_z`` is the longest window's and a window k times shorter is judged at
    a k times smaller tail (``bounds.window_z``), unless the window names its own z. The rules
    read a rolling window on every call, and a 1 h window passes through 24 independent hours
    a day where the day passes through one: at one z for all, the short windows made almost
    every false page. A day window on a store's first morning holds a morning, and is judged
    as one (from its own z too, when it names one). 0 turns the bound off."""
    if cfg.confidence_z == 0:
        return 0.0
    if w.z is not None:
        z, longest = w.z, w.seconds
    else:
        z, longest = cfg.confidence_z, max(x.seconds for x in cfg.windows)
    return window_z(z, min(w.seconds, max(covered, w.bucket)), longest)


def dur_zh(seconds: float) -> str:
    return f"{seconds / 3600:g} 小时" if seconds % 3600 == 0 else f"{seconds / 60:g} 分钟"


def dur_en(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds % 3600 == 0 else f"{seconds / 60:g} min"
