"""Support cases: open, acknowledge, re-prioritise, escalate, resolve, reopen.

Plain Python over a session and a clock. Every change is an event in the case's history and outbox
messages (the case card update, a line in its thread), committed together; Slack is told after.
The case's first-response clock is bot/sla_clock.py's; who may act, bot/access.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from bot import case_store
from bot.access import Action, People, Standing, allows, escalation_parties, involve, parties_of, standing_of
from bot.case_commands import parse_level
from bot.case_store import NewEvent
from bot.case_vocabulary import CaseStatus, Category, EventKind, ListScope
from bot.clock import Clock
from bot.config import CasesConfig, EscalationConfig
from bot.database import Database
from bot.errors import UserFacingError
from bot.models import Case, CaseEvent, OutboxMessage
from bot.notify import Delivered
from bot.oncall import OnCall
from bot.outbox import Outbox, enqueue
from bot.outbox_kinds import OutboxKind, card_key, card_refresh_key, card_update_key, thread_line_key
from bot.priorities import Priority, parse_priority
from bot.sla_clock import SlaClock


@dataclass(frozen=True)
class NewCase:
    title: str
    priority: str
    description: str | None = None
    customer: str | None = None
    category: str | None = None
    impact: str | None = None
    steps: str | None = None
    origin_channel: str | None = None
    origin_link: str | None = None
    related_case: int | None = None


@dataclass(frozen=True)
class CaseChange:
    """The case after a change, the event that recorded it, and whom it paged (if it did)."""

    case: Case
    event: CaseEvent
    outside_hours: bool = False
    paged: OnCall | None = None


@dataclass(frozen=True)
class CaseDetails:
    case: Case
    events: list[CaseEvent]


def _clean(text: str | None, limit: int = 4000) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text[:limit] or None


class CaseService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        sla: SlaClock,
        outbox: Outbox,
        agents: People,
        config: CasesConfig,
        escalation: EscalationConfig,
    ) -> None:
        self.db = db
        self.clock = clock
        self.sla = sla
        self.outbox = outbox
        self.agents = agents
        self.config = config
        self.escalation = escalation
        outbox.on_sent(OutboxKind.CASE_CARD, self._remember_card)
        for kind in (OutboxKind.BREACH_PAGE, OutboxKind.SLA_LEAD):
            outbox.on_sent(kind, self._refresh_card)

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

    def standing(self, number: int, actor: str) -> Standing:
        """What the actor is to case `number`: agent, paged/escalated to, reporter, or nobody (bot/access.py)."""
        with self.db.transaction() as session:
            case = self._load(session, number)
            assert case.id is not None
            reporter, parties = case.reporter_id, parties_of(session, case.id)
        # Outside the transaction: a user group lookup may call Slack, never while holding the lock.
        return standing_of(self.agents, actor, reporter, parties)

    def require(self, number: int, actor: str, action: Action) -> Standing:
        """The actor's standing on case `number` if it allows `action`; else a polite refusal."""
        who = self.standing(number, actor)
        if not allows(who, action):
            key = "case.error.not_reporter" if action is Action.REOPEN else "case.error.not_allowed"
            raise UserFacingError(key, number=number)
        return who

    # --- queries ------------------------------------------------------------------------------

    def get(self, number: int) -> Case:
        with self.db.transaction() as session:
            return self._load(session, number)

    def details(self, number: int) -> CaseDetails:
        with self.db.transaction() as session:
            case = self._load(session, number)
            assert case.id is not None
            return CaseDetails(case, case_store.events_of(session, case.id))

    def get_by_id(self, case_id: int) -> Case | None:
        with self.db.transaction() as session:
            return session.get(Case, case_id)

    def event(self, event_id: int) -> CaseEvent | None:
        with self.db.transaction() as session:
            return session.get(CaseEvent, event_id)

    def find_by_message(self, channel: str, ts: str) -> Case | None:
        """The case whose card is the message (channel, ts): for replies in its thread."""
        with self.db.transaction() as session:
            return case_store.find_by_message(session, channel, ts)

    def list(self, scope: ListScope, actor: str, *, limit: int = 20) -> Sequence[Case]:
        with self.db.transaction() as session:
            return case_store.list_cases(session, scope, actor, limit=limit)

    # --- changes -----------------------------------------------------------------------------

    def open(self, new: NewCase, reporter: str) -> CaseChange:
        """Open a case: numbered without gaps, posted to the cases channel, paged if high."""
        title = self.validate_title(new.title)
        priority = self.require_priority(new.priority)
        category = self.require_category(new.category)
        now = self.clock.now()
        with self.db.transaction() as session:
            case = Case(
                number=case_store.next_number(session),
                title=title,
                description=_clean(new.description),
                priority=priority,
                status=CaseStatus.OPEN,
                customer=_clean(new.customer, 200),
                category=category,
                impact=_clean(new.impact),
                steps=_clean(new.steps),
                reporter_id=reporter,
                origin_channel=new.origin_channel,
                origin_link=_clean(new.origin_link, 500),
                related_case=new.related_case,
                created_at=now,
                updated_at=now,
            )
            self.sla.start(case)
            session.add(case)
            session.flush()
            assert case.id is not None
            event = self._record(session, case, EventKind.OPENED, reporter, new_value=priority, now=now)
            enqueue(session, kind=OutboxKind.CASE_CARD, key=card_key(case.id), now=now, case_id=case.id)
            paged = self.sla.page(session, case, now, occasion=EventKind.OPENED)
        self._deliver(case)
        return CaseChange(case, event, outside_hours=self.sla.is_outside_hours(case), paged=paged)

    def acknowledge(self, number: int, actor: str, *, via: str = "command") -> CaseChange:
        """An agent, or someone paged for the case, takes it: first response recorded, SLA pings stop."""
        self.require(number, actor, Action.ACKNOWLEDGE)
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True, open_only=True)
            # An escalated case nobody has answered yet can still be taken (and so stop the SLA pings).
            if case.status == CaseStatus.ACKNOWLEDGED or (
                case.status == CaseStatus.ESCALATED and case.first_response_at is not None
            ):
                raise UserFacingError(
                    "case.error.already_acknowledged", number=number, user=case.first_response_by or ""
                )
            old = case.status
            self._first_response(session, case, actor, now)
            event = self._record(
                session, case, EventKind.ACKNOWLEDGED, actor, old_value=old, new_value=case.status, reason=via, now=now
            )
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
            event = self._record(
                session, case, EventKind.FIRST_RESPONSE, actor, old_value=old, new_value=case.status, now=now
            )
        self._deliver(case)
        return CaseChange(case, event)

    def change_priority(self, number: int, priority_word: str, reason: str | None, actor: str) -> CaseChange:
        """Re-prioritise with a reason; the response due time is recomputed from the case's creation."""
        self.require(number, actor, Action.CHANGE_PRIORITY)
        priority = self.require_priority(priority_word)
        reason = _clean(reason, 1000)
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
            event = self._record(session, case, kind, actor, old_value=old, new_value=priority, reason=reason, now=now)
            paged = self.sla.page(session, case, now, occasion=f"event{event.id}")
        self._deliver(case)
        return CaseChange(case, event, paged=paged)

    def escalate(self, number: int, level_word: str, note: str | None, actor: str) -> CaseChange:
        """L1 → L2 (CS Lead) → L3 (engineers, with a ticket); whoever it calls may then act on the case."""
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
            note = _clean(note, 1000)
            event = self._record(
                session, case, EventKind.ESCALATED, actor, old_value=old, new_value=f"L{level}", reason=note, now=now
            )
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
            old = case.status
            if self_resolved:
                self.sla.stop(case)
                case.updated_at = now
            else:
                self._first_response(session, case, actor, now)
            case.status = CaseStatus.RESOLVED
            case.resolved_at = now
            kind = EventKind.SELF_RESOLVED if self_resolved else EventKind.RESOLVED
            event = self._record(
                session, case, kind, actor, old_value=old, new_value=case.status, reason=_clean(note, 1000), now=now
            )
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
            reason = _clean(reason, 1000)
            event = self._record(
                session, case, EventKind.REOPENED, actor, old_value=old, new_value=case.status, reason=reason, now=now
            )
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
        if case.status in (CaseStatus.OPEN, CaseStatus.REOPENED):  # an escalated case stays escalated
            case.status = CaseStatus.ACKNOWLEDGED
        case.updated_at = now

    def _load(self, session: Session, number: int, *, lock: bool = False, open_only: bool = False) -> Case:
        case = case_store.load(session, number, lock=lock)
        if case is None:
            raise UserFacingError("case.error.not_found", number=number)
        if open_only and case.status == CaseStatus.RESOLVED:
            raise UserFacingError("case.error.already_resolved", number=number)
        return case

    def _record(
        self,
        session: Session,
        case: Case,
        kind: EventKind,
        actor: str,
        *,
        now: datetime,
        old_value: str | None = None,
        new_value: str | None = None,
        reason: str | None = None,
    ) -> CaseEvent:
        """Append the event and queue what Slack must show: the card update and a thread line."""
        assert case.id is not None
        event = case_store.append_event(session, NewEvent(case.id, kind, actor, now, old_value, new_value, reason))
        assert event.id is not None
        if kind != EventKind.OPENED:
            payload = {"event_id": event.id}
            line, update_key = thread_line_key(case.id, event.id), card_update_key(case.id, event.id)
            enqueue(session, kind=OutboxKind.CASE_THREAD, key=line, now=now, case_id=case.id, payload=payload)
            enqueue(
                session, kind=OutboxKind.CASE_CARD_UPDATE, key=update_key, now=now, case_id=case.id, payload=payload
            )
        return event

    def _deliver(self, case: Case) -> None:
        """Send what this case has waiting (its card, the new thread line, the update)."""
        assert case.id is not None
        self.outbox.deliver_for_case(case.id)

    def _refresh_card(self, session: Session, message: OutboxMessage, delivered: Delivered) -> Sequence[str]:
        """A breach went out: the card's due time now reads "…超過" instead of "残り…"."""
        key = card_refresh_key(message.dedupe_key)
        enqueue(session, kind=OutboxKind.CASE_CARD_UPDATE, key=key, now=self.clock.now(), case_id=message.case_id)
        return [key]

    @staticmethod
    def _remember_card(session: Session, message: OutboxMessage, delivered: Delivered) -> Sequence[str]:
        """The card was posted: keep its ts so updates and thread lines can find it."""
        session.execute(
            update(Case)
            .where(col(Case.id) == message.case_id)
            .values(message_channel=delivered.channel, message_ts=delivered.ts)
        )
        return []
