"""What one store event adds to the rollups, and the marks that say how far a source partition
has got (or that it has nothing left to read): the messages of the rollup topic, in a compact
JSON form. The store agent sends what a batch holds for one rollup partition, contributions and
marks in the order they are to be taken, as one message (``encode_items``): a message per
event cost the worker more than the rollups themselves, and after a backlog a message per
mark made most of the rollup messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class Contribution:
    partition: int  # the store event's partition: lateness is judged per source partition
    at: float  # event time
    event_id: str
    store_id: str
    brand: str
    region: str
    city: str
    rating: int | None  # a rating 1-5, or None (a negative without a rating)
    negative: bool  # a low rating, a negative review or a complaint: the spike count

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        partition: int,
        at: float,
        event_id: str,
        store_id: str,
        brand: str,
        region: str,
        city: str,
        rating: int | None,
        negative: bool,
    ) -> None:
        object.__setattr__(self, "partition", partition)
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "event_id", event_id)
        object.__setattr__(self, "store_id", store_id)
        object.__setattr__(self, "brand", brand)
        object.__setattr__(self, "region", region)
        object.__setattr__(self, "city", city)
        object.__setattr__(self, "rating", rating)
        object.__setattr__(self, "negative", negative)

    @property
    def satisfied(self) -> bool:
        return self.rating is not None and self.rating >= 4


@dataclass(frozen=True, slots=True)
class Mark:
    """Source partition ``partition`` has handed on every event up to ``at``."""

    partition: int
    at: float


@dataclass(frozen=True, slots=True)
class Idle:
    """Source ``partition`` has nothing left to read: it holds no boundary back."""

    partition: int


Item = Contribution | Mark | Idle


def _row(c: Contribution) -> list[Any]:
    return [c.partition, c.at, c.event_id, c.store_id, c.brand, c.region, c.city]


def encode(item: Item) -> bytes:
    if isinstance(item, Mark):
        return orjson.dumps({"m": [item.partition, item.at]})
    if isinstance(item, Idle):
        return orjson.dumps({"i": item.partition})
    return orjson.dumps({"c": _row(item), "r": item.rating, "n": item.negative})


def encode_items(items: Sequence[Contribution | Mark]) -> bytes:
    """Contributions and marks in one message, in the order they are to be taken: a
    contribution is a row of nine values, a mark one of two."""
    return orjson.dumps(
        {
            "s": [
                [x.partition, x.at] if isinstance(x, Mark) else [*_row(x), x.rating, x.negative]
                for x in items
            ]
        }
    )


def _contribution(row: Sequence[Any], rating: Any, negative: Any) -> Contribution:
    p, at, eid, sid, brand, region, city = row
    return Contribution(
        int(p),
        float(at),
        str(eid),
        str(sid),
        str(brand),
        str(region),
        str(city),
        int(rating) if rating is not None else None,
        bool(negative),
    )


def decode(raw: bytes) -> list[Item] | None:
    """The items of one message, in order; None for anything that is not one of ours (never
    raises: the topic is internal, but a bad message must not stop the rollups)."""
    try:
        d: Any = orjson.loads(raw)
        if "m" in d:
            p, at = d["m"]
            return [Mark(int(p), float(at))]
        if "i" in d:
            return [Idle(int(d["i"]))]
        if "s" in d:
            return [
                Mark(int(r[0]), float(r[1])) if len(r) == 2 else _contribution(r[:7], r[7], r[8])
                for r in d["s"]
            ]
        if "b" in d:  # contributions alone, as a worker before ``encode_items`` sent them
            return [_contribution(r[:7], r[7], r[8]) for r in d["b"]]
        return [_contribution(d["c"], d.get("r"), d.get("n"))]
    except Exception:
        return None
