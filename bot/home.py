"""What a person's App Home shows, as plain data (no Slack): built from the cases, the on-call rota and
the reports' figures. bot/slack/home_blocks.py renders it; handlers/events/app_home.py publishes it.

- An agent sees who is on call now and next, the cases assigned to them by due time (a page at a
  time), the unassigned queue (the first `QUEUE_SIZE` by due time), the targets missed today, this
  week's attainment per priority and the FAQ's gaps and least helpful answers of the last 7 days.
- Anyone else sees their own open cases (reported by them or assigned to them) and how to ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from bot.agents import AgentDirectory
from bot.case_vocabulary import ACTIVE_STATUSES
from bot.clock import Clock
from bot.database import Database
from bot.models import Case
from bot.oncall import OnCall, OncallService
from bot.reports import EntryFeedback, GapFigure, Reports, ResponseFigures

PAGE_SIZE = 10  # "my cases" per page
QUEUE_SIZE = 10  # the unassigned cases shown (the earliest due)
FAQ_ITEMS = 5  # gaps, and answers marked 「解決しない」 or passed over, shown


@dataclass(frozen=True)
class CasePage:
    """One page of a list of cases: `cases` are those from `page * PAGE_SIZE` on, of `total`."""

    cases: Sequence[Case]
    total: int
    page: int = 0

    @property
    def first(self) -> int:
        return self.page * PAGE_SIZE

    @property
    def has_next(self) -> bool:
        return self.first + len(self.cases) < self.total


@dataclass(frozen=True)
class AgentHome:
    now: datetime
    oncall_now: OnCall
    oncall_next: OnCall
    mine: CasePage  # assigned to the agent, open, by due time
    queue: CasePage  # open and assigned to nobody, by due time (the first QUEUE_SIZE)
    breaches_today: int
    this_week: ResponseFigures
    gaps: list[GapFigure]
    unhelpful: list[EntryFeedback]


@dataclass(frozen=True)
class MemberHome:
    now: datetime
    mine: CasePage  # open, reported by or assigned to them, by due time


def _open_cases(session: Session, where: object, *, offset: int, limit: int) -> CasePage:
    condition = col(Case.status).in_(ACTIVE_STATUSES) & where
    total = session.execute(select(func.count()).select_from(Case).where(condition)).scalar_one()
    query = select(Case).where(condition).order_by(col(Case.due_at), col(Case.number)).offset(offset).limit(limit)
    return CasePage(list(session.execute(query).scalars()), int(total), offset // PAGE_SIZE)


class HomeService:
    def __init__(
        self, db: Database, clock: Clock, agents: AgentDirectory, oncall: OncallService, reports: Reports
    ) -> None:
        self.db = db
        self.clock = clock
        self.agents = agents
        self.oncall = oncall
        self.reports = reports

    def content(self, user: str, page: int = 0) -> AgentHome | MemberHome:
        """What `user`'s App Home shows now; `page`: which page of their own cases."""
        page = max(page, 0)
        if not self.agents.is_agent(user):  # may ask Slack (user groups): before any transaction
            return self._member(user, page)
        return self._agent(user, page)

    def _member(self, user: str, page: int) -> MemberHome:
        mine = or_(col(Case.reporter_id) == user, col(Case.assignee_id) == user)
        with self.db.transaction() as session:
            return MemberHome(self.clock.now(), _open_cases(session, mine, offset=page * PAGE_SIZE, limit=PAGE_SIZE))

    def _agent(self, user: str, page: int) -> AgentHome:
        now = self.clock.now()
        with self.db.transaction() as session:
            mine = _open_cases(session, col(Case.assignee_id) == user, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
            queue = _open_cases(session, col(Case.assignee_id).is_(None), offset=0, limit=QUEUE_SIZE)
        reports = self.reports
        gaps, unhelpful = reports.faq_to_fix(reports.period("7d"))
        return AgentHome(
            now=now,
            oncall_now=self.oncall.at(now),
            oncall_next=self.oncall.next(now),
            mine=mine,
            queue=queue,
            breaches_today=reports.first_response(reports.period("today")).breached,
            this_week=reports.first_response(reports.period("this-week")),
            gaps=gaps[:FAQ_ITEMS],
            unhelpful=unhelpful[:FAQ_ITEMS],
        )
