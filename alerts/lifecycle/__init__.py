"""The alert lifecycle's pure core: dedupe, routing, grouping, silences,
inhibition, escalation and the duty roster, over the ``alerts.ports.AlertStore`` protocol.
No database and no network here: ``Engine`` turns (store, input, clock) into saved records and
outbox items."""

from alerts.lifecycle.config import AlertsConfig
from alerts.lifecycle.engine import (
    AlreadyResolved,
    Engine,
    LifecycleError,
    UnknownAlert,
    UnknownSilence,
)
from alerts.lifecycle.work import Effects

__all__ = [
    "AlertsConfig",
    "AlreadyResolved",
    "Effects",
    "Engine",
    "LifecycleError",
    "UnknownAlert",
    "UnknownSilence",
]
