"""Support history written straight into the tables, the way the services leave it: cases with their
events and sent pages, FAQ replies with their answers, votes, picks and unanswered questions.

For the reporting tests (every timestamp chosen), the README's sample data and the benchmark
(100,000 cases in bulk). It writes rows, not through the services, so a test can put a first
response on a holiday or a page at an exact instant; tests/bot/reports also check the figures
against histories made through the real services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlmodel import Session, SQLModel, col

from bot.database import Database, insert_ignore
from bot.faq import gap_key
from bot.models import Case, CaseEvent, Counter, FaqFeedback, FaqReply, OutboxMessage, UnansweredQuestion
from bot.outbox_kinds import faq_pick_key, faq_reply_key
from bot.reports.rules import SlaRules

AGENT, CUSTOMER, BOT = "U0AGENT", "U0CUSTOMER", "supportbot"
CASES_CHANNEL, FAQ_CHANNEL = "C0CASES", "C0FAQ"
CHUNK = 5000


@dataclass
class CaseDraft:
    number: int
    priority: str
    created_at: datetime
    due_at: datetime
    title: str
    customer: str | None
    reporter_id: str
    plan: str | None = None  # the plan stored on the case (None: the default plan)
    customer_id: str | None = None
    status: str = "open"
    first_response_at: datetime | None = None
    first_response_by: str | None = None
    resolved_at: datetime | None = None
    id: int = 0  # given when written
    events: list[dict[str, Any]] = field(default_factory=list)
    pages: list[tuple[datetime, int]] = field(default_factory=list)


@dataclass
class ReplyDraft:
    channel: str
    message_ts: str
    user_id: str
    question: str
    decision: str
    entry_id: str | None
    created_at: datetime
    answer_ts: str | None = None
    votes: list[tuple[str, bool, datetime]] = field(default_factory=list)
    picks: list[tuple[str, datetime, str]] = field(default_factory=list)  # picked under it: entry, when, answer ts


class History:
    """Collects a history in memory; `write(db)` stores it in a few bulk statements."""

    def __init__(self, sla: SlaRules) -> None:
        self.sla = sla
        self.cases: list[CaseDraft] = []
        self.replies: list[ReplyDraft] = []
        self._ts = 0

    # --- cases ---------------------------------------------------------------------------------

    def open(
        self,
        at: datetime,
        priority: str,
        *,
        customer: str | None = None,
        reporter: str = CUSTOMER,
        title: str = "",
        plan: str | None = None,
        customer_id: str | None = None,
    ) -> CaseDraft:
        """A case opened at `at`, due by its plan's target (`plan` None: the default plan)."""
        due = self.sla.calendar(priority, plan).add(at, self.sla.target(priority, plan))
        number = len(self.cases) + 1
        case = CaseDraft(
            number, priority, at, due, title or f"case {number}", customer, reporter, plan=plan, customer_id=customer_id
        )
        self.cases.append(case)
        self._event(case, "opened", reporter, at, new=priority)
        return case

    def respond(self, case: CaseDraft, at: datetime, *, by: str = AGENT) -> CaseDraft:
        """「対応開始」 (acknowledged): the first response."""
        self._first_response(case, at, by)
        self._event(case, "acknowledged", by, at, old=case.status, new="acknowledged")
        case.status = "acknowledged"
        return case

    def resolve(self, case: CaseDraft, at: datetime, *, by: str = AGENT) -> CaseDraft:
        """Resolved by an agent (a first response too, if it is the first)."""
        self._first_response(case, at, by)
        self._event(case, "resolved", by, at, old=case.status, new="resolved")
        case.status, case.resolved_at = "resolved", at
        return case

    def self_resolve(self, case: CaseDraft, at: datetime) -> CaseDraft:
        """Closed by the reporter (自己解決): not a first response."""
        self._event(case, "self_resolved", case.reporter_id, at, old=case.status, new="resolved")
        case.status, case.resolved_at = "resolved", at
        return case

    def reopen(self, case: CaseDraft, at: datetime) -> CaseDraft:
        self._event(case, "reopened", case.reporter_id, at, old=case.status, new="reopened")
        case.status, case.resolved_at = "reopened", None
        return case

    def page(self, case: CaseDraft, at: datetime, sequence: int) -> CaseDraft:
        """A page for a missed high target (sequence 1, then every renotify), sent at `at`."""
        self._event(case, "sla_breach", BOT, at, new=str(sequence))
        case.pages.append((at, sequence))
        return case

    def _first_response(self, case: CaseDraft, at: datetime, by: str) -> None:
        if case.first_response_at is None:
            case.first_response_at, case.first_response_by = at, by

    @staticmethod
    def _event(
        case: CaseDraft, kind: str, actor: str, at: datetime, *, old: str | None = None, new: str | None = None
    ) -> None:
        case.events.append({"kind": kind, "actor_id": actor, "at": at, "old_value": old, "new_value": new})

    # --- FAQ -----------------------------------------------------------------------------------

    def ask(
        self,
        at: datetime,
        question: str,
        decision: str,
        *,
        entry_id: str | None = None,
        user: str = CUSTOMER,
        channel: str = FAQ_CHANNEL,
    ) -> ReplyDraft:
        """A question the bot handled: "answer" (with the entry), "suggest" or "none" (recorded as unanswered)."""
        reply = ReplyDraft(channel, self._next_ts(at), user, question, decision, entry_id, at)
        if decision == "answer":
            reply.answer_ts = self._next_ts(at)
        self.replies.append(reply)
        return reply

    def vote(self, reply: ReplyDraft, at: datetime, *, helpful: bool, user: str | None = None) -> ReplyDraft:
        """「解決しました」 (helpful) or 「解決しない」 on the bot's answer."""
        reply.votes.append((user or reply.user_id, helpful, at))
        return reply

    def pick(self, reply: ReplyDraft, at: datetime, entry_id: str) -> ReplyDraft:
        """The asker picked `entry_id` among the candidates offered under the reply (もしかして, or
        the others under an unsure answer): answered where the question was, as `FaqService.pick_suggestion` does."""
        reply.picks.append((entry_id, at, self._next_ts(at)))
        return reply

    def _next_ts(self, at: datetime) -> str:
        self._ts += 1
        return f"{int(at.timestamp())}.{self._ts:06d}"

    # --- writing -------------------------------------------------------------------------------

    def write(self, db: Database) -> None:
        with db.transaction() as session:
            case_id = _max(session, Case.id)
            number = _max(session, Case.number)
            for index, case in enumerate(self.cases, start=1):
                case.id, case.number = case_id + index, number + index
            _bulk(session, Case, [_case_row(case) for case in self.cases])
            _bulk(session, CaseEvent, [{"case_id": c.id, **e} for c in self.cases for e in c.events])
            _bulk(session, OutboxMessage, [*_page_rows(self.cases), *_answer_rows(self.replies)])
            _bulk(session, FaqReply, [_reply_row(r) for r in self.replies])
            _bulk(session, FaqFeedback, _vote_rows(self.replies))
            _bulk(session, UnansweredQuestion, [_gap_row(r) for r in self.replies if r.decision == "none"])
            if self.cases:
                insert_ignore(session, Counter, {"name": "case", "value": 0}, ["name"])
                top = self.cases[-1].number
                session.execute(update(Counter).where(col(Counter.name) == "case").values(value=top))
            if db.is_postgres and self.cases:
                _realign_sequences(session)


def _max(session: Session, column: Any) -> int:
    return int(session.execute(select(func.coalesce(func.max(column), 0))).scalar_one())


def _bulk(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])


def _case_row(case: CaseDraft) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "title": case.title,
        "priority": case.priority,
        "status": case.status,
        "escalation_level": 1,
        "customer": case.customer,
        "customer_id": case.customer_id,
        "plan": case.plan,
        "reporter_id": case.reporter_id,
        "created_at": case.created_at,
        "updated_at": case.created_at,
        "due_at": case.due_at,
        "sla_check_at": None,
        "sla_breach_count": max((s for _, s in case.pages), default=0),
        "first_response_at": case.first_response_at,
        "first_response_by": case.first_response_by,
        "resolved_at": case.resolved_at,
        "message_channel": CASES_CHANNEL,
        "message_ts": f"{int(case.created_at.timestamp())}.{case.number:06d}",
    }


def _sent(key: str, kind: str, at: datetime, payload: dict[str, Any], case_id: int | None, ts: str) -> dict[str, Any]:
    return {
        "dedupe_key": key,
        "kind": kind,
        "case_id": case_id,
        "payload": payload,
        "state": "sent",
        "attempts": 1,
        "next_attempt_at": at,
        "sent_channel": payload.get("channel", CASES_CHANNEL),
        "sent_ts": ts,
        "sent_at": at,
        "created_at": at,
    }


def _page_rows(cases: list[CaseDraft]) -> list[dict[str, Any]]:
    return [
        _sent(
            f"sla:{c.id}:breach:{c.due_at.isoformat()}:{sequence}",
            "sla.breach",
            at,
            {"mentions": [], "sequence": sequence, "here": False},
            c.id,
            f"{int(at.timestamp())}.9{c.id:05d}",
        )
        for c in cases
        for at, sequence in c.pages
    ]


def _answer_rows(replies: list[ReplyDraft]) -> list[dict[str, Any]]:
    """The bot's answers and those to candidates picked under them, keyed as bot/faq.py keys them."""
    rows = []
    for r in replies:
        sent = [(faq_reply_key(r.channel, r.message_ts), r.entry_id, r.created_at, r.answer_ts)] if r.answer_ts else []
        sent += [(faq_pick_key(r.channel, r.message_ts, entry), entry, at, ts) for entry, at, ts in r.picks]
        payload = {"channel": r.channel, "thread_ts": r.message_ts, "question_ts": r.message_ts, "language": "ja"}
        rows += [_sent(key, "faq.answer", at, {**payload, "entry_id": e}, None, ts or "") for key, e, at, ts in sent]
    return rows


def _reply_row(reply: ReplyDraft) -> dict[str, Any]:
    return {
        "channel": reply.channel,
        "message_ts": reply.message_ts,
        "user_id": reply.user_id,
        "question": reply.question,
        "decision": reply.decision,
        "entry_id": reply.entry_id,
        "score": 0.0,
        "created_at": reply.created_at,
    }


def _vote_rows(replies: list[ReplyDraft]) -> list[dict[str, Any]]:
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in replies:
        for user, helpful, at in r.votes:  # one vote per person and answer: the latest wins
            latest[(r.channel, r.answer_ts or "", user)] = {
                "channel": r.channel,
                "message_ts": r.answer_ts or "",
                "entry_id": r.entry_id or "",
                "user_id": user,
                "helpful": helpful,
                "created_at": at,
            }
    return list(latest.values())


def _gap_row(reply: ReplyDraft) -> dict[str, Any]:
    return {
        "channel": reply.channel,
        "user_id": reply.user_id,
        "text": reply.question,
        "normalized": gap_key(reply.question),
        "created_at": reply.created_at,
    }


def _realign_sequences(session: Session) -> None:
    """Cases were written with explicit ids: move PostgreSQL's sequence past them, so new cases go on from there."""
    session.execute(
        text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT MAX(id) FROM cases) + 1, false)")
    )
