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


def threshold(
    rule: Rule,
    firing: dict[str, float],
    key: str,
    *,
    bad: bool,
    good: bool,
    now: float,
    identity: dict[str, str],
    labels: dict[str, str],
    facts: Callable[[], Facts],
    values: Callable[[], dict[str, float]],
    event_id: str | None,
) -> AlertEvent | None:
    """One evaluation of a threshold rule: the alert change it causes, if any. ``firing`` maps
    the rule's key to when it started firing, and is updated in place."""
    key = str(key)  # a plain str: the state's JSON form (orjson) takes no str subclass as a key
    change = hysteresis.step(firing.get(key), bad=bad, good=good, now=now)
    if change is None:
        return None
    hysteresis.record(firing, key, change)
    fire = change.transition == "fire"
    text = rule.texts(fire, facts())
    return alerting.make(
        rule=rule.name,
        kind=rule.kind,
        severity=rule.severity,
        status="firing" if fire else "resolved",
        identity=identity,
        labels=labels,
        since=change.since,
        now=now,
        zh=text.zh,
        en=text.en,
        values=values(),
        source_event_id=event_id,
    )
