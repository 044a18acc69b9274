"""report indexes: the periods reports read (cases, their events, FAQ replies and votes, pages sent)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("cases", "ix_cases_created_at", ["created_at"]),
    ("cases", "ix_cases_due_at", ["due_at"]),
    ("cases", "ix_cases_first_response_at", ["first_response_at"]),
    ("cases", "ix_cases_status", ["status"]),
    ("case_events", "ix_case_events_kind_at", ["kind", "at"]),
    ("faq_replies", "ix_faq_replies_created_at", ["created_at"]),
    ("faq_feedback", "ix_faq_feedback_created_at", ["created_at"]),
    ("outbox", "ix_outbox_kind_sent_at", ["kind", "sent_at"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
