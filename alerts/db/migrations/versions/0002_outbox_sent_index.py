"""Index the outbox by receiver and send time (a rate limit's window after a restart).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_receiver_sent_at", "outbox", ["receiver", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_receiver_sent_at", table_name="outbox")
