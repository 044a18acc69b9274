"""faq teaching: learned phrasings and who confirmed them, entries written in Slack, 「どれも違う」 misses

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:23:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _who(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length=32), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "faq_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        _who("user_id", nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "message_ts", "user_id", name="uq_faq_misses_vote"),
    )
    op.create_index("ix_faq_misses_created_at", "faq_misses", ["created_at"], unique=False)

    op.create_table(
        "faq_phrasings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        _who("asked_by"),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        _who("created_by", nullable=False),
        _when("created_at"),
        _who("learned_by"),
        _when("learned_at", nullable=True),
        _who("removed_by"),
        _when("removed_at", nullable=True),
        _when("exported_at", nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "text_key", name="uq_faq_phrasings_text"),
    )
    for column in ("entry_id", "text_key", "revision"):
        op.create_index(f"ix_faq_phrasings_{column}", "faq_phrasings", [column], unique=False)

    op.create_table(
        "faq_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrasing_id", sa.Integer(), nullable=False),
        _who("user_id", nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(["phrasing_id"], ["faq_phrasings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phrasing_id", "user_id", name="uq_faq_confirmations_user"),
    )
    op.create_index("ix_faq_confirmations_phrasing_id", "faq_confirmations", ["phrasing_id"], unique=False)

    op.create_table(
        "faq_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=128), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("escalation", sa.Text(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        _who("created_by", nullable=False),
        _when("created_at"),
        _who("reviewed_by"),
        _when("reviewed_at", nullable=True),
        _who("removed_by"),
        _when("removed_at", nullable=True),
        _when("exported_at", nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("entry_id", "revision"):
        op.create_index(f"ix_faq_drafts_{column}", "faq_drafts", [column], unique=False)


def downgrade() -> None:
    op.drop_table("faq_drafts")
    op.drop_table("faq_confirmations")
    op.drop_table("faq_phrasings")
    op.drop_table("faq_misses")
