"""Who is working on an alert (the console's reassign), indexed for the assignee filter; the
text the console's search looks in (``alerts.model.search_text``, filled here for the alerts
already stored); and the index the console's tab counts read (state and silence).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from schemas.mask import mask_text

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as t:
        t.add_column(sa.Column("assignee", sa.String(200), nullable=True))
        t.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        t.create_index("ix_alerts_assignee", ["assignee"])
        t.create_index("ix_alerts_state_silenced_by", ["state", "silenced_by"])
    _fill_search_text()


def _fill_search_text() -> None:
    # The masking rules live in Python, so the text is computed here, a batch at a time, as
    # alerts.model.search_text computes it (copied: a migration must not change with the model).
    alerts = sa.table(
        "alerts",
        sa.column("fingerprint", sa.String),
        sa.column("rule", sa.String),
        sa.column("summary_zh", sa.Text),
        sa.column("summary_en", sa.Text),
        sa.column("search_text", sa.Text),
    )
    bind = op.get_bind()
    last = ""
    while True:
        rows = bind.execute(
            sa.select(alerts.c.fingerprint, alerts.c.rule, alerts.c.summary_zh, alerts.c.summary_en)
            .where(alerts.c.fingerprint > last)
            .order_by(alerts.c.fingerprint)
            .limit(1000)
        ).all()
        if not rows:
            return
        for fp, rule, zh, en in rows:
            text = "\n".join((mask_text(zh), mask_text(en), rule)).lower()
            bind.execute(alerts.update().where(alerts.c.fingerprint == fp).values(search_text=text))
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("alerts") as t:
        t.drop_index("ix_alerts_state_silenced_by")
        t.drop_index("ix_alerts_assignee")
        t.drop_column("search_text")
        t.drop_column("assignee")
