"""Who is working on an alert (the console's reassign), indexed for the assignee filter.

Revision ID: 0005c
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005c"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as t:
        t.add_column(sa.Column("assignee", sa.String(200), nullable=True))
        t.create_index("ix_alerts_assignee", ["assignee"])


def downgrade() -> None:
    with op.batch_alter_table("alerts") as t:
        t.drop_index("ix_alerts_assignee")
        t.drop_column("assignee")
