"""What a rollup rule reads when it judges one entity at one step: the window's sums, its parts
(a rule must still hold without the worst one: one bad store is its own store's page, one bad
city its city's, not the region's), the baselines, and the worst stores to name."""

from __future__ import annotations

from dataclasses import dataclass

LEVEL_ZH = {"brand": "品牌", "region": "区域", "city": "城市"}
LEVEL_EN = {"brand": "Brand", "region": "Region", "city": "City"}


@dataclass(frozen=True, slots=True)
class Member:
    store_id: str
    satisfied: int
    ratings: int
    negatives: int

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(self, store_id: str, satisfied: int, ratings: int, negatives: int) -> None:
        object.__setattr__(self, "store_id", store_id)
        object.__setattr__(self, "satisfied", satisfied)
        object.__setattr__(self, "ratings", ratings)
        object.__setattr__(self, "negatives", negatives)

    @property
    def unsatisfied(self) -> int:
        return self.ratings - self.satisfied


@dataclass(frozen=True, slots=True)
class EntityView:
    level: str
    name: str
    window: float
    satisfied: int
    ratings: int
    negatives: int
    members: tuple[Member, ...]  # the stores with events in the window
    # What one failing part must not explain on its own: the entity's regions (a brand) or
    # cities (a region) when it has two or more, else its stores.
    parts: tuple[Member, ...]
    baseline_satisfied: int  # the baseline days, hours of its own alerts left out
    baseline_ratings: int
    expected_negatives: float | None  # the same clock window's mean over the baseline days
    baseline_days: int  # baseline days the entity was seen on (at its window's time of day)

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        level: str,
        name: str,
        window: float,
        satisfied: int,
        ratings: int,
        negatives: int,
        members: tuple[Member, ...],
        parts: tuple[Member, ...],
        baseline_satisfied: int,
        baseline_ratings: int,
        expected_negatives: float | None,
        baseline_days: int,
    ) -> None:
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "window", window)
        object.__setattr__(self, "satisfied", satisfied)
        object.__setattr__(self, "ratings", ratings)
        object.__setattr__(self, "negatives", negatives)
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "baseline_satisfied", baseline_satisfied)
        object.__setattr__(self, "baseline_ratings", baseline_ratings)
        object.__setattr__(self, "expected_negatives", expected_negatives)
        object.__setattr__(self, "baseline_days", baseline_days)

    @property
    def csat(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None

    @property
    def baseline_csat(self) -> float | None:
        return self.baseline_satisfied / self.baseline_ratings if self.baseline_ratings else None

    def without(self, store: Member | None) -> tuple[int, int, int]:
        """(satisfied, ratings, negatives) of the window without ``store``."""
        if store is None:
            return self.satisfied, self.ratings, self.negatives
        return (
            self.satisfied - store.satisfied,
            self.ratings - store.ratings,
            self.negatives - store.negatives,
        )

    def most_unsatisfied(self) -> Member | None:
        return max(self.parts, key=lambda m: (m.unsatisfied, m.store_id), default=None)

    def most_negative(self) -> Member | None:
        return max(self.parts, key=lambda m: (m.negatives, m.store_id), default=None)

    def worst_by_csat(self, n: int) -> list[str]:
        """The ``n`` stores with the lowest CSAT in the window (those with 3 ratings or more,
        most unsatisfied first among equals), as ``S012 31%``."""
        rated = [m for m in self.members if m.ratings >= 3]
        rated.sort(key=lambda m: (m.satisfied / m.ratings, -m.unsatisfied, m.store_id))
        return [f"{m.store_id} {m.satisfied / m.ratings:.0%}" for m in rated[:n]]

    def worst_by_negatives(self, n: int) -> list[tuple[str, int]]:
        hit = [m for m in self.members if m.negatives]
        hit.sort(key=lambda m: (-m.negatives, m.store_id))
        return [(m.store_id, m.negatives) for m in hit[:n]]

    def place(self) -> dict[str, str | float]:
        """The facts every rollup page opens with: which entity, over how many minutes."""
        return {
            "where_zh": f"{LEVEL_ZH[self.level]} {self.name}",
            "where_en": f"{LEVEL_EN[self.level]} {self.name}",
            "minutes": self.window / 60,
        }


def worst_named(worst: list[str]) -> tuple[str, str]:
    """The end of a page that names the worst stores, in Chinese and English ("" for none)."""
    if not worst:
        return "", ""
    return f"；最差门店：{'、'.join(worst)}", f"; worst stores: {', '.join(worst)}"
