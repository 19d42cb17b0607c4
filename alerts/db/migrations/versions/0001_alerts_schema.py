"""The alerts schema: alerts (+ their labels), audit trail, silences, groups, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain types, frozen here on purpose: a migration must not change when the models do.
TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("labels", JSON, nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("summary_zh", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("ends_at", TS, nullable=True),
        sa.Column("acked_by", sa.String(200), nullable=True),
        sa.Column("acked_at", TS, nullable=True),
        sa.Column("ack_until", TS, nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.Column("silenced_by", sa.String(200), nullable=True),
        sa.Column("inhibited_by", sa.String(64), nullable=True),
        sa.Column("escalation_step", sa.Integer(), nullable=False),
        sa.Column("next_escalation_at", TS, nullable=True),
        sa.Column("last_event_id", sa.String(200), nullable=True),
        sa.Column("updated_at", TS, nullable=True),
        sa.CheckConstraint(
            "state IN ('firing', 'acknowledged', 'resolved')", name=op.f("ck_alerts_state")
        ),
        sa.CheckConstraint(
            "severity IN ('info', 'warning', 'critical')", name=op.f("ck_alerts_severity")
        ),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_alerts")),
    )
    op.create_index("ix_alerts_last_seen", "alerts", ["last_seen", "fingerprint"])
    op.create_index("ix_alerts_state_last_seen", "alerts", ["state", "last_seen", "fingerprint"])

    op.create_table(
        "alert_labels",
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(
            ["fingerprint"],
            ["alerts.fingerprint"],
            name=op.f("fk_alert_labels_fingerprint_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fingerprint", "name", name=op.f("pk_alert_labels")),
    )
    op.create_index("ix_alert_labels_name_value", "alert_labels", ["name", "value", "fingerprint"])

    op.create_table(
        "alert_changes",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_changes")),
    )
    op.create_index("ix_alert_changes_fingerprint_at", "alert_changes", ["fingerprint", "at", "id"])

    op.create_table(
        "silences",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("matchers", JSON, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("expired_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silences")),
    )
    op.create_index("ix_silences_ends_at", "silences", ["ends_at"])

    op.create_table(
        "alert_groups",
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("receiver", sa.String(200), nullable=False),
        sa.Column("labels", JSON, nullable=False),
        sa.Column("next_flush_at", TS, nullable=True),
        sa.Column("last_flush_at", TS, nullable=True),
        sa.Column("last_digest", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_alert_groups")),
    )

    op.create_table(
        "outbox",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("receiver", sa.String(200), nullable=False),
        sa.Column("group_key", sa.String(500), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        sa.CheckConstraint("state IN ('pending', 'sent', 'failed')", name=op.f("ck_outbox_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    op.create_index("ix_outbox_state_due_at", "outbox", ["state", "due_at"])
    op.create_index("ix_outbox_receiver_created_at", "outbox", ["receiver", "created_at"])


def downgrade() -> None:
    for table in ("outbox", "alert_groups", "silences", "alert_changes", "alert_labels", "alerts"):
        op.drop_table(table)
