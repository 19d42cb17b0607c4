"""Silences: matchers plus a time window. A silenced alert still fires and is still shown; it
just does not page. Unlike Alertmanager, its resolution is still announced (see grouping)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from alerts.lifecycle import matchers as m
from alerts.model import Matcher, Silence


def new_id(matchers: Sequence[Matcher], starts_at: datetime, ends_at: datetime, by: str) -> str:
    """Derived from the content, so a retried request creates the same silence, not a second."""
    canon = "\x1f".join(
        [*(m.render(x) for x in matchers), starts_at.isoformat(), ends_at.isoformat(), by]
    )
    return hashlib.sha256(canon.encode()).hexdigest()[:12]


def is_active(s: Silence, now: datetime) -> bool:
    return s.starts_at <= now < s.ends_at and (s.expired_at is None or now < s.expired_at)


@dataclass(frozen=True)
class ActiveSilences:
    """The silences active at one instant, compiled once for matching many alerts."""

    compiled: tuple[tuple[str, tuple[m.Compiled, ...]], ...]

    @classmethod
    def of(cls, silences: Iterable[Silence], now: datetime) -> ActiveSilences:
        # Sorted by id so the same alert always names the same silence when several match.
        active = sorted((s for s in silences if is_active(s, now)), key=lambda s: s.id)
        return cls(tuple((s.id, m.compile_all(s.matchers)) for s in active if s.matchers))

    def silenced_by(self, labels: Mapping[str, str]) -> str | None:
        for sid, compiled in self.compiled:
            if m.match_all(compiled, labels):
                return sid
        return None
