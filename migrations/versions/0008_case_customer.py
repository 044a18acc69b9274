"""case customer: the customer a case belongs to, the plan it was opened under and its contract flags

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("customer_id", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("plan", sa.String(length=40), nullable=True))
        table.add_column(sa.Column("plan_flags", sa.String(length=100), nullable=True))
    op.create_index("ix_cases_customer_id", "cases", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_customer_id", table_name="cases")
    with op.batch_alter_table("cases") as table:
        table.drop_column("plan_flags")
        table.drop_column("plan")
        table.drop_column("customer_id")
