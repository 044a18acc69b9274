"""First-response figures: attainment, time to first response, breaches and pages, per priority.

Each case's outcome is decided at one instant, and counts in the period holding that instant:
answered before its due time → met, when answered; not answered by then → breached, at the due
time. So adjacent periods never count a case twice, a case still open and within target at the
period's end is pending (not breached until it is), and a past period's figures do not change
later. A case the reporter closed themselves (自己解決) before its due time has no outcome.

Times are counted in each case's own calendar, that of the plan stored on it (`SlaRules`): business
time for business-calendar targets, so a case opened Friday 17:00 and answered Monday 10:30 waited 1.5 business hours.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select
from sqlmodel import Session, col

from bot.models import Case, OutboxMessage
from bot.reports.figures import PRIORITY_ORDER, PriorityResponse, ResponseFigures
from bot.reports.query import first_event_at, within
from bot.reports.rules import ReportRules, calendar_kind

SELF_RESOLVED = "self_resolved"
BREACH_PAGE = "sla.breach"  # the outbox kind of a page for a missed high target; payload "sequence" 1, 2, …
SENT = "sent"


def percentile(values: list[timedelta], fraction: float) -> timedelta | None:
    """Linear interpolation between the closest ranks (numpy's default); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _median(values: list[timedelta]) -> timedelta | None:
    return percentile(values, 0.5)


@dataclass(frozen=True)
class _Decided:
    """A case answered or due in the period, as the figures need it."""

    priority: str
    plan: str | None  # the plan stored on the case: its target's calendar counts the times
    created: datetime
    due: datetime
    answered: datetime | None
    withdrawn: bool  # closed by the reporter, unanswered, before its due time

    def met_at(self) -> datetime | None:
        """When the target was met, if it was."""
        return self.answered if self.answered is not None and self.answered < self.due else None

    def breached(self) -> bool:
        """The due time passed without a first response (and the reporter had not closed the case)."""
        return self.met_at() is None and not (self.withdrawn and self.answered is None)


_COLUMNS = (
    col(Case.id),
    col(Case.priority),
    col(Case.plan),
    col(Case.created_at),
    col(Case.due_at),
    col(Case.first_response_at),
)


def _decided(session: Session, since: datetime, end: datetime) -> list[_Decided]:
    """Cases answered in the period or due in it: two indexed reads, then the reporter's own closings
    of the ones not answered in time."""
    rows = {}
    for column in (col(Case.first_response_at), col(Case.due_at)):
        for row in session.execute(select(*_COLUMNS).where(within(column, since, end))).all():
            rows[row[0]] = row
    late = [case_id for case_id, _p, _plan, _c, due, answered in rows.values() if answered is None or answered >= due]
    closed = first_event_at(session, SELF_RESOLVED, late)
    return [
        _Decided(
            priority, plan, created, due, answered, answered is None and case_id in closed and closed[case_id] < due
        )
        for case_id, priority, plan, created, due, answered in rows.values()
    ]


@dataclass
class _Tally:
    met: int = 0
    breached: int = 0
    waits: list[timedelta] = field(default_factory=list)
    lateness: list[timedelta] = field(default_factory=list)


def _tally(
    session: Session, rules: ReportRules, since: datetime, end: datetime
) -> tuple[dict[str, _Tally], list[datetime]]:
    """Per priority: outcomes decided in [since, end), waits of the first responses given in it, and
    how late the breaches were (by the first response, or by `end` while still unanswered)."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    breaches = []
    for decided in _decided(session, since, end):
        tally = tallies[decided.priority]
        calendar = rules.sla.calendar(decided.priority, decided.plan)
        if decided.answered is not None and since <= decided.answered < end:
            tally.waits.append(calendar.elapsed(decided.created, decided.answered))
        met = decided.met_at()
        if met is not None and since <= met < end:
            tally.met += 1
        elif decided.breached() and since <= decided.due < end:
            tally.breached += 1
            stop = min(decided.answered, end) if decided.answered is not None else end
            tally.lateness.append(calendar.elapsed(decided.due, stop))
            breaches.append(decided.due)
    return tallies, breaches


def _pending(session: Session, since: datetime, end: datetime) -> dict[str, int]:
    """Cases opened in the period still waiting for a first response at its end, not yet due, per priority
    (the reporter's own closings left out)."""
    answered = col(Case.first_response_at)
    query = select(col(Case.id), col(Case.priority)).where(
        within(col(Case.created_at), since, end), col(Case.due_at) >= end, or_(answered.is_(None), answered >= end)
    )
    rows = session.execute(query).all()
    closed = first_event_at(session, SELF_RESOLVED, [case_id for case_id, _ in rows])
    counts: dict[str, int] = defaultdict(int)
    for case_id, priority in rows:
        if not (case_id in closed and closed[case_id] < end):
            counts[priority] += 1
    return counts


def pages_sent(session: Session, since: datetime, end: datetime) -> tuple[int, int]:
    """(first pages, repeated pages) for missed high targets, sent to Slack in [since, end)."""
    sequence = col(OutboxMessage.payload)["sequence"].as_integer()
    query = select(
        func.coalesce(func.sum(case((sequence == 1, 1), else_=0)), 0),
        func.coalesce(func.sum(case((sequence > 1, 1), else_=0)), 0),
    ).where(
        col(OutboxMessage.kind) == BREACH_PAGE,
        col(OutboxMessage.state) == SENT,
        within(col(OutboxMessage.sent_at), since, end),
    )
    first, repeated = session.execute(query).one()
    return int(first), int(repeated)


def response_figures(
    session: Session, rules: ReportRules, since: datetime, end: datetime
) -> tuple[ResponseFigures, list[datetime]]:
    """The figures, and the instants of the period's breaches (for the daily series)."""
    tallies, breaches = _tally(session, rules, since, end)
    pending = _pending(session, since, end)
    by_priority = []
    for priority in PRIORITY_ORDER:
        tally = tallies.get(priority, _Tally())
        by_priority.append(
            PriorityResponse(
                priority=priority,
                target=rules.sla.target(priority),
                calendar=calendar_kind(rules.sla.calendar(priority)),
                met=tally.met,
                breached=tally.breached,
                pending=pending.get(priority, 0),
                answered=len(tally.waits),
                median=_median(tally.waits),
                p90=percentile(tally.waits, 0.9),
                late_median=_median(tally.lateness),
            )
        )
    first_pages, re_pages = pages_sent(session, since, end)
    every_lateness = [late for tally in tallies.values() for late in tally.lateness]
    figures = ResponseFigures(
        by_priority=by_priority,
        late_median=_median(every_lateness),
        breach_pages=first_pages,
        re_pages=re_pages,
        attainment_goal=rules.attainment_goal,
        default_plan=rules.default_plan,
    )
    return figures, breaches
