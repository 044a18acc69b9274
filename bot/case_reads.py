"""Reading cases, and who may see and change what: the queries of CaseService (bot/cases.py).

Agents see every case; a customer in their channel, their organisation's cases; anyone else only the
cases they reported, are assigned or were called to (bot/access.py) — another case is "not found",
like a number that does not exist.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from sqlmodel import Session

from bot import case_store, pager
from bot.access import (
    Action,
    People,
    Standing,
    Viewer,
    allows,
    customer_standing,
    parties_of,
    party_groups,
    standing_of,
)
from bot.case_vocabulary import CaseStatus, ListScope
from bot.customers import CustomerDirectory
from bot.database import Database
from bot.errors import UserFacingError
from bot.models import Case, CaseEvent, OutboxMessage

# Cases this thread has just opened and is delivering now (bot/intake_batch.py): see CaseReads.as_opened.
_just_opened: ContextVar[dict[int, Case] | None] = ContextVar("cases_just_opened", default=None)


@contextlib.contextmanager
def just_opened(cases: Iterable[Case]) -> Iterator[None]:
    """While the block runs, `CaseReads.as_opened` has these cases (committed a moment ago) from memory."""
    token = _just_opened.set({case.id: case for case in cases if case.id is not None})
    try:
        yield
    finally:
        _just_opened.reset(token)


@dataclass(frozen=True)
class CaseDetails:
    case: Case
    events: list[CaseEvent]
    standing: Standing = Standing.AGENT  # the viewer's: the reporter does not read the team's notes


class CaseReads:
    def __init__(self, db: Database, agents: People, customers: CustomerDirectory) -> None:
        self.db = db
        self.agents = agents
        self.customers = customers

    def customer_viewer(self, actor: str, channel: str | None) -> str | None:
        """The customer whose channel `channel` is, when `actor` is not an agent: a customer there, who
        sees that organisation's cases and no other (bot/access.py). None anywhere else, and for agents."""
        if not channel or self.agents.is_agent(actor):
            return None
        found = self.customers.find_by_channel(channel)
        return found.id if found is not None else None

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

    def get(self, number: int) -> Case:
        with self.db.transaction() as session:
            return self._load(session, number)

    def details(self, number: int) -> CaseDetails:
        with self.db.transaction() as session:
            case = self._load(session, number)
            assert case.id is not None
            return CaseDetails(case, case_store.events_of(session, case.id))

    def show(self, number: int, viewer: str, channel: str | None = None) -> CaseDetails:
        """`/case show`: the case and its history, for someone who may see it; to anyone else it does not exist."""
        standing = self.standing(number, viewer)
        details = self.details(number)
        customer = self.customer_viewer(viewer, channel)
        if customer is not None:
            standing = customer_standing(standing, details.case.customer_id, customer)
        if not allows(standing, Action.VIEW):
            raise UserFacingError("case.error.not_found", number=number)
        return CaseDetails(details.case, details.events, standing)

    def viewer(self, actor: str, channel: str | None = None) -> Viewer:
        """What `actor` may see (in `channel`): every case (an agent), their organisation's (a customer in
        their channel), or theirs — with the user groups they were called through."""
        if self.agents.is_agent(actor):
            return Viewer(actor, everything=True)
        customer = self.customer_viewer(actor, channel)
        if customer is not None:
            return Viewer(actor, customer=customer)
        with self.db.transaction() as session:
            groups = party_groups(session)
        # Outside the transaction: a user group lookup may call Slack.
        return Viewer(actor, groups=tuple(g for g in groups if self.agents.in_group(actor, g)))

    def page_message(self, case_id: int, target: int | str) -> OutboxMessage | None:
        """The page (`pager.PAGE_TARGET`) or DM (its outbox id) that a page edit rewrites."""
        with self.db.transaction() as session:
            if target == pager.PAGE_TARGET:
                return pager.first_page(session, case_id)
            message = session.get(OutboxMessage, int(target))
            return message if message is not None and message.case_id == case_id else None

    def get_by_id(self, case_id: int) -> Case | None:
        with self.db.transaction() as session:
            return session.get(Case, case_id)

    def as_opened(self, case_id: int) -> Case | None:
        """The case for what is rendered from its opening alone (its card, its confirmation): from memory
        right after this thread opened it (`just_opened`: a read per message was most of their cost),
        else from the database. A change made meanwhile updates the card after it (its own outbox row)."""
        known = _just_opened.get()
        if known is not None and case_id in known:
            return known[case_id]
        return self.get_by_id(case_id)

    def event(self, event_id: int) -> CaseEvent | None:
        with self.db.transaction() as session:
            return session.get(CaseEvent, event_id)

    def find_by_message(self, channel: str, ts: str) -> Case | None:
        """The case whose card is the message (channel, ts): for replies in its thread."""
        with self.db.transaction() as session:
            return case_store.find_by_message(session, channel, ts)

    def list(
        self, scope: ListScope, actor: str, *, limit: int = 20, customer: str | None = None, channel: str | None = None
    ) -> Sequence[Case]:
        """`/case list` (in `channel`): the cases of `scope` (of `customer`, if given) that `actor` may see."""
        viewer = self.viewer(actor, channel)
        with self.db.transaction() as session:
            return case_store.list_cases(session, scope, viewer, limit=limit, customer=customer)

    def _load(self, session: Session, number: int, *, lock: bool = False, open_only: bool = False) -> Case:
        case = case_store.load(session, number, lock=lock)
        if case is None:
            raise UserFacingError("case.error.not_found", number=number)
        if open_only and case.status == CaseStatus.RESOLVED:
            raise UserFacingError("case.error.already_resolved", number=number)
        return case
