"""Escalation chains, per alert: after the first (grouped) page, each step waits, then, if the
alert still fires unacknowledged, notifies the next receiver and mentions whoever of the
step's role is on duty. ``repeat`` runs the steps again. Acknowledging or resolving stops the
chain; an acknowledgement that times out while the alert still fires re-arms it, and the
chain starts over with the next page.

State lives on the alert: ``escalation_step`` (steps run in this run of the chain) and
``next_escalation_at`` (when the next one is due; None = no chain running). Due times are
computed from the previous due time, not from when a tick happened to run, so a late or
repeated tick sees the same schedule (and produces the same idempotency keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.lifecycle.config import Chain, Step
from alerts.model import Alert


def total_steps(chain: Chain) -> int:
    return len(chain.steps) * (chain.repeat + 1)


def start(alert: Alert, chain: Chain, paged_at: datetime) -> None:
    """The alert has just been paged (first page, or again after a re-arm)."""
    alert.escalation_step = 0
    alert.next_escalation_at = (
        paged_at + timedelta(seconds=chain.steps[0].wait) if chain.steps else None
    )


def stop(alert: Alert) -> None:
    alert.next_escalation_at = None


@dataclass(frozen=True)
class Due:
    number: int  # 1-based over the whole run, repeats included (Notification.escalation_step)
    step: Step
    due_at: datetime


def due(alert: Alert, chain: Chain, now: datetime) -> Due | None:
    at = alert.next_escalation_at
    if at is None or at > now or alert.escalation_step >= total_steps(chain) or not chain.steps:
        return None
    step = chain.steps[alert.escalation_step % len(chain.steps)]
    return Due(alert.escalation_step + 1, step, at)


def advance(alert: Alert, chain: Chain, ran: Due) -> None:
    alert.escalation_step = ran.number
    if ran.number >= total_steps(chain):
        alert.next_escalation_at = None
        return
    nxt = chain.steps[ran.number % len(chain.steps)]
    alert.next_escalation_at = ran.due_at + timedelta(seconds=nxt.wait)
