"""The rule book: every alert the stream raises, one module per rule, one registry.

A rule module holds its card (``base.Rule``: name, kind, severity, what it watches, the words
of its pages when firing and when resolved) and its evaluation. ``REGISTRY`` is what metrics,
docs and routing validation read; a test holds it against the README's rule table.
"""

from __future__ import annotations

from schemas.alerts import RuleName
from streams.core.rules import (
    call_abandonment_high,
    call_service_level_low,
    crisis,
    csat_drop,
    csat_low,
    negative_reach_high,
    negative_reach_jump,
    negative_spike,
    rollup_csat_drop,
    rollup_csat_low,
    rollup_negative_spike,
    sla_breach,
    sla_warning,
    special_customer_complaint,
    taboo_phrase,
)
from streams.core.rules.base import Rule

REGISTRY: dict[RuleName, Rule] = {
    m.RULE.name: m.RULE
    for m in (
        csat_low,
        csat_drop,
        negative_reach_high,
        negative_reach_jump,
        negative_spike,
        crisis,
        taboo_phrase,
        call_abandonment_high,
        call_service_level_low,
        sla_warning,
        sla_breach,
        special_customer_complaint,
        rollup_csat_low,
        rollup_csat_drop,
        rollup_negative_spike,
    )
}

__all__ = ["REGISTRY", "Rule"]
