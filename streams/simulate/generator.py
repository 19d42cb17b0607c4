"""The simulator: baseline traffic per (store, hour slot) plus scenario events.

Why per slot: each (store, slot) pair has its own RNG seeded from (seed, store, slot), so the
events of a slot never depend on which interval asked for them. ``events_between`` therefore
returns the same events for [a, c) as for [a, b) + [b, c), whatever b is. Events born in a slot
may happen later (a complaint's reply, a call that ends after the hour turns): those are kept as
the slot's *spill* and picked up by any later interval that looks back far enough.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from .builders import (
    HOUR,
    MAX_LIFETIME_SECONDS,
    Event,
    Ids,
    Timed,
    call,
    complaint_lifecycle,
    complaint_priority,
    draw_category,
    feedback,
    review,
)
from .config import SimConfig
from .injected import scenario_events
from .rhythm import SLOT_SECONDS, activity, require_aware
from .scenarios import AbandonmentProblem, SatisfactionDrop
from .topology import StoreSpec, build_stores

# A complaint is born up to 1 h after its feedback and lives at most MAX_LIFETIME_SECONDS; a call
# lasts well under 1 h. Add the slot itself and that is how far back an interval must look.
MAX_SPILL_SECONDS: Final = MAX_LIFETIME_SECONDS + 2 * HOUR
LOOKBACK_SLOTS: Final = math.ceil(MAX_SPILL_SECONDS / SLOT_SECONDS) + 1


@dataclass(frozen=True)
class _Slot:
    inside: list[Timed]  # occurred_at within the slot, sorted by (ts, event_id)
    inside_ts: list[int]  # the same timestamps, for bisect
    spill: list[Timed]  # occurred_at after the slot (later steps, long calls)


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw from the given RNG (``random`` has none). Knuth's method is exact and fast
    for the small per-hour means used here; large means fall back to the normal approximation."""
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _key(item: Timed) -> tuple[int, str]:
    return item[0], item[1]


def _clone(event: Event) -> Event:
    """Copy an event deep enough that a caller mutating it cannot corrupt the slot cache."""
    out: Event = {}
    for key, value in event.items():
        if isinstance(value, dict):
            out[key] = {k: list(v) if isinstance(v, list) else v for k, v in value.items()}
        elif isinstance(value, list):
            out[key] = [dict(x) if isinstance(x, dict) else x for x in value]
        else:
            out[key] = value
    return out


class Simulator:
    def __init__(self, cfg: SimConfig) -> None:
        self.cfg = cfg
        self.stores: tuple[StoreSpec, ...] = build_stores(
            cfg.stores, cfg.seed, cfg.brands, cfg.csat_range, cfg.open_hour, cfg.close_hour
        )
        by_id = {store.store_id: store for store in self.stores}
        self._drops: dict[str, list[tuple[int, int, float]]] = {}
        self._abandons: dict[str, list[tuple[int, int, float]]] = {}
        injected: list[Timed] = []
        for index, scenario in enumerate(cfg.scenarios):
            store = by_id.get(scenario.store_id)
            if isinstance(scenario, SatisfactionDrop | AbandonmentProblem):
                # A drop or an abandonment problem may name a city or a region: every store
                # of it at once (what the rollup alerts are for).
                area = [s for s in self.stores if scenario.store_id in (s.city, s.region)]
                begin = int(scenario.start.timestamp())
                end = begin + int(scenario.duration.total_seconds())
                level = scenario.csat if isinstance(scenario, SatisfactionDrop) else scenario.rate
                into = self._drops if isinstance(scenario, SatisfactionDrop) else self._abandons
                for s in [store] if store is not None else area:
                    into.setdefault(s.store_id, []).append((begin, end, level))
                if store is not None or area:
                    continue
            if store is None:
                raise ValueError(
                    f"scenario {index} names unknown store {scenario.store_id!r}; "
                    f"stores are S001..S{cfg.stores:03d} (drop, abandon: or a city or region)"
                )
            injected += scenario_events(index, scenario, store, cfg)
        injected.sort(key=_key)
        self._injected = injected
        self._injected_ts = [item[0] for item in injected]
        # The working set of an hour-by-hour or second-by-second caller is every store's
        # lookback window; keep twice that so a live loop regenerates nothing.
        self._cache: OrderedDict[tuple[int, int], _Slot] = OrderedDict()
        self._cache_size = max(4096, 2 * len(self.stores) * (LOOKBACK_SLOTS + 2))

    def events_between(self, start: datetime, end: datetime) -> list[dict[str, object]]:
        """All events with start <= occurred_at < end, sorted by (occurred_at, event_id).
        Deterministic: same cfg and same interval -> same events. Calling it for consecutive
        intervals [a,b), [b,c) gives exactly the events of [a,c) (so a live loop can call it
        every second with real time, and a file writer can call it per hour)."""
        require_aware(start, "start")
        require_aware(end, "end")
        lo, hi = start.timestamp(), end.timestamp()
        if hi <= lo:
            return []
        first = math.floor(lo / SLOT_SECONDS)
        last = math.ceil(hi / SLOT_SECONDS) - 1
        picked: list[Timed] = []
        for index in range(len(self.stores)):
            for slot in range(first - LOOKBACK_SLOTS, last + 1):
                part = self._slot(index, slot)
                if slot >= first:
                    picked += part.inside[
                        bisect_left(part.inside_ts, lo) : bisect_left(part.inside_ts, hi)
                    ]
                picked += [item for item in part.spill if lo <= item[0] < hi]
        picked += self._injected[
            bisect_left(self._injected_ts, lo) : bisect_left(self._injected_ts, hi)
        ]
        picked.sort(key=_key)
        return [_clone(event) for _, _, event in picked]

    def _slot(self, index: int, slot: int) -> _Slot:
        key = (index, slot)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        part = self._generate(self.stores[index], slot)
        self._cache[key] = part
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return part

    def _csat_at(self, store: StoreSpec, ts: int) -> tuple[float, bool]:
        for begin, end, csat in self._drops.get(store.store_id, ()):
            if begin <= ts < end:
                return csat, True
        return store.baseline_csat, False

    def _abandon_at(self, store: StoreSpec, ts: int) -> float:
        for begin, end, rate in self._abandons.get(store.store_id, ()):
            if begin <= ts < end:
                return rate
        return self.cfg.abandon_rate

    def _generate(self, store: StoreSpec, slot: int) -> _Slot:
        cfg = self.cfg
        # String seeds are hashed with SHA-512 by `random`, so this is stable across runs and
        # independent of PYTHONHASHSEED.
        rng = random.Random(f"{cfg.seed}:{store.store_id}:{slot}")
        ids = Ids(f"sim{cfg.seed}-{store.store_id}-{slot}")
        base = slot * SLOT_SECONDS
        level = store.traffic * activity(
            slot, store.tz, store.open_hour, store.close_hour, cfg.weekend_factor
        )
        items: list[Timed] = []

        for _ in range(poisson(rng, cfg.feedback_per_store_hour * level)):
            ts = base + rng.randrange(SLOT_SECONDS)
            csat, dropped = self._csat_at(store, ts)
            timed, rating, who = feedback(rng, ids, store, ts, csat, cfg, dropped=dropped)
            items.append(timed)
            # domain.md: only 4% of dissatisfied customers complain; the rest leave silently.
            if rating <= 2 and rng.random() < cfg.complaint_share_of_unhappy:
                born = ts + rng.randint(120, HOUR)
                items += complaint_lifecycle(
                    rng,
                    ids,
                    store,
                    born,
                    who,
                    category=draw_category(rng),
                    priority=complaint_priority(rng, who, rating),
                )

        for _ in range(poisson(rng, cfg.calls_per_store_hour * level)):
            queued = base + rng.randrange(SLOT_SECONDS)
            items.append(call(rng, ids, store, queued, cfg, self._abandon_at(store, queued)))

        for _ in range(poisson(rng, cfg.reviews_per_store_hour * level)):
            ts = base + rng.randrange(SLOT_SECONDS)
            items.append(review(rng, ids, store, ts, self._csat_at(store, ts)[0]))

        end = base + SLOT_SECONDS
        inside = sorted((item for item in items if item[0] < end), key=_key)
        spill = [item for item in items if item[0] >= end]
        # The look-back bound is what makes interval splitting exact; fail loudly if a future
        # change to the lifecycle offsets breaks it.
        horizon = base + LOOKBACK_SLOTS * SLOT_SECONDS
        if any(item[0] >= horizon for item in spill):
            raise RuntimeError("an event lies beyond the simulator's look-back window")
        return _Slot(inside, [item[0] for item in inside], spill)
