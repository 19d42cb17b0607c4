"""Small builders for hand-made event streams."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def feedback(
    i: int,
    rating: int,
    store: str = "S1",
    at: datetime | None = None,
    minutes: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    when = at or T0 + timedelta(minutes=i if minutes is None else minutes)
    return {
        "event_id": f"{store}-fb-{i}",
        "event_type": "feedback",
        "occurred_at": when.isoformat(),
        "source": "test",
        "store_id": store,
        "rating": rating,
        **extra,
    }


def review(i: int, store: str = "S1", minutes: float = 0) -> dict[str, Any]:
    return {
        "event_id": f"{store}-rv-{i}",
        "event_type": "review",
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "source": "test",
        "store_id": store,
        "platform": "大众点评",
        "rating": 1,
        "text": "差评",
    }


def complaint(i: int, action: str = "opened", at: Any = None, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": f"K{i}-{action}",
        "event_type": "complaint",
        "occurred_at": (at or T0).isoformat(),
        "source": "t",
        "store_id": "S1",
        "complaint_id": f"K{i}",
        "action": action,
        "customer": {"tier": "vip"},
        **extra,
    }


def line(ev: dict[str, Any]) -> bytes:
    return json.dumps(ev, ensure_ascii=False).encode()


def slipping_region() -> list[bytes]:
    """20 stores of brand B, 8 ratings an hour each for 4 hours; in the last two, every East
    store (S000-S009, cities A and B) gets 1 good rating in 3. West (S010-S019) stays good."""
    events = []
    for h in range(4):
        for i in range(8):
            for n in range(20):
                region, city = ("East", "A" if n < 5 else "B") if n < 10 else ("West", "C")
                good = h < 2 or n >= 10 or (i + n) % 3 == 0
                at = T0 + timedelta(hours=h, minutes=i * 7.5)
                events.append(
                    feedback(
                        h * 100 + i,
                        5 if good else 2,
                        f"S{n:03d}",
                        at,
                        brand="B",
                        region=region,
                        city=city,
                    )
                )
    return [line(e) for e in events]


class Clock:
    """A settable clock for code that takes one: ``clock.now`` is what it reads."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
