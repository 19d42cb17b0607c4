"""What one store event adds to the rollups, and the marks that say how far a source partition
has got (or that it has nothing left to read): the messages of the rollup topic, in a compact
JSON form."""

from __future__ import annotations

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


def encode(item: Item) -> bytes:
    if isinstance(item, Mark):
        return orjson.dumps({"m": [item.partition, item.at]})
    if isinstance(item, Idle):
        return orjson.dumps({"i": item.partition})
    c = item
    return orjson.dumps(
        {
            "c": [c.partition, c.at, c.event_id, c.store_id, c.brand, c.region, c.city],
            "r": c.rating,
            "n": c.negative,
        }
    )


def decode(raw: bytes) -> Item | None:
    """None for anything that is not one of ours (never raises: the topic is internal, but a
    bad message must not stop the rollups)."""
    try:
        d: Any = orjson.loads(raw)
        if "m" in d:
            p, at = d["m"]
            return Mark(int(p), float(at))
        if "i" in d:
            return Idle(int(d["i"]))
        p, at, eid, sid, brand, region, city = d["c"]
        rating = d.get("r")
        return Contribution(
            int(p),
            float(at),
            str(eid),
            str(sid),
            str(brand),
            str(region),
            str(city),
            int(rating) if rating is not None else None,
            bool(d.get("n")),
        )
    except Exception:
        return None
