"""Threshold alerts that do not flap: fire on `bad`, resolve only on `good`, hold in between."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Transition = Literal["fire", "resolve"] | None


@dataclass(frozen=True)
class Change:
    transition: Literal["fire", "resolve"]
    since: float  # when the alert started firing (event time)


def step(firing_since: float | None, bad: bool, good: bool, now: float) -> Change | None:
    """One evaluation. `firing_since` is None when the alert is not firing.

    `bad` and `good` must not both be true; between them (neither) the alert keeps its state.
    """
    if firing_since is None and bad:
        return Change("fire", now)
    if firing_since is not None and good:
        return Change("resolve", firing_since)
    return None


def record(firing: dict[str, float], key: str, change: Change) -> None:
    """Keep a change in a state's ``{alert key: firing since}`` map."""
    if change.transition == "fire":
        firing[key] = change.since
    else:
        firing.pop(key, None)
