"""The chain generator: a whole chain's traffic, batch by batch, fast enough to feed benchmarks.

The exact simulator (``Simulator``) keeps every store's recent hours so that any split of an
interval gives the same events; at 10,000 stores that is gigabytes and a few thousand events/s.
This generator streams instead:

- Each 10-second batch has its own RNG seeded by (seed, batch). It draws the chain's event
  count for the batch (Poisson, mean = the day's rhythm x the chain's total rate), then each
  event's store in proportion to store size (a multinomial split, equivalent to independent
  per-store Poissons), its second, its kind, and renders it (``render``). Same seed and
  interval -> same file.
- Calls are drawn at the time they are published (their end) with earlier times drawn backwards;
  complaint lifecycles (the only events born now that happen later) wait in a heap.
- Complaints born before ``start`` are not there: a file starts cold, and a long run reaches the
  steady state within a day or two (a lifecycle lasts at most ~58 h, most under 12 h).

The exact simulator's scenarios work here too (drop, crisis, unanswered, taboo), plus ``burst``:
a region whose traffic is multiplied (a hundredfold by default) and whose customers turn negative.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final, TextIO

from .builders import Ids, Who, complaint_lifecycle, complaint_priority, customer_for, draw_category
from .chain import MAX_CHAIN_STORES, ChainShape, build_chain
from .config import SimConfig
from .generator import poisson
from .injected import scenario_events
from .render import Clock, Line, Renderer, js
from .rhythm import day_profile, require_aware, zone
from .scenarios import AbandonmentProblem, RegionBurst, SatisfactionDrop, Scenario
from .topology import StoreSpec

# Mean steps of one answered complaint as ``builders.complaint_lifecycle`` draws them: opened,
# agent_replied, resolved, closed (4) + customer_replied 0.30 + pending/resumed 2 x 0.15
# + escalated ~0.07 + reopened/resolved 2 x 0.05 + follow_up_done 0.85.
COMPLAINT_STEPS: Final = 5.62
# Short batches keep memory flat when a burst multiplies the traffic (a minute of a region x100 at
# dinner is ~250k events); seeding an RNG per batch costs microseconds.
BATCH_SECONDS: Final = 10
# Unhappy (rating <= 2) share of feedback given CSAT c: the other half of 1 - c rates 3.
UNHAPPY_OF_DISSATISFIED: Final = 0.5


@dataclass(frozen=True)
class ChainConfig:
    stores: int = 10_000
    seed: int = 7
    # The design load cxpulse is sized for: a 10,000-store chain sees about 10 million customer
    # interactions a day (about 115 events/s on average), i.e. 1,000 events per store per weekday,
    # every kind and complaint step included. A sizing figure, not a domain.md one.
    events_per_store_day: float = 1000.0
    shape: ChainShape = field(default_factory=ChainShape)
    # Per-event figures shared with the exact simulator (each names its domain.md source there):
    # the mix of feedback/calls/reviews, CSAT range, complaint share, tiers, call centre, rhythm.
    # Its ``stores``, ``seed``, ``brands`` and ``scenarios`` are not used here.
    figures: SimConfig = field(default_factory=SimConfig)
    scenarios: tuple[Scenario, ...] = ()
    bursts: tuple[RegionBurst, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.stores <= MAX_CHAIN_STORES:
            raise ValueError(f"stores must be in [1, {MAX_CHAIN_STORES}], got {self.stores}")
        if self.events_per_store_day < 0:
            raise ValueError("events_per_store_day must be >= 0")


class ChainGenerator:
    def __init__(self, cfg: ChainConfig) -> None:
        self.cfg = cfg
        fig = replace(cfg.figures, seed=cfg.seed, stores=1, scenarios=())
        self.figures = fig
        self.stores: tuple[StoreSpec, ...] = build_chain(
            cfg.stores, cfg.seed, cfg.shape, fig.csat_range, fig.open_hour, fig.close_hour
        )
        self.tz = self.stores[0].tz  # one country, one zone: a chain-wide day rhythm
        self.clock = Clock(self.tz)
        self.render = Renderer(self.stores, fig, self.clock)
        self._csat = [s.baseline_csat for s in self.stores]
        self._cum = list(_accumulate([s.traffic for s in self.stores]))
        self._index = {s.store_id: i for i, s in enumerate(self.stores)}

        rates = (fig.feedback_per_store_hour, fig.calls_per_store_hour, fig.reviews_per_store_hour)
        primary = sum(rates)
        self._p_feedback = rates[0] / primary if primary else 0.0
        self._p_call = (rates[0] + rates[1]) / primary if primary else 0.0
        mean_csat = sum(fig.csat_range) / 2
        per_feedback = (
            (1 - mean_csat) * UNHAPPY_OF_DISSATISFIED * fig.complaint_share_of_unhappy
        ) * COMPLAINT_STEPS
        # Primary events per store-day so that, complaint steps included, a weekday totals the
        # target; spread over the day in proportion to the rhythm.
        primary_day = cfg.events_per_store_day / (1 + self._p_feedback * per_feedback)
        profile = day_profile(fig.open_hour, fig.close_hour)
        self._per_minute = [cfg.stores * primary_day * h / sum(profile) / 60 for h in profile]

        self._drops: list[tuple[int, int, int, float]] = []
        self._injected: list[Line] = []
        for n, sc in enumerate(cfg.scenarios):
            idx = self._index.get(sc.store_id)
            if idx is None:
                first, last = self.stores[0].store_id, self.stores[-1].store_id
                raise ValueError(
                    f"scenario {n} names unknown store {sc.store_id!r}; stores are {first}..{last}"
                )
            if isinstance(sc, AbandonmentProblem):
                # The chain renders calls from chain-wide figures; the exact simulator has it.
                raise ValueError("abandon is a scenario of the exact simulator only")
            if isinstance(sc, SatisfactionDrop):
                begin = int(sc.start.timestamp())
                end = begin + int(sc.duration.total_seconds())
                self._drops.append((begin, end, idx, sc.csat))
            for ts, eid, event in scenario_events(n, sc, self.stores[idx], fig):
                self._injected.append((ts, eid, str(event["event_type"]), sc.store_id, js(event)))
        regions = {s.region for s in self.stores}
        self._bursts: list[tuple[int, int, float, float, list[int]]] = []
        for b in cfg.bursts:
            if b.region not in regions:
                raise ValueError(f"burst names unknown region {b.region!r}: {sorted(regions)}")
            begin = int(b.start.timestamp())
            members = [i for i, s in enumerate(self.stores) if s.region == b.region]
            self._bursts.append(
                (begin, begin + int(b.duration.total_seconds()), b.factor, b.csat, members)
            )
        self._regimes: dict[tuple[int, ...], tuple[list[float], float, dict[int, float]]] = {}

    def level(self, ts: int) -> float:
        """Chain events per minute (primaries, before bursts) for the minute holding ``ts``."""
        local = datetime.fromtimestamp(ts, zone(self.tz))
        rate = self._per_minute[local.hour]
        return rate * self.figures.weekend_factor if local.weekday() >= 5 else rate

    def _regime(self, active: tuple[int, ...]) -> tuple[list[float], float, dict[int, float]]:
        """Cumulative store weights, traffic multiplier and CSAT overrides while the given bursts
        are on (cached: a run sees only a few combinations)."""
        cached = self._regimes.get(active)
        if cached is None:
            weights = [s.traffic for s in self.stores]
            csat: dict[int, float] = {}
            for k in active:
                _, _, factor, burst_csat, members = self._bursts[k]
                for i in members:
                    weights[i] *= factor
                    csat[i] = burst_csat
            cum = list(_accumulate(weights))
            cached = self._regimes[active] = (cum, cum[-1] / self._cum[-1], csat)
        return cached

    def _batch(self, batch: int, pending: list[Line]) -> list[Line]:
        """The primaries of one batch (complaint steps go to ``pending``), unsorted."""
        t0 = batch * BATCH_SECONDS
        rng = random.Random(f"{self.cfg.seed}:chain:{batch}")
        active = tuple(k for k, b in enumerate(self._bursts) if b[0] <= t0 < b[1])
        cum, boost, burst_csat = self._regime(active)
        overrides = dict(burst_csat)
        for begin, end, idx, drop_csat in self._drops:
            if begin <= t0 < end:
                overrides[idx] = drop_csat
        count = poisson(rng, self.level(t0) * boost * BATCH_SECONDS / 60)
        picks = rng.choices(range(len(self.stores)), cum_weights=cum, k=count)
        rnd, render, csat_of, fig = rng.random, self.render, self._csat, self.figures
        stores, p_feedback, p_call = self.stores, self._p_feedback, self._p_call
        prefix = f"ch{self.cfg.seed}-{batch}-"
        out: list[Line] = []
        for n, idx in enumerate(picks):
            ts = t0 + int(rnd() * BATCH_SECONDS)
            eid = f"{prefix}{n:06d}"
            sid = stores[idx].store_id
            csat = overrides.get(idx, csat_of[idx]) if overrides else csat_of[idx]
            u = rnd()
            if u < p_feedback:
                line, rating, number = render.feedback(rng, eid, idx, ts, csat, idx in overrides)
                out.append((ts, eid, "feedback", sid, line))
                # domain.md: only 4% of dissatisfied customers complain.
                if rating <= 2 and rnd() < fig.complaint_share_of_unhappy:
                    who = customer_for(number, fig)
                    self._complaint(rng, eid, stores[idx], ts, who, rating, pending)
            elif u < p_call:
                out.append((ts, eid, "call", sid, render.call(rng, eid, idx, ts)))
            else:
                crisis = idx in burst_csat
                line = render.review(rng, eid, idx, ts, csat, crisis)
                out.append((ts, eid, "review", sid, line))
        return out

    def _complaint(
        self,
        rng: random.Random,
        eid: str,
        store: StoreSpec,
        ts: int,
        who: Who,
        rating: int,
        pending: list[Line],
    ) -> None:
        born = ts + rng.randint(120, 3600)
        steps = complaint_lifecycle(
            rng,
            Ids(eid),
            store,
            born,
            who,
            category=draw_category(rng),
            priority=complaint_priority(rng, who, rating),
        )
        for at, step_id, event in steps:
            heapq.heappush(pending, (at, step_id, "complaint", store.store_id, js(event)))

    def batches(self, start: datetime, end: datetime) -> Iterator[list[Line]]:
        """The events of [start, end), one list per 10 s, each sorted by (time, event id)."""
        require_aware(start, "start")
        require_aware(end, "end")
        lo, hi = math.ceil(start.timestamp()), math.ceil(end.timestamp())
        pending = [item for item in self._injected if lo <= item[0] < hi]
        heapq.heapify(pending)
        step = BATCH_SECONDS
        for number in range(lo // step, (hi + step - 1) // step):
            t1 = (number + 1) * step
            batch = self._batch(number, pending)
            while pending and pending[0][0] < t1:
                batch.append(heapq.heappop(pending))
            batch.sort()
            if number * step < lo or t1 > hi:
                batch = [item for item in batch if lo <= item[0] < hi]
            yield batch


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def write_chain_jsonl(gen: ChainGenerator, start: datetime, end: datetime, out: TextIO) -> int:
    """Write every event of [start, end) to ``out`` as JSON lines; return the count."""
    count = 0
    for batch in gen.batches(start, end):
        if batch:
            out.write("\n".join(item[4] for item in batch))
            out.write("\n")
            count += len(batch)
    return count
