"""The alert lifecycle's records, shared by the pure engine (``alerts.lifecycle``), the
database (``alerts.db``), the outbox, the HTTP API and the CLI.

Plain dataclasses on purpose: the engine is a functional core (records + alert event + clock ->
new records + effects) that needs neither a database nor a network; the persistence layer maps
these records to SQLAlchemy rows and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from schemas.alerts import Severity
from schemas.mask import mask_text

# firing -> acknowledged -> resolved. "Silenced" and "inhibited" are not states but flags:
# a silenced or inhibited alert is still firing (and visible), it just does not page.
AlertState = Literal["firing", "acknowledged", "resolved"]

# One line of an alert's audit trail.
Action = Literal[
    "fired",  # first seen firing (or firing again after it had resolved)
    "refired",  # the streams re-sent firing for an alert already open: count/last_seen only
    "acknowledged",
    "ack_expired",  # ack-until timeout passed while still firing: re-armed, the chain restarts
    "resolved",  # by the streams (condition cleared) or by a person
    "silenced",
    "unsilenced",
    "inhibited",
    "uninhibited",
    "escalated",  # an escalation step ran (detail: step number, target)
    "notified",  # a notification was queued in the outbox (detail: receiver, key)
    "commented",
    "assigned",  # a person took or handed over the alert (detail: the new assignee, or none)
    "escalate_requested",  # a person asked for the next escalation step now
]

MatchOp = Literal["=", "!=", "=~", "!~"]  # Alertmanager's matcher operators


@dataclass
class Alert:
    """One alert, identified by its fingerprint (rule + identifying labels)."""

    fingerprint: str
    rule: str
    kind: str
    severity: Severity
    labels: dict[str, str]
    summary_zh: str
    summary_en: str
    starts_at: datetime  # when the condition began (event time)
    last_seen: datetime  # event time of the latest alert event for it
    state: AlertState = "firing"
    values: dict[str, float] = field(default_factory=dict)
    count: int = 1  # alert events received for this episode (dedupe: no new page)
    ends_at: datetime | None = None
    acked_by: str | None = None
    acked_at: datetime | None = None
    ack_until: datetime | None = None  # ack expires at this time if still firing (re-arm)
    resolved_by: str | None = None  # "streams" or a person
    silenced_by: str | None = None  # silence id while a silence matches
    inhibited_by: str | None = None  # fingerprint of the inhibiting alert (e.g. the crisis)
    escalation_step: int = 0  # chain steps already run in this episode
    next_escalation_at: datetime | None = None
    last_event_id: str | None = None  # alert_event_id last applied (idempotent re-delivery)
    updated_at: datetime | None = None  # wall-clock time of the last change
    # Bumped by every save: a save of a record read at another version is refused
    # (``ports.ConcurrentUpdate``), so two replicas or two people cannot both "win". 0 = not
    # read from the store: saved unconditionally.
    version: int = 0
    # The latest alert event's evidence (``schemas.alerts.Evidence`` as JSON): the triggering
    # events and, for SLA alerts, the complaint's timeline. None from workers that send none.
    evidence: dict[str, Any] | None = None
    # Who is working on it (a login); set by a person, kept across re-fires of the episode.
    assignee: str | None = None


# The console's tabs: an alert is in exactly one. A silenced alert is shown under "silenced"
# whatever its state, since nobody is paged for it.
# The console lists what is open most severe first.
SEVERITY_RANK: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}
Tab = Literal["firing", "acknowledged", "silenced", "resolved"]
TABS: tuple[Tab, ...] = ("firing", "acknowledged", "silenced", "resolved")
# The tabs the console counts. Resolved alerts are kept for ever: counting them on every list
# refresh would cost more each month, and nobody acts on that number.
OPEN_TABS: tuple[Tab, ...] = ("firing", "acknowledged", "silenced")


@dataclass(frozen=True)
class AlertQuery:
    """A filtered page of alerts for the console: open ones most severe first, then newest
    first (the resolved tab newest first). Empty filters match all."""

    tab: Tab | None = None
    severity: Severity | None = None
    labels: tuple[tuple[str, str], ...] = ()  # exact label values (store_id, region ...)
    rule: str | None = None
    assignee: str | None = None
    # A substring of the masked summaries or the rule (case ignored), or a fingerprint's start.
    text: str | None = None
    limit: int = 50
    offset: int = 0


def search_text(a: Alert) -> str:
    """What the console's text search looks in, stored with the alert: both summaries masked
    (so a phone number cannot be confirmed by searching for it) and the rule, lower-cased
    once here so the database compares one column with a plain LIKE."""
    return "\n".join((mask_text(a.summary_zh), mask_text(a.summary_en), a.rule)).lower()


def tab_of(a: Alert) -> Tab:
    if a.state == "resolved":
        return "resolved"
    return "silenced" if a.silenced_by else a.state


def matches(q: AlertQuery, a: Alert, *, tab: bool = True) -> bool:
    """``q``'s filters in memory, as ``alerts.db.search`` applies them in SQL (``tab=False``:
    every filter but the tab, for counting the tabs)."""
    if tab and q.tab is not None and tab_of(a) != q.tab:
        return False
    if q.severity is not None and a.severity != q.severity:
        return False
    if (q.rule and a.rule != q.rule) or (q.assignee and a.assignee != q.assignee):
        return False
    if any(a.labels.get(k) != v for k, v in q.labels):
        return False
    if q.text:
        needle = q.text.strip().lower()
        return a.fingerprint.startswith(needle) or needle in search_text(a)
    return True


def due_at(a: Alert) -> datetime | None:
    """When the timer tick next has work on this alert: its ack expiring or its next escalation
    step. Stored (indexed) with the alert, so a tick reads only the alerts due."""
    if a.state == "resolved":
        return None
    times = [a.next_escalation_at, a.ack_until if a.state == "acknowledged" else None]
    found = [t for t in times if t is not None]
    return min(found) if found else None


@dataclass(frozen=True)
class Change:
    """One audit-trail entry: who did what to which alert, when."""

    fingerprint: str
    at: datetime
    action: Action
    actor: str  # "streams", "escalation", "silence:<id>", or a person's name
    detail: str = ""


@dataclass(frozen=True)
class Matcher:
    name: str
    value: str
    op: MatchOp = "="


@dataclass
class Silence:
    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str = ""
    expired_at: datetime | None = None  # set when deleted early


OutboxState = Literal["pending", "sent", "failed"]


@dataclass
class OutboxItem:
    """A notification stored before it is sent. ``key`` is unique: enqueuing the same key again
    is a no-op, so a restart or a replayed alert event never sends twice."""

    key: str
    receiver: str
    group_key: str
    payload: str  # the Notification as JSON (alerts.outbox encodes/decodes it)
    created_at: datetime
    due_at: datetime  # next attempt not before this (backoff)
    state: OutboxState = "pending"
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    # The dispatcher that claimed it and until when: another replica takes it over only after
    # the lease runs out (its holder died), so two replicas never send the same item.
    lease_owner: str | None = None
    lease_until: datetime | None = None


@dataclass
class Group:
    """An aggregation group (Alertmanager's): the alerts of one receiver sharing the route's
    ``group_by`` label values, flushed after ``group_wait``, then every ``group_interval`` while it
    changes, and every ``repeat_interval`` while it stays the same and still fires."""

    key: str  # route id + receiver + the group_by label values, stable across restarts
    receiver: str
    labels: dict[str, str]  # the group_by labels and their values
    next_flush_at: datetime | None  # None: nothing pending
    last_flush_at: datetime | None = None
    # What the last notification said (sorted "fingerprint:status" pairs, hashed): a flush that
    # would say the same thing again before repeat_interval is skipped.
    last_digest: str | None = None
