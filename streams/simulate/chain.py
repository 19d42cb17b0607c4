"""A large chain's store network: brand -> region -> city -> store, with heavy-tailed sizes.

Real chains are not uniform: a few flagship stores in tier-1 cities take many times the traffic of
a typical store, most stores are small, and the big brands are everywhere while the small ones
stay in a few regions. The shape chosen here, and why:

- Store size (the ``traffic`` multiplier) is Pareto with shape ``alpha`` (default 2): the median
  store is ~0.7x the mean, about 1% of stores are "flagships" at 5x the mean or more, and the
  top 10% of stores carry about 30% of the traffic. The raw draw is capped (``size_cap`` times the
  smallest store) so one freak store cannot dominate a small chain, then rescaled so the mean is
  exactly 1: the chain's total traffic is then ``stores x`` the per-store rate, whatever the draw.
- Brands get Zipf shares (1, 1/2, 1/3 ...): the first brand is national, each smaller brand
  covers fewer regions.
- Cities are weighted by tier (tier-1 cities hold more stores); every city lies in exactly one
  region, so region and city rollups nest.

Store ids are ``S`` plus a zero-padded number, numbered in (brand, region, city) order, so a
sorted id list reads brand by brand, region by region. The width is at least 3 digits (S001, as
in the small simulator) and grows with the count (S00001 ... S10000).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from .topology import StoreSpec

MAX_CHAIN_STORES: Final = 100_000

# (region, ((city, weight), ...)): weights are relative store counts by city tier (tier-1 = 3).
# The four regions the small simulator uses keep their cities in the same region.
CHAIN_REGIONS: Final = (
    (
        "华东",
        (
            ("上海", 3.0),
            ("杭州", 2.0),
            ("南京", 2.0),
            ("苏州", 2.0),
            ("宁波", 1.0),
            ("无锡", 1.0),
            ("合肥", 1.0),
            ("福州", 1.0),
        ),
    ),
    (
        "华南",
        (
            ("广州", 3.0),
            ("深圳", 3.0),
            ("厦门", 1.0),
            ("东莞", 1.0),
            ("佛山", 1.0),
            ("南宁", 1.0),
            ("海口", 0.5),
        ),
    ),
    (
        "华北",
        (
            ("北京", 3.0),
            ("天津", 2.0),
            ("济南", 1.0),
            ("青岛", 1.0),
            ("石家庄", 1.0),
            ("太原", 1.0),
            ("呼和浩特", 0.5),
        ),
    ),
    ("华中", (("武汉", 2.0), ("长沙", 2.0), ("郑州", 2.0), ("南昌", 1.0), ("洛阳", 0.5))),
    ("西南", (("成都", 2.5), ("重庆", 2.5), ("昆明", 1.0), ("贵阳", 1.0))),
    ("西北", (("西安", 2.0), ("兰州", 1.0), ("乌鲁木齐", 1.0), ("银川", 0.5), ("西宁", 0.5))),
    ("东北", (("沈阳", 1.5), ("哈尔滨", 1.5), ("大连", 1.0), ("长春", 1.0))),
)

CHAIN_BRANDS: Final = ("禾风小馆", "鲜悦厨房", "面面俱到", "椒语川菜", "粥到", "茶里时光")


@dataclass(frozen=True)
class ChainShape:
    """How the chain is laid out (all simulation choices; see the module docstring)."""

    brands: tuple[str, ...] = CHAIN_BRANDS
    size_alpha: float = 2.0
    size_cap: float = 40.0

    def __post_init__(self) -> None:
        if not self.brands or len(set(self.brands)) != len(self.brands):
            raise ValueError("brands must be non-empty and distinct")
        if self.size_alpha <= 1.0:
            raise ValueError(f"size_alpha must be > 1 (finite mean), got {self.size_alpha}")
        if self.size_cap <= 1.0:
            raise ValueError(f"size_cap must be > 1, got {self.size_cap}")


def store_id(number: int, count: int) -> str:
    """``S`` + the number padded to the width of ``count`` (at least 3 digits)."""
    return f"S{number:0{max(3, len(str(count)))}d}"


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of ``total`` by ``weights`` (exact, deterministic)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def build_chain(
    count: int,
    seed: int,
    shape: ChainShape,
    csat_range: tuple[float, float],
    open_hour: int,
    close_hour: int,
) -> tuple[StoreSpec, ...]:
    """Deterministic chain of ``count`` stores (same arguments -> same stores)."""
    if not 1 <= count <= MAX_CHAIN_STORES:
        raise ValueError(f"stores must be in [1, {MAX_CHAIN_STORES}], got {count}")
    rng = random.Random(f"{seed}:chain-topology")
    regions = len(CHAIN_REGIONS)
    per_brand = _apportion(count, [1.0 / (rank + 1) for rank in range(len(shape.brands))])
    placed: list[tuple[int, int, int]] = []  # (brand, region, city) indexes, one per store
    for b, n in enumerate(per_brand):
        # The biggest brand is national; each smaller one keeps to fewer regions (at least 2).
        covered = sorted(rng.sample(range(regions), max(2, regions - b)))
        cities = [(r, c) for r in covered for c in range(len(CHAIN_REGIONS[r][1]))]
        weights = [CHAIN_REGIONS[r][1][c][1] for r, c in cities]
        placed += [(b, r, c) for r, c in rng.choices(cities, weights, k=n)]
    placed.sort()

    raw = [min(rng.paretovariate(shape.size_alpha), shape.size_cap) for _ in range(count)]
    mean = sum(raw) / count
    low, high = csat_range
    return tuple(
        StoreSpec(
            store_id=store_id(i + 1, count),
            brand=shape.brands[b],
            region=CHAIN_REGIONS[r][0],
            city=CHAIN_REGIONS[r][1][c][0],
            baseline_csat=round(rng.uniform(low, high), 3),
            traffic=size / mean,
            open_hour=open_hour,
            close_hour=close_hour,
        )
        for i, ((b, r, c), size) in enumerate(zip(placed, raw, strict=True))
    )
