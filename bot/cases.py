"""Support cases: open, acknowledge, re-prioritise, escalate, resolve, reopen.

Plain Python over a session and a clock. Every change is an append-only `CaseEvent` and outbox
messages (the case card update, a line in its thread), committed together; Slack is told after.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from bot.access import Action, People, Standing, allows, escalation_parties, involve, parties_of, standing_of
from bot.clock import Clock
from bot.config import CasesConfig, EscalationConfig
from bot.database import Database, insert_ignore
from bot.errors import UserFacingError
from bot.models import Case, CaseEvent, Counter, OutboxMessage
from bot.notify import Delivered
from bot.oncall import OnCall
from bot.outbox import Outbox, enqueue
from bot.priorities import Priority, parse_priority
from bot.sla import SlaPolicy

OPEN, ACKNOWLEDGED, ESCALATED, RESOLVED, REOPENED = "open", "acknowledged", "escalated", "resolved", "reopened"
ACTIVE_STATUSES = (OPEN, ACKNOWLEDGED, ESCALATED, REOPENED)
CATEGORIES = ("technical", "billing", "account", "other")

CASE_COUNTER = "case"


def parse_case_number(text: str) -> int | None:
    """ "42" and "#42" (full-width too) → 42."""
    match = re.fullmatch(r"#?(\d{1,9})", unicodedata.normalize("NFKC", text or "").strip())
    return int(match.group(1)) if match else None


class Pager(Protocol):
    def page(self, session: Session, case: Case, now: datetime, *, occasion: str) -> OnCall:
        """Queue the emergency page for a high case, in the caller's transaction; who it calls."""
        ...


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
        sla: SlaPolicy,
        outbox: Outbox,
        agents: People,
        config: CasesConfig,
        escalation: EscalationConfig,
        pager: Pager | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.sla = sla
        self.outbox = outbox
        self.agents = agents
        self.config = config
        self.escalation = escalation
        self.pager = pager
        outbox.on_sent("case.card", self._remember_card)
        for kind in ("sla.breach", "sla.lead"):
            outbox.on_sent(kind, self._refresh_card)

    # --- validation ---------------------------------------------------------------------------

    def validate_title(self, title: str | None) -> str:
        cleaned = (title or "").strip()
        if not cleaned:
            raise UserFacingError("case.error.title_empty")
        if len(cleaned) > self.config.title_max_length:
            raise UserFacingError("case.error.title_too_long", limit=self.config.title_max_length, length=len(cleaned))
        return cleaned

    def require_priority(self, word: str | None) -> Priority:
        priority = parse_priority(word or "")
        if priority is None:
            raise UserFacingError("case.error.priority", word=word or "")
        return priority

    def standing(self, number: int, actor: str) -> Standing:
        """What the actor is to case `number`: agent, paged/escalated to, reporter, or nobody (bot/access.py)."""
        with self.db.transaction() as session:
            case = self._load(session, number)
            reporter = case.reporter_id
            assert case.id is not None
            parties = parties_of(session, case.id)
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
            events = list(
                session.execute(
                    select(CaseEvent).where(col(CaseEvent.case_id) == case.id).order_by(col(CaseEvent.id))
                ).scalars()
            )
            return CaseDetails(case, events)

    def get_by_id(self, case_id: int) -> Case | None:
        with self.db.transaction() as session:
            return session.get(Case, case_id)

    def event(self, event_id: int) -> CaseEvent | None:
        with self.db.transaction() as session:
            return session.get(CaseEvent, event_id)

    def find_by_message(self, channel: str, ts: str) -> Case | None:
        """The case whose card is the message (channel, ts): for replies in its thread."""
        with self.db.transaction() as session:
            return session.execute(
                select(Case).where(col(Case.message_channel) == channel, col(Case.message_ts) == ts)
            ).scalar_one_or_none()

    def list(self, scope: str, actor: str, *, limit: int = 20) -> Sequence[Case]:
        query = select(Case)
        if scope in ("open", "mine"):
            query = query.where(col(Case.status).in_(ACTIVE_STATUSES))
        if scope == "mine":
            query = query.where(or_(col(Case.reporter_id) == actor, col(Case.first_response_by) == actor))
        if scope == "all":
            query = query.order_by(col(Case.number).desc())
        else:
            query = query.order_by(col(Case.due_at), col(Case.number))
        with self.db.transaction() as session:
            return list(session.execute(query.limit(limit)).scalars())

    # --- changes -----------------------------------------------------------------------------

    def open(self, new: NewCase, reporter: str) -> CaseChange:
        """Open a case: numbered without gaps, posted to the cases channel, paged if high."""
        title = self.validate_title(new.title)
        priority = self.require_priority(new.priority)
        if new.category is not None and new.category not in CATEGORIES:
            raise UserFacingError("case.error.category")
        now = self.clock.now()
        with self.db.transaction() as session:
            number = self._next_number(session)
            due = self.sla.due_at(now, priority)
            case = Case(
                number=number,
                title=title,
                description=_clean(new.description),
                priority=priority,
                status=OPEN,
                customer=_clean(new.customer, 200),
                category=new.category,
                impact=_clean(new.impact),
                steps=_clean(new.steps),
                reporter_id=reporter,
                origin_channel=new.origin_channel,
                origin_link=_clean(new.origin_link, 500),
                related_case=new.related_case,
                created_at=now,
                updated_at=now,
                due_at=due,
                sla_check_at=self._first_check(now, priority),
            )
            session.add(case)
            session.flush()
            event = self._record(session, case, "opened", reporter, new_value=priority, now=now)
            assert case.id is not None
            enqueue(session, kind="case.card", key=f"case:{case.id}:card", now=now, case_id=case.id)
            paged = None
            if priority == "high" and self.pager is not None:
                paged = self.pager.page(session, case, now, occasion="opened")
        self._deliver(case)
        return CaseChange(case, event, outside_hours=self.sla.is_outside_hours(now, priority), paged=paged)

    def acknowledge(self, number: int, actor: str, *, via: str = "command") -> CaseChange:
        """An agent, or someone paged for the case, takes it: first response recorded, SLA pings stop."""
        self.require(number, actor, Action.ACKNOWLEDGE)
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True)
            if case.status == RESOLVED:
                raise UserFacingError("case.error.already_resolved", number=number)
            # An escalated case nobody has answered yet can still be taken (and so stop the SLA pings).
            if case.status == ACKNOWLEDGED or (case.status == ESCALATED and case.first_response_at is not None):
                raise UserFacingError(
                    "case.error.already_acknowledged", number=number, user=case.first_response_by or ""
                )
            old = case.status
            self._first_response(case, actor, now)
            if case.status in (OPEN, REOPENED):
                case.status = ACKNOWLEDGED
            event = self._record(
                session, case, "acknowledged", actor, old_value=old, new_value=case.status, reason=via, now=now
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
            if case.first_response_at is not None or actor == case.reporter_id or case.status == RESOLVED:
                return None
            old = case.status
            self._first_response(case, actor, now)
            if case.status in (OPEN, REOPENED):  # an escalated case stays escalated
                case.status = ACKNOWLEDGED
            event = self._record(session, case, "first_response", actor, old_value=old, new_value=case.status, now=now)
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
            case = self._load(session, number, lock=True)
            if case.status == RESOLVED:
                raise UserFacingError("case.error.already_resolved", number=number)
            if case.priority == priority:
                raise UserFacingError("case.error.same_priority", number=number, priority=priority)
            old = case.priority
            case.priority = priority
            case.due_at = self.sla.due_at(case.created_at, priority)
            case.sla_breach_count = 0
            case.sla_check_at = None if case.first_response_at else self._first_check(case.created_at, priority)
            case.updated_at = now
            event = self._record(
                session, case, "priority_changed", actor, old_value=old, new_value=priority, reason=reason, now=now
            )
            paged = None
            if priority == "high" and case.first_response_at is None and self.pager is not None:
                paged = self.pager.page(session, case, now, occasion=f"event{event.id}")
        self._deliver(case)
        return CaseChange(case, event, paged=paged)

    def escalate(self, number: int, level_word: str, note: str | None, actor: str) -> CaseChange:
        """L1 → L2 (CS Lead) → L3 (engineers, with a ticket); whoever it calls may then act on the case."""
        self.require(number, actor, Action.ESCALATE)
        match = re.fullmatch(r"l?([23])", unicodedata.normalize("NFKC", level_word or "").strip().casefold())
        if not match:
            raise UserFacingError("case.error.level", word=level_word or "")
        level = int(match.group(1))
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True)
            if case.status == RESOLVED:
                raise UserFacingError("case.error.already_resolved", number=number)
            if case.escalation_level >= level:
                raise UserFacingError("case.error.already_at_level", number=number, level=case.escalation_level)
            old = f"L{case.escalation_level}"
            case.escalation_level = level
            case.status = ESCALATED
            case.updated_at = now
            event = self._record(
                session,
                case,
                "escalated",
                actor,
                old_value=old,
                new_value=f"L{level}",
                reason=_clean(note, 1000),
                now=now,
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
            case = self._load(session, number, lock=True)
            if case.status == RESOLVED:
                raise UserFacingError("case.error.already_resolved", number=number)
            old = case.status
            if self_resolved:
                case.sla_check_at = None
                case.updated_at = now
            else:
                self._first_response(case, actor, now)
            case.status = RESOLVED
            case.resolved_at = now
            kind = "self_resolved" if self_resolved else "resolved"
            event = self._record(
                session, case, kind, actor, old_value=old, new_value=RESOLVED, reason=_clean(note, 1000), now=now
            )
        self._deliver(case)
        return CaseChange(case, event)

    def reopen(self, number: int, reason: str | None, actor: str) -> CaseChange:
        """The reporter (or anyone who may act on the case) reopens within the window; later, a new case is the way."""
        self.require(number, actor, Action.REOPEN)
        now = self.clock.now()
        with self.db.transaction() as session:
            case = self._load(session, number, lock=True)
            if case.status != RESOLVED or case.resolved_at is None:
                raise UserFacingError("case.error.not_resolved", number=number)
            if now - case.resolved_at > self.config.reopen_window:
                raise UserFacingError("case.error.reopen_window", number=number, days=self.config.reopen_window.days)
            old = case.status
            case.status = REOPENED
            case.resolved_at = None
            case.updated_at = now
            event = self._record(
                session,
                case,
                "reopened",
                actor,
                old_value=old,
                new_value=REOPENED,
                reason=_clean(reason, 1000),
                now=now,
            )
        self._deliver(case)
        return CaseChange(case, event)

    # --- internals -------------------------------------------------------------------------------

    def _first_check(self, created_at: datetime, priority: str) -> datetime:
        """When the SLA sweep must first look at a new case: the warning, or the due time."""
        warn = self.sla.warn_at(created_at, priority)
        return warn if warn is not None else self.sla.due_at(created_at, priority)

    @staticmethod
    def _first_response(case: Case, actor: str, now: datetime) -> None:
        if case.first_response_at is None:
            case.first_response_at = now
            case.first_response_by = actor
        case.sla_check_at = None
        case.updated_at = now

    def _next_number(self, session: Session) -> int:
        """The next case number: a row-locked counter, so concurrent openers never share or skip one."""
        insert_ignore(session, Counter, {"name": CASE_COUNTER, "value": 0}, ["name"])
        result = session.execute(
            update(Counter)
            .where(col(Counter.name) == CASE_COUNTER)
            .values(value=col(Counter.value) + 1)
            .returning(col(Counter.value))
        )
        return int(result.scalar_one())

    def _load(self, session: Session, number: int, *, lock: bool = False) -> Case:
        query = select(Case).where(col(Case.number) == number)
        if lock and self.db.is_postgres:
            query = query.with_for_update()
        case = session.execute(query).scalar_one_or_none()
        if case is None:
            raise UserFacingError("case.error.not_found", number=number)
        return case

    def _record(
        self,
        session: Session,
        case: Case,
        kind: str,
        actor: str,
        *,
        now: datetime,
        old_value: str | None = None,
        new_value: str | None = None,
        reason: str | None = None,
    ) -> CaseEvent:
        """Append the event and queue what Slack must show: the card update and a thread line."""
        assert case.id is not None
        event = CaseEvent(
            case_id=case.id, kind=kind, actor_id=actor, at=now, old_value=old_value, new_value=new_value, reason=reason
        )
        session.add(event)
        session.flush()
        if kind != "opened":
            enqueue(
                session,
                kind="case.thread",
                key=f"case:{case.id}:event:{event.id}",
                now=now,
                case_id=case.id,
                payload={"event_id": event.id},
            )
            enqueue(
                session,
                kind="case.card_update",
                key=f"case:{case.id}:card:{event.id}",
                now=now,
                case_id=case.id,
                payload={"event_id": event.id},
            )
        return event

    def _deliver(self, case: Case) -> None:
        """Send what this case has waiting (its card, the new thread line, the update)."""
        assert case.id is not None
        self.outbox.deliver_for_case(case.id)

    def _refresh_card(self, session: Session, message: OutboxMessage, delivered: Delivered) -> Sequence[str]:
        """A breach went out: the card's due time now reads "…超過" instead of "残り…"."""
        key = f"{message.dedupe_key}:card"
        enqueue(session, kind="case.card_update", key=key, now=self.clock.now(), case_id=message.case_id)
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
