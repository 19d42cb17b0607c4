"""Several service replicas on one database: alert versions, the tick's due time, outbox leases,
and an index the open-alert gauges count from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("alerts") as t:
        t.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        t.add_column(sa.Column("due_at", TS, nullable=True))
    with op.batch_alter_table("alerts") as t:
        t.alter_column("version", server_default=None)
    # Existing open alerts: their ack expiry or next escalation step, as alerts.model.due_at.
    op.execute(
        "UPDATE alerts SET due_at = CASE"
        " WHEN state = 'acknowledged' AND ack_until IS NOT NULL"
        "  AND (next_escalation_at IS NULL OR ack_until < next_escalation_at) THEN ack_until"
        " ELSE next_escalation_at END"
        " WHERE state <> 'resolved'"
    )
    op.create_index("ix_alerts_due_at", "alerts", ["due_at"])
    op.create_index("ix_alerts_state_severity", "alerts", ["state", "severity"])
    op.create_index("ix_alert_groups_next_flush_at", "alert_groups", ["next_flush_at"])
    with op.batch_alter_table("outbox") as t:
        t.add_column(sa.Column("lease_owner", sa.String(200), nullable=True))
        t.add_column(sa.Column("lease_until", TS, nullable=True))
    op.create_index("ix_outbox_receiver_state_due_at", "outbox", ["receiver", "state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_receiver_state_due_at", table_name="outbox")
    with op.batch_alter_table("outbox") as t:
        t.drop_column("lease_until")
        t.drop_column("lease_owner")
    op.drop_index("ix_alert_groups_next_flush_at", table_name="alert_groups")
    op.drop_index("ix_alerts_state_severity", table_name="alerts")
    op.drop_index("ix_alerts_due_at", table_name="alerts")
    with op.batch_alter_table("alerts") as t:
        t.drop_column("due_at")
        t.drop_column("version")
