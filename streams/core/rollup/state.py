"""The rollups of every entity of one rollup partition, and the alerts they raise.

Counts go into steps of event time (``RollupConfig.step``) per entity, and per store for the
names on a page; hours are kept for the baselines. A contribution is *late*, left out and
counted, when its event time is more than ``lateness`` before the newest time its source
partition has shown (judged on the order within one partition, which Kafka keeps), or before
the last step judged. A step boundary is judged once every source partition's newest time,
less ``lateness``, has passed it; a partition said to be idle (``idle``: nothing left to read)
does not hold the others back. So every boundary is judged over the same counts whatever the
interleaving of the partitions, in the worker and in the replay.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from schemas.alerts import AlertEvent
from streams.core import hysteresis
from streams.core.rollup.config import RollupConfig
from streams.core.rollup.model import Contribution, Item, Mark
from streams.core.rollup.view import EntityView, Member
from streams.core.rules import rollup_csat_drop, rollup_csat_low, rollup_negative_spike
from streams.core.rules.base import Facts, Rule

HOUR = 3600
DAY = 86400
Judge = Callable[[EntityView, RollupConfig], tuple[bool, bool, Facts, dict[str, float]] | None]
RULES: tuple[tuple[Rule, Judge], ...] = (
    (rollup_csat_low.RULE, rollup_csat_low.judge),
    (rollup_csat_drop.RULE, rollup_csat_drop.judge),
    (rollup_negative_spike.RULE, rollup_negative_spike.judge),
)
IDENTITY = {"brand": ("brand",), "region": ("brand", "region"), "city": ("brand", "region", "city")}
LABELS = ("brand", "region", "city")  # the order of ``Rollups.where``'s values
CHILD = {"brand": "region", "region": "city"}  # the parts of an entity one level down


def _floor(t: float, step: float) -> int:
    return int(math.floor(t / step) * step)


@dataclass
class Entity:
    level: str
    labels: dict[str, str]  # the labels that identify it: brand, + region, + city
    steps: dict[int, list[int]] = field(default_factory=dict)  # start -> [sat, n, neg]
    hours: dict[int, list[int]] = field(default_factory=dict)  # start -> [sat, n, neg, out]
    firing: dict[str, float] = field(default_factory=dict)  # rule -> firing since

    @property
    def name(self) -> str:
        return self.labels[self.level]

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "labels": self.labels,
            "steps": [[k, *v] for k, v in self.steps.items()],
            "hours": [[k, *v] for k, v in self.hours.items()],
            "firing": self.firing,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Entity:
        return cls(
            level=d["level"],
            labels=dict(d["labels"]),
            steps={int(r[0]): list(r[1:]) for r in d["steps"]},
            hours={int(r[0]): list(r[1:]) for r in d["hours"]},
            firing=dict(d["firing"]),
        )


def _copy(rows: dict[str, list[int]]) -> dict[str, list[int]]:
    return {sid: list(row) for sid, row in rows.items()}


def _add(rows: dict[Any, list[int]], key: Any, row: list[int]) -> None:
    have = rows.get(key)
    if have is None:
        rows[key] = list(row)
    else:
        for i, x in enumerate(row):
            have[i] += x


@dataclass
class Rollups:
    cfg: RollupConfig
    partitions: int  # how many source partitions feed it (every one must pass a boundary)
    marks: dict[int, float] = field(default_factory=dict)  # partition -> newest event time
    idle: set[int] = field(default_factory=set)
    judged: int | None = None  # the last boundary judged
    first: float | None = None  # the earliest contribution counted
    entities: dict[str, Entity] = field(default_factory=dict)
    stores: dict[int, dict[str, list[int]]] = field(default_factory=dict)  # step -> store -> row
    where: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # store -> labels
    seen: dict[int, set[str]] = field(default_factory=dict)  # step -> event ids counted
    late: int = 0
    duplicates: int = 0
    # The boundary the last prune was for: a prune depends on nothing else, and it walks
    # every store, so one per boundary (not per contribution) does.
    pruned: int | None = field(default=None, compare=False)
    # A store's place -> the keys of its entities, one per level: every contribution and every
    # judged store asks, and a chain has far fewer places than stores. Derived, never saved.
    keys: dict[tuple[str, str, str], tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # Each store's rows summed over the window judged last, (lo, at) of that window, and how
    # many of its steps hold a row of the store. The next boundary's window is the same but for
    # the step that enters and the one that leaves, and a step's rows no longer change once it
    # is in a judged window (a contribution to it is late), so the sums move by two steps'
    # rows instead of being summed over twelve again. Derived, never saved.
    sums: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)
    summed: tuple[int, int] | None = field(default=None, compare=False, repr=False)

    # --- input ------------------------------------------------------------------------------
    def add(self, c: Contribution) -> bool:
        """Count one contribution; False when it is late or already counted."""
        newest = self.marks.get(c.partition)
        self.idle.discard(c.partition)
        if newest is not None and c.at < newest - self.cfg.lateness:
            self.late += 1
            return False
        self.marks[c.partition] = c.at if newest is None else max(newest, c.at)
        step = _floor(c.at, self.cfg.step)
        if self.judged is not None and step < self.judged:
            self.late += 1
            return False
        ids = self.seen.setdefault(step, set())
        if c.event_id in ids:
            self.duplicates += 1
            return False
        ids.add(c.event_id)
        self.first = c.at if self.first is None else min(self.first, c.at)
        where = (c.brand, c.region, c.city)
        self.where[c.store_id] = where
        row = [int(c.satisfied), int(c.rating is not None), int(c.negative)]
        _add(self.stores.setdefault(step, {}), c.store_id, row)
        hour = _floor(c.at, HOUR)
        for level, key in zip(self.cfg.levels, self._keys_of(where), strict=True):
            ent = self.entities.get(key)
            if ent is None:
                ent = self.entities[key] = Entity(level, _identity(level, where))
            _add(ent.steps, step, row)
            h = ent.hours.get(hour)
            if h is None:
                ent.hours[hour] = [*row, 0]
            else:
                h[0] += row[0]
                h[1] += row[1]
                h[2] += row[2]
        return True

    def mark(self, partition: int, at: float) -> None:
        """Source ``partition`` has handed on every event up to ``at``."""
        self.idle.discard(partition)
        self.marks[partition] = max(self.marks.get(partition, at), at)

    def take(self, item: Item) -> None:
        """One message of the rollup topic."""
        if isinstance(item, Contribution):
            self.add(item)
        elif isinstance(item, Mark):
            self.mark(item.partition, item.at)
        else:
            self.set_idle(item.partition)

    def set_idle(self, partition: int) -> None:
        """Source ``partition`` has nothing left to read: it holds no boundary back."""
        self.idle.add(partition)

    def settled_hours(self) -> int | None:
        """The hour before which no entity's hours change again: a contribution to a step
        before the last judged one is late, and a judgement marks hours out of the baselines
        only within its own window, which starts after ``judged - window``. None before the
        first judgement."""
        if self.judged is None:
            return None
        return _floor(self.judged - self.cfg.window, HOUR)

    def watermark(self) -> float | None:
        """The newest boundary every source partition has passed, less the lateness."""
        busy = [self.marks.get(p) for p in range(self.partitions) if p not in self.idle]
        if any(t is None for t in busy):
            return None
        if busy:
            return min(t for t in busy if t is not None) - self.cfg.lateness
        # Every partition idle: nothing older is coming, so judge up to the newest of all.
        return max(self.marks.values()) - self.cfg.lateness if self.marks else None

    # --- judging ----------------------------------------------------------------------------
    def advance(self) -> list[AlertEvent]:
        """Judge every step boundary the watermark has passed; the alert changes, in order."""
        wm = self.watermark()
        if wm is None or self.first is None:
            return []
        step = int(self.cfg.step)
        at = self.judged + step if self.judged is not None else _floor(self.first, step) + step
        out: list[AlertEvent] = []
        while at <= wm:
            out += self._judge(at)
            self.judged = at
            at += step
        self._prune()
        return out

    def _judge(self, at: int) -> list[AlertEvent]:
        cfg, step = self.cfg, int(self.cfg.step)
        lo = at - int(cfg.window)
        window = range(lo, at, step)
        members: dict[str, list[Member]] = defaultdict(list)
        for sid, (sat, n, neg, _steps) in self._window_sums(lo, at, step).items():
            m = Member(sid, sat, n, neg)
            for key in self._keys_of(self.where[sid]):
                members[key].append(m)
        out: list[AlertEvent] = []
        for key in sorted(self.entities):
            ent = self.entities[key]
            rows = [ent.steps[s] for s in window if s in ent.steps]
            if not rows and not ent.firing:
                continue
            view = self._view(ent, at, lo, rows, members.get(key, []))
            for rule, judge in RULES:
                judged = judge(view, cfg)
                if judged is None:
                    continue
                bad, good, facts, values = judged
                change = hysteresis.step(ent.firing.get(rule.name), bad, good and not bad, at)
                if change is None:
                    continue
                hysteresis.record(ent.firing, str(rule.name), change)
                out.append(
                    rule.page(
                        change.transition == "fire",
                        facts,
                        identity={"level": ent.level, **ent.labels},
                        since=change.since,
                        now=at,
                        values=values,
                    )
                )
            # An incident is not the entity's normal: its hours stay out of the baselines, for
            # at most `hold_baseline`; a level kept that long is then learnt as the new normal.
            if ent.firing and at - min(ent.firing.values()) <= cfg.hold_baseline:
                for h in range(_floor(lo, HOUR), at, HOUR):
                    if h in ent.hours:
                        ent.hours[h][3] = 1
        return out

    def _window_sums(self, lo: int, at: int, step: int) -> dict[str, list[int]]:
        """Each store's [satisfied, ratings, negatives, steps with a row] over [lo, at)."""
        sums = self.sums
        if self.summed == (lo - step, at - step):
            self._move(at - step, 1)  # the step that enters
            self._move(lo - step, -1)  # the one that leaves
        else:
            sums.clear()
            for s in range(lo, at, step):
                self._move(s, 1)
        self.summed = (lo, at)
        return sums

    def _move(self, step: int, sign: int) -> None:
        sums = self.sums
        for sid, row in self.stores.get(step, {}).items():
            acc = sums.get(sid)
            if acc is None:
                acc = sums[sid] = [0, 0, 0, 0]
            acc[0] += sign * row[0]
            acc[1] += sign * row[1]
            acc[2] += sign * row[2]
            acc[3] += sign
            if not acc[3]:
                del sums[sid]  # in no step of the window: not a member any more

    def _view(
        self, ent: Entity, at: int, lo: int, rows: list[list[int]], members: list[Member]
    ) -> EntityView:
        cfg = self.cfg
        since = lo - cfg.baseline_days * DAY
        bsat = bn = 0
        for h, (sat, n, _neg, out) in ent.hours.items():
            if since <= h and h + HOUR <= lo and not out:
                bsat += sat
                bn += n
        expected, days = self._expected_negatives(ent, at, lo)
        below = CHILD.get(ent.level)
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        if below is not None:
            for m in members:
                g = groups[self.where[m.store_id][LABELS.index(below)]]
                g[0] += m.satisfied
                g[1] += m.ratings
                g[2] += m.negatives
        parts = (
            tuple(Member(name, *g) for name, g in sorted(groups.items()))
            if len(groups) >= 2
            else tuple(members)
        )
        return EntityView(
            level=ent.level,
            name=ent.name,
            window=cfg.window,
            satisfied=sum(r[0] for r in rows),
            ratings=sum(r[1] for r in rows),
            negatives=sum(r[2] for r in rows),
            members=tuple(sorted(members, key=lambda m: m.store_id)),
            parts=parts,
            baseline_satisfied=bsat,
            baseline_ratings=bn,
            expected_negatives=expected,
            baseline_days=days,
        )

    def _expected_negatives(self, ent: Entity, at: int, lo: int) -> tuple[float | None, int]:
        """The mean of the window's negatives on each baseline day the entity was seen (the
        clock hours the shifted window overlaps, weighted by minutes); days whose window
        overlaps an hour of its own alert are left out."""
        counts = []
        for d in range(1, self.cfg.baseline_days + 1):
            a, b = lo - d * DAY, at - d * DAY
            # Seen that day: an hour of its own after a - DAY and before b. The hours are whole
            # hours, so those few are looked up rather than every hour of the baselines read.
            if not any(h in ent.hours for h in range(_floor(a - DAY, HOUR) + HOUR, b, HOUR)):
                continue
            total, spoilt = 0.0, False
            for h in range(_floor(a, HOUR), b, HOUR):
                row = ent.hours.get(h)
                overlap = (min(b, h + HOUR) - max(a, h)) / HOUR
                if row is None or overlap <= 0:
                    continue
                if row[3]:
                    spoilt = True
                    break
                total += row[2] * overlap
            if not spoilt:
                counts.append(total)
        if not counts:
            return None, 0
        return sum(counts) / len(counts), len(counts)

    def _keys_of(self, where: tuple[str, str, str]) -> tuple[str, ...]:
        """The keys of the entities of a store at ``where``, one per configured level."""
        keys = self.keys.get(where)
        if keys is None:
            keys = self.keys[where] = tuple(
                _key(level, _identity(level, where)) for level in self.cfg.levels
            )
        return keys

    def _prune(self) -> None:
        if self.judged is None or self.judged == self.pruned:
            return
        self.pruned = self.judged
        keep_steps = self.judged - int(self.cfg.window)
        keep_hours = keep_steps - (self.cfg.baseline_days + 1) * DAY
        for s in [s for s in self.stores if s < keep_steps]:
            del self.stores[s]
        for s in [s for s in self.seen if s < self.judged]:
            del self.seen[s]  # a step before the last judged one takes nothing any more
        for ent in self.entities.values():
            for s in [s for s in ent.steps if s < keep_steps]:
                del ent.steps[s]
            for h in [h for h in ent.hours if h < keep_hours]:
                del ent.hours[h]
        for key in [k for k, e in self.entities.items() if not e.hours and not e.firing]:
            del self.entities[key]
        present = {sid for rows in self.stores.values() for sid in rows}
        for sid in [sid for sid in self.where if sid not in present]:
            del self.where[sid]

    # --- persistence ------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "marks": [[p, t] for p, t in self.marks.items()],
            "idle": sorted(self.idle),
            "judged": self.judged,
            "first": self.first,
            "entities": [e.to_json() for e in self.entities.values()],
            # {step start: {store: row}}. At 10,000 stores the rows are most of a checkpoint
            # (an hour of steps, ~125,000 rows, 2 MB); taken as they are, not rebuilt as lists,
            # a checkpoint holds the event loop ~15 ms instead of ~150. The rows of a judged
            # step never change again, so they are shared; an open step's are copied.
            "stores": {
                str(s): dict(rows) if self.judged is not None and s < self.judged else _copy(rows)
                for s, rows in self.stores.items()
            },
            "where": [[sid, *labels] for sid, labels in self.where.items()],
            "seen": [[s, sorted(ids)] for s, ids in self.seen.items()],
            "late": self.late,
            "duplicates": self.duplicates,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], cfg: RollupConfig, partitions: int) -> Rollups:
        r = cls(cfg, partitions)
        r.marks = {int(p): float(t) for p, t in d.get("marks", [])}
        r.idle = set(d.get("idle", []))
        r.judged = d.get("judged")
        r.first = d.get("first")
        for e in d.get("entities", []):
            ent = Entity.from_json(e)
            r.entities[_key(ent.level, ent.labels)] = ent
        stores = d.get("stores", {})
        if isinstance(stores, dict):
            r.stores = {int(s): _copy(rows) for s, rows in stores.items()}
        else:  # the form before: [[step, [[store, *row], ...]], ...]
            r.stores = {int(s): {row[0]: list(row[1:]) for row in rows} for s, rows in stores}
        r.where = {row[0]: (row[1], row[2], row[3]) for row in d.get("where", [])}
        r.seen = {int(s): set(ids) for s, ids in d.get("seen", [])}
        r.late = int(d.get("late", 0))
        r.duplicates = int(d.get("duplicates", 0))
        return r


def _identity(level: str, where: tuple[str, str, str]) -> dict[str, str]:
    """The labels that identify the ``level`` entity of a store at ``where``."""
    return {k: v for k, v in zip(LABELS, where, strict=True) if k in IDENTITY[level]}


def _key(level: str, labels: dict[str, str]) -> str:
    return "\x1f".join([level, *(labels[k] for k in IDENTITY[level])])


def feed(r: Rollups, items: Iterable[Contribution]) -> list[AlertEvent]:
    """Count contributions of one partition in order and judge what they pass (tests, replay)."""
    out: list[AlertEvent] = []
    for c in items:
        r.add(c)
        out += r.advance()
    return out
