"""The per-store processor: one event in, the store's new state and its outputs out.

Pure and deterministic: no I/O, no wall clock. Time is event time, and each event kind keeps its
own watermark per store (the newest ``occurred_at`` of that kind seen at the store). Kinds arrive
on different topics that a consumer reads at different speeds — after an outage the review
backlog may be read an hour ahead of the feedback backlog — so one shared clock would wrongly
make the slower kind "late". Within a kind, a store's events are one ordered partition, and
each kind's counters age by that kind's own clock (``tiers.ByKind``), so the per-kind signals
(satisfaction, calls, coaching; the SLA clocks) come out the same in the worker and in the file
replay however the topics interleave. The cross-kind signals (reach, spikes, crisis) read every
kind's counters as they stand when evaluated: while one topic lags far behind another they can
see a different mix than a time-ordered replay does, and catch up as the lagging topic does.

Each applied event adds its counts to the store's tiered counters (``signals.fields``), then the
signals it can move are evaluated: satisfaction on ratings, reach/spike/crisis on negatives and
lexicon hits. The slower comparisons (24 h against 7 d ...) run at most once per five
event-time minutes (``SLOW_EVERY``).

The state object passed in is owned by the caller and may be updated in place (copying a
store's buckets for every event would cost more than the processing itself).
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import orjson

from schemas.alerts import AlertEvent
from schemas.events import Call, Complaint, Envelope, Feedback, Review, event_time
from streams.core import evidence, windows
from streams.core.rules import calls as call_rules
from streams.core.rules import (
    crisis,
    csat_drop,
    csat_low,
    negative_reach_high,
    negative_reach_jump,
    negative_spike,
    taboo_phrase,
)
from streams.core.rules.base import Store
from streams.core.signals import calls, satisfaction, spikes
from streams.core.signals import fields as F
from streams.core.signals.bounds import wilson_upper
from streams.core.signals.config import SatisfactionConfig, SignalsConfig
from streams.core.signals.satisfaction import SatisfactionView
from streams.core.signals.text import TextTools
from streams.core.signals.tiers import MINUTE, ByKind, retention

Outcome = Literal["applied", "duplicate", "late"]
LABEL_FIELDS = ("brand", "region", "city")
CSAT_RULE = csat_low.RULE.name
CsatView = SatisfactionView
MAX_TERMS = 8  # crisis terms remembered for the incident's message
STALE_KIND = 86400.0  # seconds
# The comparisons over days (24 h vs 7 d, reach falling back, a crisis cooling down) run at
# most once per this many event-time seconds: run on every event of a quiet store, they took
# 70% of the processor's time, and their answers move by the hour, not the minute.
SLOW_EVERY = 300
__all__ = [
    "CsatView",
    "Signals",
    "Step",
    "StoreState",
    "csat_view",
    "process",
    "wilson_upper",
]


@dataclass
class Signals:
    """Everything the processor reads: the validated settings and the text tools."""

    cfg: SignalsConfig = field(default_factory=SignalsConfig)
    text: TextTools | None = None

    @property
    def satisfaction(self) -> SatisfactionConfig:
        return self.cfg.satisfaction

    @cached_property
    def keep(self) -> dict[int, float]:
        """How long each counter tier keeps buckets (computed once: read on every event)."""
        c = self.cfg
        spans = [*c.satisfaction.windows, c.satisfaction.window, c.word_of_mouth.window]
        spans += c.satisfaction.alert_windows
        spans += [r.window + r.baseline + r.hold_baseline for r in c.satisfaction.relative]
        # spikes: 7 d + 1 h; the reach jump's week may be held where it stood when it fired
        spans += [8 * 86400 + c.word_of_mouth.hold_baseline]
        spans += [c.crisis.lookback, c.crisis.special_lookback]
        return retention(spans, c.satisfaction.allowed_lateness)


@dataclass
class StoreState:
    store_id: str
    clocks: dict[str, float] = field(default_factory=dict)  # event kind -> watermark
    labels: dict[str, str] = field(default_factory=dict)
    stats: ByKind = field(default_factory=lambda: ByKind(F.WIDTH))
    # kind -> bucket -> 64-bit hashes of the event ids applied (8 bytes each, not a string).
    seen: dict[str, dict[int, array[int]]] = field(default_factory=dict)
    firing: dict[str, float] = field(default_factory=dict)  # alert key -> firing since
    spikes: spikes.SpikeState = field(default_factory=spikes.SpikeState)
    terms: dict[str, float] = field(default_factory=dict)  # crisis term -> last said
    slow_eval: float = 0.0  # event-time minute of the last slow evaluation
    calls: calls.CallStats = field(default_factory=calls.CallStats)
    # The last few triggering events of each kind, shown as the evidence of the store's
    # alerts: at most ``evidence.KEEP`` entries per kind, one masked excerpt each.
    recent: evidence.Rings = field(default_factory=dict)

    @property
    def watermark(self) -> float | None:
        """The newest event time of any kind: for display, never for lateness."""
        return max(self.clocks.values()) if self.clocks else None

    def to_json(self) -> dict[str, Any]:
        return self._fields(self.stats.to_json(), self.calls.to_json())

    def to_wire(self) -> bytes:
        """The JSON form, encoded: the changelog's copy after every batch that touched the
        store. Counters, call buckets and callers are arrays (``signals/packed.py``,
        ``signals/callers.py``), written as int lists with no per-bucket work."""
        return orjson.dumps(self.to_json(), option=orjson.OPT_NON_STR_KEYS)

    def _fields(self, stats: dict[str, Any], calls_json: dict[str, Any]) -> dict[str, Any]:
        return {
            "store_id": self.store_id,
            "clocks": self.clocks,
            "labels": self.labels,
            "stats": stats,
            "seen": {
                kind: {str(b): ids.tolist() for b, ids in buckets.items()}
                for kind, buckets in self.seen.items()
            },
            "firing": self.firing,
            "spikes": self.spikes.to_json(),
            "terms": self.terms,
            "slow_eval": self.slow_eval,
            "calls": calls_json,
            "recent": self.recent,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StoreState:
        return cls(
            store_id=d["store_id"],
            clocks=dict(d["clocks"]),
            labels=dict(d["labels"]),
            stats=ByKind.from_json(F.WIDTH, d["stats"]),
            seen={
                kind: {int(b): _ids(ids) for b, ids in buckets.items()}
                for kind, buckets in d["seen"].items()
            },
            firing=dict(d["firing"]),
            spikes=spikes.SpikeState.from_json(d["spikes"]),
            terms=dict(d["terms"]),
            slow_eval=d["slow_eval"],
            calls=calls.CallStats.from_json(d["calls"]),
            # absent in changelogs written before alerts carried evidence
            recent={k: [list(e) for e in r] for k, r in d.get("recent", {}).items()},
        )


@dataclass(frozen=True)
class Step:
    state: StoreState
    outcome: Outcome
    alerts: tuple[AlertEvent, ...] = ()
    # What an applied event adds to its brand's, region's and city's rollups.
    rating: int | None = None  # a feedback rating
    negative: bool = False  # a low rating, a negative review, an opened complaint

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        state: StoreState,
        outcome: Outcome,
        alerts: tuple[AlertEvent, ...] = (),
        rating: int | None = None,
        negative: bool = False,
    ) -> None:
        object.__setattr__(self, "state", state)
        object.__setattr__(self, "outcome", outcome)
        object.__setattr__(self, "alerts", alerts)
        object.__setattr__(self, "rating", rating)
        object.__setattr__(self, "negative", negative)


def csat_view(state: StoreState, now: float | None, cfg: SatisfactionConfig) -> CsatView:
    """The alert window ending at `now` (default: the store's own feedback clock)."""
    if now is None:
        now = state.clocks.get("feedback", 0.0)
    return satisfaction.view(state.stats, now, cfg.window, cfg, MINUTE)


def process(state: StoreState, event: Envelope, sig: Signals) -> Step:
    cfg = sig.cfg.satisfaction
    ts = event_time(event)
    kind: str = event.event_type  # type: ignore[attr-defined]
    wm = state.clocks.get(kind)
    if wm is not None and ts < wm - cfg.allowed_lateness:
        return Step(state, "late")
    now = ts if wm is None else max(wm, ts)
    if isinstance(event, Complaint) and event.action != "opened":
        # Later complaint steps only feed the SLA engine, which dedupes them itself;
        # remembering their ids here too would only cost memory.
        state.clocks[kind] = now
        return Step(state, "applied")
    seen = state.seen.setdefault(kind, {})
    bucket = windows.bucket_start(ts, cfg.bucket)
    eid = id_hash(event.event_id)
    if eid in seen.get(bucket, ()):
        return Step(state, "duplicate")

    labels = state.labels
    for name in LABEL_FIELDS:
        value = getattr(event, name)
        if value and labels.get(name) != value:
            if labels is state.labels:
                # A new map, not the old one changed: the checkpoint keeps the old by reference.
                labels = state.labels = dict(labels)
            labels[name] = value
    state.clocks[kind] = now
    state.spikes = spikes.close_hours(
        state.spikes, state.stats, _all_past(state.clocks), sig.cfg.spikes
    )
    counts, hits, coaching_alerts = _contributions(state, event, sig, now)
    state.stats.add(kind, ts, counts)
    if hits:
        # A new map, not the old one changed: the checkpoint keeps the old one by reference.
        state.terms = {**state.terms, **dict.fromkeys(hits, now)}
    fired = {i for i, _ in counts}
    negative = F.NEGATIVE in fired
    if hits or coaching_alerts or negative:
        evidence.remember(state.recent, event)
    alerts = [*coaching_alerts, *_evaluate(state, event, sig, now, fired, bool(hits))]
    alerts = evidence.attach(alerts, state.recent)
    # Pruning drops only what no window reads any more, and cannot be undone: it comes after
    # everything that may fail, so a checkpoint taken before this event restores it whole.
    state.stats.prune(state.clocks, sig.keep)
    # Marked seen last: if anything above raised, a re-sent copy is not taken for a duplicate.
    seen.setdefault(bucket, array("q")).append(eid)
    _prune_seen(seen, now, cfg)
    rating = None
    if isinstance(event, Feedback):
        rating = event.rating  # the one rating field it counted
    return Step(state, "applied", tuple(alerts), rating, negative)


def _all_past(clocks: dict[str, float]) -> float:
    """The time every live kind at the store has passed: an hour is closed into the spike
    baseline only once all kinds have delivered it, whatever order the topics were read in. A
    kind silent for a day (a store whose call centre closed) no longer holds the others back."""
    newest = max(clocks.values())
    return min(c for c in clocks.values() if c >= newest - STALE_KIND)


def _contributions(
    state: StoreState, event: Envelope, sig: Signals, now: float
) -> tuple[list[tuple[int, int]], list[str], list[AlertEvent]]:
    """The counts this event adds, the crisis terms it said, and any coaching alerts."""
    wom = sig.cfg.word_of_mouth
    out: list[tuple[int, int]] = []
    texts: list[tuple[str, int]] = []  # (text, audience) to run through the crisis lexicon
    negative = positive = special = False
    unhappy, audience = 1, 0
    coached: list[AlertEvent] = []
    if isinstance(event, Feedback):
        out.append((F.RATING[event.rating - 1], 1))
        if event.nps is not None:
            nps = F.PROMOTERS if event.nps >= 9 else F.PASSIVES if event.nps >= 7 else F.DETRACTORS
            out.append((nps, 1))
        if event.ces is not None:
            out += [(F.CES_SUM, event.ces), (F.CES_N, 1)]
        if event.expectation is not None:
            out += [(F.GAP_SUM, event.rating - event.expectation), (F.GAP_N, 1)]
        negative, positive = event.rating <= 2, event.rating >= 4
        if event.comment:  # its words feed the crisis lexicon; the rating says the mood
            texts.append((event.comment, 0))
    elif isinstance(event, Review):
        audience = max(event.views, event.author_followers)
        if event.text:
            texts.append((event.text, audience))
        if event.rating is not None:
            negative, positive = event.rating <= 2, event.rating >= 4
        else:  # no rating: the text's sentiment says whether it is a negative
            label = sig.text.sentiment(event.text)[0] if event.text and sig.text else None
            negative, positive = label == "negative", label == "positive"
    elif isinstance(event, Complaint):  # opened
        negative = True
        unhappy = round(1 / wom.complaint_share)
        special = bool(set(event.customer.tags) & set(sig.cfg.crisis.special_tags))
        if special:
            out.append((F.SPECIAL, 1))
        if event.text:
            texts.append((event.text, 0))
    elif isinstance(event, Call):
        # A call is not a word-of-mouth negative: the negative volume is low ratings,
        # negative reviews and complaints, and most hotline calls sound unhappy (62% of a
        # simulated week's callers scored negative, paging spikes on ordinary call volume).
        # What a caller says still feeds the crisis lexicon (a caller citing 12315 matters).
        said = " ".join(u.text for u in event.transcript if u.speaker == "customer")
        if said:
            texts.append((said, 0))
        coached = taboo_phrase.evaluate(event, sig.text, state.labels, now)
        calls.add(state.calls, event, sig.cfg.calls)
        coached += call_rules.evaluate(
            state.calls, now, state.store_id, state.labels, event.event_id, sig.cfg.calls
        )
    if negative:
        people = wom.people(unhappy, audience)
        out += [(F.NEGATIVE, 1), (F.UNHAPPY, unhappy), (F.REACH, people)]
    elif positive:
        out.append((F.POSITIVE, 1))
    hits: list[str] = []
    # A satisfied customer's words are not a crisis, whatever they mention ("no rats here").
    if sig.text is not None and not positive:
        for text, reach_of in texts:
            found = sig.text.crisis(text)
            for term, category in found:
                if category in F.CRISIS:
                    out.append((F.CRISIS[category], 1))
                hits.append(term)
            if found and reach_of:
                out.append((F.CRISIS_REACH, reach_of))
        if hits:
            out.append((F.CRISIS_SOURCES, 1))
            if special:
                out.append((F.SPECIAL_VOICES, 1))
    return out, hits, coached


def _evaluate(
    state: StoreState,
    event: Envelope,
    sig: Signals,
    now: float,
    fired: set[int],
    crisis_hit: bool,
) -> list[AlertEvent]:
    """The store rules this event wakes; ``fired`` holds the fields the event counted in."""
    c = sig.cfg
    at = Store(state.stats, state.firing, state.store_id, state.labels, now, event.event_id)
    out: list[AlertEvent] = []
    if isinstance(event, Feedback):
        out += csat_low.evaluate(at, c.satisfaction)
    # The rules that read every kind run on the store's newest clock, whichever kind's event
    # woke them: read from a topic that lags, an event would otherwise evaluate (and stamp)
    # them hours in the past, resolving an alert before it started. In time order (replay)
    # this is the event's own time.
    newest = max(state.clocks.values())
    everything = at.at(newest)
    step = windows.bucket_start(newest, SLOW_EVERY)
    slow = step > state.slow_eval
    if slow:
        state.slow_eval = float(step)
        out += csat_drop.evaluate(at, c.satisfaction)
    if F.NEGATIVE in fired or slow:
        out += negative_reach_high.evaluate(everything, c.word_of_mouth)
        out += negative_reach_jump.evaluate(everything, c.word_of_mouth)
        spiked = negative_spike.evaluate(everything, state.spikes, c.spikes)
        for alert in spiked:
            # The alert's hours stay out of the spike baselines: an incident is not normal.
            until = None if alert.status == "firing" else newest
            state.spikes = spikes.exclude(state.spikes, alert.starts_at.timestamp(), until)
        out += spiked
    if (
        crisis_hit
        or F.SPECIAL in fired
        or slow
        or any(a.rule == negative_spike.RULE.name for a in out)
    ):
        lookback = newest - c.crisis.lookback
        state.terms = {t: said for t, said in state.terms.items() if said >= lookback}
        terms = sorted(state.terms, key=state.terms.__getitem__, reverse=True)[:MAX_TERMS]
        out += crisis.evaluate(everything, terms, c.crisis)
    return out


def id_hash(event_id: str) -> int:
    """63 bits of BLAKE2b: two ids of one store and minute colliding is a 1-in-10^17 event."""
    digest = hashlib.blake2b(event_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def _ids(stored: list[int | str]) -> array[int]:
    # A changelog written before ids were hashed holds the ids themselves.
    return array("q", (i if isinstance(i, int) else id_hash(i) for i in stored))


def _prune_seen(seen: dict[int, array[int]], now: float, cfg: SatisfactionConfig) -> None:
    # Ids only need remembering while their event could still be applied (within lateness).
    oldest = windows.bucket_start(now - cfg.allowed_lateness, cfg.bucket)
    for b in [b for b in seen if b < oldest]:
        del seen[b]
