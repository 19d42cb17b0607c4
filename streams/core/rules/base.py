"""What every rule shares: its card (name, kind, severity, texts) and the threshold skeleton.

Most rules are thresholds with hysteresis: fire when clearly bad, resolve only when clearly
good, hold in between (``hysteresis``). ``threshold`` is that skeleton once, so a rule module
holds only what is its own: the figures it compares and the words it uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from schemas.alerts import AlertEvent, RuleName, Severity, Summary
from streams.core import alerting, hysteresis
from streams.core.signals.tiers import ByKind

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    name: RuleName
    kind: str  # satisfaction | word_of_mouth | crisis | coaching | calls | sla
    severity: Severity  # when it fires (a crisis may rise to critical while open)
    about: Summary  # what it watches, one line per language (README, console)
    texts: Callable[[bool, Facts], Summary]  # (firing?, facts) -> what the page says
    example: Facts  # facts enough to render both texts (tests, docs)

    def summary(self, firing: bool, facts: Facts) -> Summary:
        return self.texts(firing, facts)

    def page(
        self,
        firing: bool,
        facts: Facts,
        *,
        identity: dict[str, str],
        since: float,
        now: float,
        values: dict[str, float],
        labels: dict[str, str] | None = None,
        source_event_id: str | None = None,
    ) -> AlertEvent:
        """The alert event of a change of this rule: fired or resolved, in its own words."""
        text = self.texts(firing, facts)
        return alerting.make(
            rule=self.name,
            kind=self.kind,
            severity=self.severity,
            status="firing" if firing else "resolved",
            identity=identity,
            labels=labels,
            since=since,
            now=now,
            zh=text.zh,
            en=text.en,
            values=values,
            source_event_id=source_event_id,
        )


@dataclass(frozen=True, slots=True)
class Store:
    """What a store rule reads at one evaluation: the store's counters and its firing map
    (``{alert key: firing since}``, updated in place), who it is, and when it is evaluated."""

    stats: ByKind
    firing: dict[str, float]
    store_id: str
    labels: dict[str, str]
    now: float
    event_id: str

    # Written out: compiled, it runs natively (see streams/native.py).
    def __init__(
        self,
        stats: ByKind,
        firing: dict[str, float],
        store_id: str,
        labels: dict[str, str],
        now: float,
        event_id: str,
    ) -> None:
        object.__setattr__(self, "stats", stats)
        object.__setattr__(self, "firing", firing)
        object.__setattr__(self, "store_id", store_id)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "now", now)
        object.__setattr__(self, "event_id", event_id)

    def at(self, now: float) -> Store:
        # Built directly: ``dataclasses.replace`` costs several times more, once per event.
        return Store(self.stats, self.firing, self.store_id, self.labels, now, self.event_id)


def threshold(
    rule: Rule,
    at: Store,
    key: str,
    *,
    bad: bool,
    good: bool,
    facts: Callable[[], Facts],
    values: Callable[[], dict[str, float]],
    identity: dict[str, str] | None = None,
) -> AlertEvent | None:
    """One evaluation of a threshold rule at a store: the alert change it causes, if any.
    ``identity`` defaults to the store alone."""
    firing, now = at.firing, at.now
    key = str(key)  # a plain str: the state's JSON form (orjson) takes no str subclass as a key
    change = hysteresis.step(firing.get(key), bad=bad, good=good, now=now)
    if change is None:
        return None
    hysteresis.record(firing, key, change)
    return rule.page(
        change.transition == "fire",
        facts(),
        identity=identity or {"store_id": at.store_id},
        labels=at.labels,
        since=change.since,
        now=now,
        values=values(),
        source_event_id=at.event_id,
    )
