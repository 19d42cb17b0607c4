"""The alert lifecycle's tables (SQLAlchemy 2 typed declarative models).

The rows mirror ``alerts.model``; ``alerts.db.store`` converts between the two. The migrations
under ``alerts/db/migrations`` must produce exactly this schema (a test compares them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware in and out, stored in UTC. SQLite keeps no offset (it stores text), so
    every value is converted to UTC on the way in and tagged UTC on the way out; a naive
    datetime is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: alerts.db stores aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSONB on PostgreSQL: binary, compact, and indexable later if a filter needs it.
Json = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# Named constraints, so that later migrations (SQLite batch mode included) can address them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: Json}


class AlertRow(Base):
    __tablename__ = "alerts"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    labels: Mapped[dict[str, Any]]
    values: Mapped[dict[str, Any]]
    summary_zh: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    last_seen: Mapped[datetime]
    count: Mapped[int]
    ends_at: Mapped[datetime | None]
    acked_by: Mapped[str | None] = mapped_column(String(200))
    acked_at: Mapped[datetime | None]
    ack_until: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    silenced_by: Mapped[str | None] = mapped_column(String(200))
    inhibited_by: Mapped[str | None] = mapped_column(String(64))
    escalation_step: Mapped[int]
    next_escalation_at: Mapped[datetime | None]
    last_event_id: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime | None]
    version: Mapped[int]
    due_at: Mapped[datetime | None]  # alerts.model.due_at: what the timer tick reads
    evidence: Mapped[dict[str, Any] | None]  # schemas.alerts.Evidence as JSON, the latest
    assignee: Mapped[str | None] = mapped_column(String(200))
    search_text: Mapped[str | None] = mapped_column(Text)  # alerts.model.search_text

    __table_args__ = (
        CheckConstraint("state IN ('firing', 'acknowledged', 'resolved')", name="state"),
        Index("ix_alerts_due_at", "due_at"),
        # The open-alert gauges after every tick: counted from the index alone.
        Index("ix_alerts_state_severity", "state", "severity"),
        CheckConstraint("severity IN ('info', 'warning', 'critical')", name="severity"),
        # Listing is newest first; the fingerprint breaks ties so that paging is stable.
        Index("ix_alerts_last_seen", "last_seen", "fingerprint"),
        Index("ix_alerts_state_last_seen", "state", "last_seen", "fingerprint"),
        Index("ix_alerts_assignee", "assignee"),
        # The console's tab counts (firing / acknowledged / silenced): from the index alone.
        Index("ix_alerts_state_silenced_by", "state", "silenced_by"),
    )


class AlertLabelRow(Base):
    """One row per label of an alert: filtering 10k alerts by ``store_id`` is an index lookup on
    both backends, where a filter inside the JSON column would scan every alert."""

    __tablename__ = "alert_labels"

    fingerprint: Mapped[str] = mapped_column(
        String(64), ForeignKey("alerts.fingerprint", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))

    __table_args__ = (Index("ix_alert_labels_name_value", "name", "value", "fingerprint"),)


class ChangeRow(Base):
    """The audit trail: append-only, and kept even if the alert row is ever purged."""

    __tablename__ = "alert_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_alert_changes_fingerprint_at", "fingerprint", "at", "id"),)


class SilenceRow(Base):
    __tablename__ = "silences"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    matchers: Mapped[list[dict[str, str]]] = mapped_column(Json)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    expired_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_silences_ends_at", "ends_at"),)


class GroupRow(Base):
    __tablename__ = "alert_groups"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    receiver: Mapped[str] = mapped_column(String(200))
    labels: Mapped[dict[str, Any]]
    next_flush_at: Mapped[datetime | None]
    last_flush_at: Mapped[datetime | None]
    last_digest: Mapped[str | None] = mapped_column(Text)  # the group's member list: unbounded

    __table_args__ = (Index("ix_alert_groups_next_flush_at", "next_flush_at"),)


class OutboxRow(Base):
    __tablename__ = "outbox"

    # A sequence for a stable "oldest first"; the key is what makes enqueueing idempotent.
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)
    receiver: Mapped[str] = mapped_column(String(200))
    group_key: Mapped[str] = mapped_column(String(500))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state"),
        Index("ix_outbox_state_due_at", "state", "due_at"),
        Index("ix_outbox_receiver_state_due_at", "receiver", "state", "due_at"),
        Index("ix_outbox_receiver_created_at", "receiver", "created_at"),
        # A rate limit's window after a restart: the receiver's latest sends.
        Index("ix_outbox_receiver_sent_at", "receiver", "sent_at"),
    )


# --- people: accounts, browser sessions, machine tokens (alerts.auth) ----------------------


class UserRow(Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)  # the login
    display: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("role IN ('viewer', 'duty', 'admin')", name="role"),)


class SessionRow(Base):
    """A signed-in browser. Only the id's SHA-256 is kept: a copy of the table signs no one in."""

    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(
        String(100), ForeignKey("users.name", ondelete="CASCADE")
    )
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # the absolute lifetime; the idle one runs from last_seen
    last_seen: Mapped[datetime]

    __table_args__ = (
        Index("ix_sessions_user_name", "user_name"),
        Index("ix_sessions_expires_at", "expires_at"),
    )


class ApiTokenRow(Base):
    """A machine client's bearer token, kept as the SHA-256 of its 32 random bytes: the token
    itself is shown once when it is made."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)  # the default actor
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
