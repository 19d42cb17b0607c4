"""Inhibition, with Alertmanager's semantics: a target is inhibited while some *other* open
alert matches a rule's source matchers and has the same values for the ``equal`` labels (a
label missing on both sides counts as equal). As in Alertmanager, an alert that matches both
sides of a rule is not inhibited by another alert that also matches both sides, so two
crises never silence each other.

Open means firing or acknowledged: an acknowledged crisis is still a crisis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from alerts.lifecycle import matchers as m
from alerts.lifecycle.config import InhibitRule
from alerts.model import Alert


@dataclass(frozen=True)
class _Rule:
    source: tuple[m.Compiled, ...]
    target: tuple[m.Compiled, ...]
    equal: tuple[str, ...]

    def key(self, labels: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(labels.get(k, "") for k in self.equal)


# Per rule: equal-label values -> the open sources there, as (fingerprint, matches both sides).
_Sources = dict[tuple[str, ...], list[tuple[str, bool]]]


@dataclass
class InhibitIndex:
    """The open sources of every rule, indexed by their ``equal`` label values, so checking
    each of 10k open alerts is a dictionary lookup rather than a scan of the others."""

    rules: tuple[_Rule, ...]
    sources: list[_Sources] = field(default_factory=list)

    def inhibited_by(self, alert: Alert) -> str | None:
        """The fingerprint of an alert that inhibits ``alert`` (the smallest, for stability)."""
        if alert.state == "resolved":
            return None
        labels = m.label_set(alert)
        found: list[str] = []
        for rule, sources in zip(self.rules, self.sources, strict=True):
            if not m.match_all(rule.target, labels):
                continue
            two_sided = m.match_all(rule.source, labels)
            for fp, src_two_sided in sources.get(rule.key(labels), ()):
                if fp != alert.fingerprint and not (two_sided and src_two_sided):
                    found.append(fp)
        return min(found) if found else None


class Inhibitor:
    def __init__(self, rules: Sequence[InhibitRule]) -> None:
        self.rules = tuple(
            _Rule(
                m.compile_all(r.source_matchers), m.compile_all(r.target_matchers), tuple(r.equal)
            )
            for r in rules
        )

    def is_source(self, labels: Mapping[str, str]) -> bool:
        """Could this alert inhibit anything? (Only then do its changes touch other alerts.)"""
        return any(m.match_all(r.source, labels) for r in self.rules)

    def index(self, open_alerts: Iterable[Alert]) -> InhibitIndex:
        idx = InhibitIndex(self.rules, [{} for _ in self.rules])
        for a in open_alerts:
            if a.state == "resolved":
                continue
            labels = m.label_set(a)
            for rule, sources in zip(self.rules, idx.sources, strict=True):
                if m.match_all(rule.source, labels):
                    both = m.match_all(rule.target, labels)
                    sources.setdefault(rule.key(labels), []).append((a.fingerprint, both))
        return idx
