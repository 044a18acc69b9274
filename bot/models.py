"""Database tables. Every timestamp is stored and returned as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from bot.case_vocabulary import CaseStatus


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which forgets the zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _text(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(Text, nullable=nullable))


# --- FAQ -------------------------------------------------------------------------------------


class FaqReply(SQLModel, table=True):
    """One row per Slack message the bot has handled: the unique key makes answers happen once."""

    __tablename__ = "faq_replies"
    __table_args__ = (UniqueConstraint("channel", "message_ts", name="uq_faq_replies_message"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    message_ts: str = Field(max_length=32)
    user_id: str | None = Field(default=None, max_length=32)
    question: str | None = _text()
    decision: str = Field(max_length=16)
    entry_id: str | None = Field(default=None, max_length=128)
    score: float = 0.0
    created_at: datetime = _when(index=True)


class UnansweredQuestion(SQLModel, table=True):
    """A question the knowledge base could not answer: the CS team's writing list."""

    __tablename__ = "unanswered_questions"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    user_id: str | None = Field(default=None, max_length=32)
    text: str = _text(nullable=False)
    normalized: str = Field(max_length=255, index=True)
    created_at: datetime = _when(index=True)


class FaqFeedback(SQLModel, table=True):
    """A click on 「解決しました」 or 「解決しない」; one per person and answer, the latest wins."""

    __tablename__ = "faq_feedback"
    __table_args__ = (UniqueConstraint("channel", "message_ts", "user_id", name="uq_faq_feedback_vote"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    message_ts: str = Field(max_length=32)
    entry_id: str = Field(max_length=128, index=True)
    user_id: str = Field(max_length=32)
    helpful: bool
    created_at: datetime = _when(index=True)


class FaqMiss(SQLModel, table=True):
    """A click on 「どれも違う」 under もしかして: none of the candidates was what the person asked."""

    __tablename__ = "faq_misses"
    __table_args__ = (UniqueConstraint("channel", "message_ts", "user_id", name="uq_faq_misses_vote"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    message_ts: str = Field(max_length=32)  # the question's
    user_id: str = Field(max_length=32)
    created_at: datetime = _when(index=True)


class FaqPhrasing(SQLModel, table=True):
    """Another way to ask an entry, taught in Slack (bot/faq_teaching.py): a candidate until confirmed.

    `revision` is the teaching counter's value at the row's last change: replicas apply what changed
    since the revision they have (bot/faq_sync.py)."""

    __tablename__ = "faq_phrasings"
    __table_args__ = (UniqueConstraint("entry_id", "text_key", name="uq_faq_phrasings_text"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=128, index=True)
    text: str = _text(nullable=False)
    text_key: str = Field(max_length=255, index=True)  # bot.faq.gap_key(text): one row per wording
    status: str = Field(max_length=16)
    origin: str = Field(max_length=16)
    asked_by: str | None = Field(default=None, max_length=32)
    channel: str | None = Field(default=None, max_length=32)  # the message it was taught from
    message_ts: str | None = Field(default=None, max_length=32)
    created_by: str = Field(max_length=32)
    created_at: datetime = _when()
    learned_by: str | None = Field(default=None, max_length=32)
    learned_at: datetime | None = _when(nullable=True)
    removed_by: str | None = Field(default=None, max_length=32)
    removed_at: datetime | None = _when(nullable=True)
    exported_at: datetime | None = _when(nullable=True)
    revision: int = Field(default=0, index=True)


class FaqConfirmation(SQLModel, table=True):
    """Someone who confirmed a candidate phrasing (「解決しました」 after picking its entry)."""

    __tablename__ = "faq_confirmations"
    __table_args__ = (UniqueConstraint("phrasing_id", "user_id", name="uq_faq_confirmations_user"),)

    id: int | None = Field(default=None, primary_key=True)
    phrasing_id: int = Field(foreign_key="faq_phrasings.id", index=True)
    user_id: str = Field(max_length=32)
    created_at: datetime = _when()


class FaqDraft(SQLModel, table=True):
    """A new entry written in Slack from a thread's answer: live once an agent approves it."""

    __tablename__ = "faq_drafts"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=128, index=True)
    question: str = _text(nullable=False)
    answer: str = _text(nullable=False)
    category: str = Field(default="", max_length=200)
    escalation: str | None = _text()
    links: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=16)
    channel: str | None = Field(default=None, max_length=32)  # the reply it was written from
    message_ts: str | None = Field(default=None, max_length=32)
    created_by: str = Field(max_length=32)
    created_at: datetime = _when()
    reviewed_by: str | None = Field(default=None, max_length=32)
    reviewed_at: datetime | None = _when(nullable=True)
    removed_by: str | None = Field(default=None, max_length=32)
    removed_at: datetime | None = _when(nullable=True)
    exported_at: datetime | None = _when(nullable=True)
    revision: int = Field(default=0, index=True)


# --- Slack delivery ----------------------------------------------------------------------------


class OutboxMessage(SQLModel, table=True):
    """Something to tell Slack, written in the same transaction as the change it reports.

    `dedupe_key` is unique, so a message is enqueued once however often the cause is seen; the state
    machine (pending → sending → sent, or back to pending/uncertain on failure) makes it sent once.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_kind_sent_at", "kind", "sent_at"),  # reports: pages sent in a period
        Index("ix_outbox_kind_created_at", "kind", "created_at"),  # FAQ answers picked in a period
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)
    case_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _when()
    claimed_at: datetime | None = _when(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=80)
    sent_channel: str | None = Field(default=None, max_length=32)
    sent_ts: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = _when(nullable=True)
    last_error: str | None = _text()
    created_at: datetime = _when()


class SlackEvent(SQLModel, table=True):
    """Event ids already processed, so a redelivered event (any replica) runs once."""

    __tablename__ = "slack_events"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = _when(index=True)


# --- Cases ------------------------------------------------------------------------------------


class Counter(SQLModel, table=True):
    """Gapless sequences: the row lock serialises concurrent case creation."""

    __tablename__ = "counters"

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


class Case(SQLModel, table=True):
    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    title: str = Field(max_length=1000)
    description: str | None = _text()
    priority: str = Field(max_length=8)
    status: str = Field(max_length=16, default=CaseStatus.OPEN, index=True)
    escalation_level: int = 1
    customer: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=40)
    impact: str | None = _text()
    steps: str | None = _text()
    reporter_id: str = Field(max_length=32)
    origin_channel: str | None = Field(default=None, max_length=32)
    origin_link: str | None = Field(default=None, max_length=500)
    related_case: int | None = None
    created_at: datetime = _when(index=True)
    updated_at: datetime = _when()
    due_at: datetime = _when(index=True)
    # The next instant the SLA sweep must look at this case (warning, breach, repeat); NULL once
    # answered or closed, so the sweep reads only what is due through one index.
    sla_check_at: datetime | None = _when(nullable=True, index=True)
    sla_breach_count: int = 0
    first_response_at: datetime | None = _when(nullable=True, index=True)
    first_response_by: str | None = Field(default=None, max_length=32)
    resolved_at: datetime | None = _when(nullable=True)
    message_channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    # Who works on it (担当者): whoever acknowledged it last, or whom an agent assigned it to.
    assignee_id: str | None = Field(default=None, max_length=32, index=True)
    assigned_at: datetime | None = _when(nullable=True)
    # The reporter's language when the flow that opened it had one (an English FAQ question); NULL: the desk's.
    language: str | None = Field(default=None, max_length=8)
    # The FAQ thread where 「解決しない」 was pressed: the reporter is told there (else by DM).
    origin_thread_ts: str | None = Field(default=None, max_length=32)
    # The customer (bot/customers.py) and the plan it was opened under (bot/plans.py): the plan stays
    # with the case, so a later change of the customer's plan does not move its targets.
    customer_id: str | None = Field(default=None, max_length=64, index=True)
    plan: str | None = Field(default=None, max_length=40)
    # What agents must see about the contract (bot.plans.Flag values, space-separated), e.g. 契約期間外.
    plan_flags: str | None = Field(default=None, max_length=100)


class CaseEvent(SQLModel, table=True):
    """Append-only history of a case: who did what, when, from what to what, and why."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_kind_at", "kind", "at"),)  # reports: resolutions, reopenings in a period

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True, foreign_key="cases.id")
    kind: str = Field(max_length=32)
    actor_id: str = Field(max_length=32)
    at: datetime = _when()
    old_value: str | None = Field(default=None, max_length=200)
    new_value: str | None = Field(default=None, max_length=200)
    reason: str | None = _text()


class CaseParty(SQLModel, table=True):
    """Someone the bot paged or escalated a case to (a user or a user group), and as what.

    Written in the same transaction as the page or escalation; bot/access.py lets them act on the case.
    """

    __tablename__ = "case_parties"
    __table_args__ = (UniqueConstraint("case_id", "party_id", "role", name="uq_case_parties"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    party_id: str = Field(max_length=32)
    role: str = Field(max_length=24)
    added_at: datetime = _when()


# --- Customers --------------------------------------------------------------------------------


class Customer(SQLModel, table=True):
    """A customer organisation and its contract (`supportbot customers import`); bot/customers.py."""

    __tablename__ = "customers"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    plan: str | None = Field(default=None, max_length=40)  # a [plans.<id>]; NULL = the default plan
    contract_end: date | None = None  # the last day covered
    notes: str | None = _text()
    # id and name as searches compare them (NFKC, case-folded, without spaces)
    id_key: str = Field(max_length=64, index=True)
    name_key: str = _text(nullable=False)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class CustomerChannel(SQLModel, table=True):
    """A Slack channel of one customer (Slack Connect or internal); the key makes it one customer's."""

    __tablename__ = "customer_channels"

    channel_id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=64, index=True, foreign_key="customers.id")


# --- On-call ----------------------------------------------------------------------------------


class OncallOverride(SQLModel, table=True):
    """Someone covering on-call instead of the rotation; rows are kept for the audit trail."""

    __tablename__ = "oncall_overrides"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)
    starts_at: datetime = _when()
    ends_at: datetime | None = _when(nullable=True)
    created_by: str = Field(max_length=32)
    created_at: datetime = _when()
    cleared_by: str | None = Field(default=None, max_length=32)
    cleared_at: datetime | None = _when(nullable=True)


# --- Intake ------------------------------------------------------------------------------------


class IntakeRequest(SQLModel, table=True):
    """A request Slack was told "OK" about, recorded before the ack (bot/intake.py).

    `request_id` is the request's stable identity, so a request recorded twice (from the spool after
    an outage, by two replicas) is one row, and it becomes one case.
    """

    __tablename__ = "intake"
    __table_args__ = (Index("ix_intake_state_received", "state", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = _when()
    source: str = Field(default="db", max_length=8)  # "db", or "spool" (written while the database was down)
    state: str = Field(default="pending", max_length=16)
    case_id: int | None = Field(default=None)
    attempts: int = 0
    processed_at: datetime | None = _when(nullable=True)
    last_error: str | None = _text()


# --- Reports ----------------------------------------------------------------------------------


class ReportDigest(SQLModel, table=True):
    """One weekly digest: claimed (inserted) once per week covered, whichever replica gets there first.

    The row and the digest's outbox message are written in one transaction, so the digest is queued
    exactly once however many replicas (or restarts) see its time come; the outbox sends it once.
    """

    __tablename__ = "report_digests"

    id: int | None = Field(default=None, primary_key=True)
    period_key: str = Field(max_length=40, unique=True)  # the first local day of the week covered
    since: datetime = _when()
    until: datetime = _when()
    channel: str = Field(max_length=32)
    claimed_at: datetime = _when()
    claimed_by: str = Field(max_length=80)
    outbox_key: str = Field(max_length=200)
