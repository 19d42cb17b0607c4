"""The latest evidence of each alert (the alert event's ``evidence`` field, as JSON).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("alerts") as t:
        t.add_column(sa.Column("evidence", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as t:
        t.drop_column("evidence")
