"""Where a rule's own-history baseline ends, so an incident never becomes its own normal.

A rule that compares a store with its recent past (``csat_drop``: today against the week
before; ``negative_reach_jump``: this hour against the week before) would otherwise take the
hours it is firing into that past: a long incident lowers the bar until the alert resolves
while the store is still bad, and the resolved page quotes the incident as "usual". While the
alert fires, its baseline stays where it stood when the alert fired; after ``hold`` seconds of
firing it moves again, lagging ``hold`` behind, so a level kept that long is learnt as the
store's new normal and the alert can end.
"""

from __future__ import annotations


def baseline_end(firing_since: float | None, now: float, hold: float) -> float:
    """The time the rule's evidence is taken to end at when it reads its baseline: ``now``
    while the alert is quiet, the firing time while it fires (for at most ``hold``)."""
    if firing_since is None:
        return now
    return min(now, max(firing_since, now - hold))
