"""Support cases: open, acknowledge (and so take), assign, re-prioritise, escalate, resolve, reopen.

Plain Python over a session and a clock. Every change is an event in the case's history and outbox
messages (the card update, a line in its thread, what the reporter is told: bot/case_notices.py),
committed together; Slack is told after. The case's first-response clock is bot/sla_clock.py's;
who may act and see, bot/access.py's; the reads, bot/case_reads.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import case_store, pager
from bot.access import Action, Party, People, Role, Standing, allows, escalation_parties, involve
from bot.case_commands import parse_level
from bot.case_inputs import NewCase, OpeningStep, clean_text
from bot.case_notices import record
from bot.case_opening import build_case
from bot.case_reads import CaseDetails, CaseReads
from bot.case_vocabulary import CaseStatus, Category, EventKind
from bot.clock import Clock
from bot.config import CasesConfig, EscalationConfig
from bot.customers import CustomerDirectory, CustomerRecord
from bot.database import Database
from bot.errors import UserFacingError
from bot.identifiers import is_user
from bot.models import Case, CaseEvent, OutboxMessage
from bot.notify import Delivered
from bot.oncall import OnCall
from bot.outbox import Outbox, enqueue
from bot.outbox_kinds import PAGES, OutboxKind, card_key, card_refresh_key
from bot.priorities import Priority, parse_priority
from bot.sla_clock import SlaClock

__all__ = [
    "CaseChange",
    "CaseDetails",
    "CaseService",
    "NewCase",
    "OpeningStep",
]  # bot/case_reads.py's, bot/case_inputs.py's


@dataclass(frozen=True)
class CaseChange:
    """The case after a change, the event that recorded it, and whom it paged (if it did)."""

    case: Case
    event: CaseEvent
    outside_hours: bool = False
    paged: OnCall | None = None
    customer_channel: bool = False  # opened in its customer's channel: told in the customer-facing tone


class CaseService(CaseReads):
    """The cases' changes; what reads them, and who may see and change what, is CaseReads'."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        sla: SlaClock,
        outbox: Outbox,
        agents: People,
        config: CasesConfig,
        escalation: EscalationConfig,
        customers: CustomerDirectory | None = None,
    ) -> None:
        super().__init__(db, agents, customers or CustomerDirectory(db, clock))
        self.clock = clock
        self.sla = sla
        self.outbox = outbox
        self.config = config
        self.escalation = escalation
        outbox.on_sent_many(OutboxKind.CASE_CARD, self._remember_cards)
        for kind in (OutboxKind.BREACH_PAGE, OutboxKind.SLA_LEAD):
            outbox.on_sent(kind, self._refresh_card)
        for kind in PAGES:
            outbox.on_sent(kind, self._page_landed)

    # --- validation ---------------------------------------------------------------------------

    def validate_title(self, title: str | None) -> str:
        cleaned = (title or "").strip()
        if not cleaned:
            raise UserFacingError("case.error.title_empty")
        if len(cleaned) > self.config.title_max_length:
            raise UserFacingError("case.error.title_too_long", limit=self.config.title_max_length, length=len(cleaned))
        return cleaned

    @staticmethod
    def require_priority(word: str | None) -> Priority:
        priority = parse_priority(word or "")
        if priority is None:
            raise UserFacingError("case.error.priority", word=word or "")
        return priority

    @staticmethod
    def require_category(value: str | None) -> Category | None:
        if value is None:
            return None
        try:
            return Category(value)
        except ValueError:
            raise UserFacingError("case.error.category") from None

    # --- changes -----------------------------------------------------------------------------

    def require_customer(self, customer_id: str) -> CustomerRecord:
        found = self.customers.get(customer_id.strip())
        if found is None:
            raise UserFacingError("case.error.customer_unknown", word=customer_id[:64])
        return found

    def find_customers(self, query: str, actor: str, *, limit: int = 100) -> list[CustomerRecord]:
        """The form's customer picker: customers by name or id, for agents (the directory is not for customers)."""
        return self.customers.search(query, limit=limit) if self.agents.is_agent(actor) else []

    def customer_of(self, new: NewCase, reporter: str) -> CustomerRecord | None:
        """The new case's customer: the one an agent picked, else the customer whose channel it is opened in."""
        if new.customer_id and self.agents.is_agent(reporter):
            return self.require_customer(new.customer_id)
        return self.customers.find_by_channel(new.origin_channel) if new.origin_channel else None

    def open(self, new: NewCase, reporter: str, *, step: OpeningStep | None = None) -> CaseChange:
        """Open a case: numbered without gaps, under its customer's plan, posted to the cases channel, paged if high."""
        fields = (
            self.validate_title(new.title),
            self.require_priority(new.priority),
            self.require_category(new.category),
        )
        customer = self.customer_of(new, reporter)
        now = self.clock.now()
        case = build_case(self.sla, new, fields, reporter, customer, now)
        with self.db.transaction() as session:
            if step is not None:
                step.claim(session)
            case.number = case_store.next_number(session)
            session.add(case)
            session.flush()
            assert case.id is not None
            enqueue(session, kind=OutboxKind.CASE_CARD, key=card_key(case.id), now=now, case_id=case.id)
            event = record(session, case, EventKind.OPENED, reporter, case.created_at, new=case.priority)
            paged = self.sla.page(session, case, now, occasion=EventKind.OPENED)
            if step is not None:
                step.opened(session, case, paged)
        self._deliver(case)
        outside = self.sla.is_outside_hours(case)
        theirs = customer is not None and new.origin_channel in customer.channels
        return CaseChange(case, event, outside_hours=outside, paged=paged, customer_channel=theirs)

    def acknowledge(self, number: int, actor: str, *, via: str = "command") -> CaseChange:
        """Take the case (担当者): the first response if there was none, and the SLA pings stop.

        An escalated case is waiting for the level it went to: whoever takes it there acknowledges it
        again (the first response stays the first one). An acknowledged case says who has it since when.
        """
        self.require(number, actor, Action.ACKNOWLEDGE)
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True, open_only=True)
            if case.status == CaseStatus.ACKNOWLEDGED:
                by, since = case.assignee_id or case.first_response_by or "", case.assigned_at or case.first_response_at
                raise UserFacingError("case.error.already_acknowledged", number=number, user=by, at=since)
            old = case.status
            self._first_response(session, case, actor, now)
            case.status = CaseStatus.ACKNOWLEDGED
            self._assign(session, case, actor, now)
            event = record(session, case, EventKind.ACKNOWLEDGED, actor, now, old=old, new=case.status, reason=via)
        self._deliver(case)
        return CaseChange(case, event)

    def record_reply(self, number: int, actor: str) -> CaseChange | None:
        """A reply in the case thread: the first one by someone who may act, not the reporter, is the first response."""
        if not allows(self.standing(number, actor), Action.RESPOND):
            return None
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True)
            if case.first_response_at is not None or actor == case.reporter_id or case.status == CaseStatus.RESOLVED:
                return None
            old = case.status
            self._first_response(session, case, actor, now)
            if case.assignee_id is None:
                self._assign(session, case, actor, now)
            event = record(session, case, EventKind.FIRST_RESPONSE, actor, now, old=old, new=case.status)
        self._deliver(case)
        return CaseChange(case, event)

    def assign(self, number: int, assignee: str, actor: str) -> CaseChange:
        """`/case assign N @someone` (agents) or 「担当する」 (anyone who may act, for themselves): old → new."""
        if not is_user(assignee):
            raise UserFacingError("case.error.assignee")
        self.require(number, actor, Action.TAKE if assignee == actor else Action.ASSIGN)
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True, open_only=True)
            if case.assignee_id == assignee:
                raise UserFacingError("case.error.already_assigned", number=number, user=assignee)
            old = case.assignee_id
            self._assign(session, case, assignee, now)
            event = record(session, case, EventKind.ASSIGNED, actor, now, old=old, new=assignee)
        self._deliver(case)
        return CaseChange(case, event)

    def change_priority(self, number: int, priority_word: str, reason: str | None, actor: str) -> CaseChange:
        """Re-prioritise with a reason; the response due time is recomputed from the case's creation."""
        self.require(number, actor, Action.CHANGE_PRIORITY)
        priority = self.require_priority(priority_word)
        reason = clean_text(reason, 1000)
        if not reason:
            raise UserFacingError("case.error.reason_required")
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True, open_only=True)
            if case.priority == priority:
                raise UserFacingError("case.error.same_priority", number=number, priority=priority)
            old = case.priority
            case.priority = priority
            case.updated_at = now
            self.sla.restart(case)
            kind = EventKind.PRIORITY_CHANGED
            event = record(session, case, kind, actor, now, old=old, new=priority, reason=reason)
            paged = self.sla.page(session, case, now, occasion=f"event{event.id}")
        self._deliver(case)
        return CaseChange(case, event, paged=paged)

    def change_customer(self, number: int, customer_id: str, actor: str) -> CaseChange:
        """`/case customer N id` (agents): the case is that customer's, under their plan now; the due time
        is recomputed from the case's creation, like a priority change."""
        self.require(number, actor, Action.CHANGE_CUSTOMER)
        customer = self.require_customer(customer_id)
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True, open_only=True)
            if case.customer_id == customer.id:
                raise UserFacingError("case.error.same_customer", number=number)
            old = case.customer_id
            case.customer_id, case.customer, case.updated_at = customer.id, customer.name, now
            self.sla.terms(case, customer, now)
            self.sla.restart(case)
            event = record(session, case, EventKind.CUSTOMER_CHANGED, actor, now, old=old, new=customer.id)
        self._deliver(case)
        return CaseChange(case, event)

    def escalate(self, number: int, level_word: str, note: str | None, actor: str) -> CaseChange:
        """L1 → L2 (CS Lead) → L3 (engineers, with a ticket); whoever it calls may then act on the case.

        Escalating is not a response: the first-response clock runs on until someone takes the case.
        """
        self.require(number, actor, Action.ESCALATE)
        level = parse_level(level_word)
        if level is None:
            raise UserFacingError("case.error.level", word=level_word or "")
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True, open_only=True)
            if case.escalation_level >= level:
                raise UserFacingError("case.error.already_at_level", number=number, level=case.escalation_level)
            old = f"L{case.escalation_level}"
            case.escalation_level = level
            case.status = CaseStatus.ESCALATED
            case.updated_at = now
            note = clean_text(note, 1000)
            event = record(session, case, EventKind.ESCALATED, actor, now, old=old, new=f"L{level}", reason=note)
            assert case.id is not None
            involve(session, [(case.id, party) for party in escalation_parties(level, self.escalation)], now)
        self._deliver(case)
        return CaseChange(case, event)

    def resolve(self, number: int, note: str | None, actor: str) -> CaseChange:
        """Resolve; the reporter may resolve their own case, recorded as 自己解決 (not a first response)."""
        self_resolved = self.require(number, actor, Action.RESOLVE) is Standing.REPORTER
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True, open_only=True)
            old, answered = case.status, case.first_response_at is not None
            if not self_resolved:
                self._first_response(session, case, actor, now)
            case.status = CaseStatus.RESOLVED
            case.resolved_at = case.updated_at = now
            kind = EventKind.SELF_RESOLVED if self_resolved else EventKind.RESOLVED
            note = clean_text(note, 1000)
            event = record(session, case, kind, actor, now, old=old, new=case.status, reason=note)
            if answered or self_resolved:  # else the first response just now edited the pages already
                self.sla.closed(session, case, now, f"event{event.id}")
        self._deliver(case)
        return CaseChange(case, event)

    def reopen(self, number: int, reason: str | None, actor: str) -> CaseChange:
        """The reporter (or anyone who may act on the case) reopens within the window; later, a new case is the way."""
        self.require(number, actor, Action.REOPEN)
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True)
            if case.status != CaseStatus.RESOLVED or case.resolved_at is None:
                raise UserFacingError("case.error.not_resolved", number=number)
            if now - case.resolved_at > self.config.reopen_window:
                raise UserFacingError("case.error.reopen_window", number=number, days=self.config.reopen_window.days)
            old = case.status
            case.status = CaseStatus.REOPENED
            case.resolved_at = None
            case.updated_at = now
            reason = clean_text(reason, 1000)
            event = record(session, case, EventKind.REOPENED, actor, now, old=old, new=case.status, reason=reason)
        self._deliver(case)
        return CaseChange(case, event)

    # --- internals -------------------------------------------------------------------------------

    def _first_response(self, session: Session, case: Case, actor: str, now: datetime) -> None:
        """Someone who may act answered: the first time, it is the first response and stops the SLA clock."""
        if case.first_response_at is None:
            case.first_response_at = now
            case.first_response_by = actor
            self.sla.answered(session, case)
        else:
            self.sla.stop(case)
        if case.status in (CaseStatus.OPEN, CaseStatus.REOPENED):  # an escalated case waits to be taken
            case.status = CaseStatus.ACKNOWLEDGED
        case.updated_at = now

    @staticmethod
    def _assign(session: Session, case: Case, assignee: str, now: datetime) -> None:
        """The case is `assignee`'s now (担当者): a party to it, who may act on it."""
        assert case.id is not None
        case.assignee_id, case.assigned_at, case.updated_at = assignee, now, now
        involve(session, [(case.id, Party(assignee, Role.ASSIGNEE))], now)

    def _deliver(self, case: Case) -> None:
        """Send what this case has waiting (its card, the new thread line, the update)."""
        assert case.id is not None
        self.outbox.deliver_for_case(case.id)

    def _refresh_card(self, session: Session, message: OutboxMessage, delivered: Delivered) -> Sequence[str]:
        """A breach went out: the card's due time now reads "…超過" instead of "残り…"."""
        key = card_refresh_key(message.dedupe_key)
        enqueue(session, kind=OutboxKind.CASE_CARD_UPDATE, key=key, now=self.clock.now(), case_id=message.case_id)
        return [key]

    def _page_landed(self, session: Session, message: OutboxMessage, delivered: Delivered) -> Sequence[str]:
        """A page or DM landed: if the case was answered while it was on its way, it is edited at once."""
        return pager.Pager.after_sent(session, message, self.clock.now())

    @staticmethod
    def _remember_cards(session: Session, landed: list[tuple[OutboxMessage, Delivered]]) -> None:
        """The cards were posted: keep their ts so updates and thread lines can find them (one statement)."""
        case_store.remember_cards(session, [(m.case_id, d.channel, d.ts) for m, d in landed if m.case_id is not None])
