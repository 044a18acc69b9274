"""outbox (kind, created_at): the FAQ answers picked in a period (passed-over answers, `bot.faq_feedback`)

App Home, the reports and `supportbot faq feedback` look up the pick messages of a period among the
FAQ answers the outbox keeps; without this index each look scans every FAQ answer ever queued.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_kind_created_at", "outbox", ["kind", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_kind_created_at", table_name="outbox")
