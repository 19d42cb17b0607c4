"""The simulated store network: which stores exist, where, and how healthy they are."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

# A few regions, each with real Chinese cities, so dashboards grouped by region/city look right.
REGIONS: Final = (
    ("华东", ("上海", "杭州", "南京", "苏州")),
    ("华南", ("广州", "深圳", "厦门")),
    ("华北", ("北京", "天津", "济南")),
    ("西南", ("成都", "重庆", "昆明")),
)


@dataclass(frozen=True)
class StoreSpec:
    store_id: str
    brand: str
    region: str
    city: str
    baseline_csat: float  # expected share of 4-5 ratings on a normal day
    traffic: float  # multiplier on the configured per-store rates (stores differ in size)
    tz: str = "Asia/Shanghai"
    open_hour: int = 9
    close_hour: int = 22


def build_stores(
    count: int,
    seed: int,
    brands: tuple[str, ...],
    csat_range: tuple[float, float],
    open_hour: int,
    close_hour: int,
) -> tuple[StoreSpec, ...]:
    """Deterministic topology: the same (count, seed, ...) always gives the same stores.

    The RNG is private to the topology so that changing event rates never reshuffles which city
    a store is in.
    """
    rng = random.Random(f"{seed}:topology")
    low, high = csat_range
    stores: list[StoreSpec] = []
    for i in range(count):
        # Round-robin regions so that even 4 stores cover every region, and brands per block of
        # regions so that every brand shows up in every region; the city is random.
        region, cities = REGIONS[i % len(REGIONS)]
        stores.append(
            StoreSpec(
                store_id=f"S{i + 1:03d}",
                brand=brands[(i // len(REGIONS)) % len(brands)],
                region=region,
                city=rng.choice(cities),
                baseline_csat=round(rng.uniform(low, high), 3),
                traffic=round(rng.uniform(0.7, 1.3), 3),
                open_hour=open_hour,
                close_hour=close_hour,
            )
        )
    return tuple(stores)
