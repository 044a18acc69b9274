"""case people: the assignee (担当者), the reporter's language and the FAQ thread a case came from

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("assignee_id", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        table.add_column(sa.Column("origin_thread_ts", sa.String(length=32), nullable=True))
    op.create_index("ix_cases_assignee_id", "cases", ["assignee_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_assignee_id", table_name="cases")
    with op.batch_alter_table("cases") as table:
        table.drop_column("origin_thread_ts")
        table.drop_column("language")
        table.drop_column("assigned_at")
        table.drop_column("assignee_id")
