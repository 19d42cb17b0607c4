"""Caps on the distinct values of each metric label that comes from event text.

Brand, region, city, survey channel and store id arrive as free text from upstream systems: a
typo, a test feed or a hostile producer can send thousands of distinct values, and each one would
become a Prometheus series (and a row in every rollup). A ``LabelCap`` lets the first ``limit``
distinct values of its label through and answers ``OTHER`` for every later one, counting each such
observation on ``cxpulse_label_overflow_total{label}``. First come keeps its series: the outcome
depends only on the order of the events, and a value never moves between its own series and
``other`` within one process.
"""

from __future__ import annotations

from typing import Annotated

from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict, Field

OTHER = "other"

Cap = Annotated[int, Field(ge=1, le=1_000_000)]


class LabelCapsConfig(BaseModel):
    """Distinct values kept per label. The defaults fit a chain of 10,000 stores (the largest
    deployment the product is sized for), with headroom; raise one when ``label_overflow`` counts
    legitimate values."""

    model_config = ConfigDict(extra="forbid")

    # Every store of a 10,000-store chain, plus a fifth for openings, moves and test stores.
    store_id: Cap = 12_000
    # A restaurant or retail group runs a handful to a few dozen brands under one roof.
    brand: Cap = 50
    # Regions are provinces (China has 34 provincial-level divisions) or the chain's own sales
    # regions; either fits in 100.
    region: Cap = 100
    # China has 333 prefecture-level divisions; a chain that labels stores by prefecture-level
    # city needs at most that many. A chain labelling by county-level town must raise this.
    city: Cap = 500
    # Survey channels: QR code, app, mini-program, SMS, e-mail, phone, kiosk ... a dozen at most.
    channel: Cap = 12
    # Years a calendar's holiday data lacks: only the edges of its coverage, a few at a time.
    year: Cap = 10


class LabelCap:
    """The first ``limit`` distinct values of one label keep their own series; every later
    value maps to ``OTHER`` and counts one overflow per observation."""

    def __init__(self, label: str, limit: int, overflow: Counter) -> None:
        if limit < 1:
            raise ValueError(f"the cap of label {label!r} must be at least 1, got {limit}")
        self.label = label
        self.limit = limit
        self._seen: set[str] = set()
        self._overflow = overflow.labels(label)  # exists (at 0) before the first overflow

    def keeps(self, value: str) -> bool:
        """True when ``value`` has (or now gets) a series of its own; False counts an overflow.
        Gauges use this directly: an ``other`` gauge would show whichever value wrote last."""
        if value in self._seen:
            return True
        if len(self._seen) < self.limit:
            self._seen.add(value)
            return True
        self._overflow.inc()
        return False

    def __call__(self, value: str) -> str:
        """The label value to export for ``value``."""
        return value if self.keeps(value) else OTHER


def label_caps(config: LabelCapsConfig, overflow: Counter) -> dict[str, LabelCap]:
    """One cap per configured label, all counting on the same overflow counter."""
    return {name: LabelCap(name, limit, overflow) for name, limit in config.model_dump().items()}
