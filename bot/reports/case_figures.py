"""Case counts for a period, aggregated in the database: opened, resolved, reopened, the open backlog.

Opened counts a case once, when it was created (a reopened case is not opened again). Resolved and
reopened count each case once per period, from its history. The backlog is what was open at the
period's end — read from the history, so a past period shows its own end, not today's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from bot.case_vocabulary import ACTIVE_STATUSES
from bot.models import Case, CaseEvent
from bot.reports.figures import BACKLOG_BUCKETS, PRIORITY_ORDER, CaseFigures, Count
from bot.reports.query import within
from bot.reports.rules import ReportRules, rewind

RESOLVE_EVENTS = ("resolved", "self_resolved")
REOPEN_EVENT = "reopened"
TOP_CUSTOMERS = 10


@dataclass(frozen=True)
class Dimension:
    """A column cases are broken down by."""

    name: str
    column: Any  # a column of Case


DIMENSIONS: dict[str, Dimension] = {
    "priority": Dimension("priority", col(Case.priority)),
    "customer": Dimension("customer", col(Case.customer)),  # the customer's name (or what the reporter typed)
    "plan": Dimension("plan", col(Case.plan)),  # the plan id the case was opened under (None: before plans)
}


def opened_by(
    session: Session, dimension: str, since: datetime, end: datetime, *, limit: int | None = None
) -> list[Count]:
    """Cases created in [since, end) per value of a dimension, most first."""
    column = DIMENSIONS[dimension].column
    query = (
        select(column, func.count())
        .where(within(col(Case.created_at), since, end))
        .group_by(column)
        .order_by(func.count().desc(), column.asc().nulls_last())
    )
    if limit is not None:
        query = query.limit(limit)
    return [Count(value, int(count)) for value, count in session.execute(query).all()]


def cases_with_event(session: Session, kinds: Sequence[str], since: datetime, end: datetime) -> int:
    """How many cases had one of these events in [since, end), each case once."""
    query = select(func.count(func.distinct(col(CaseEvent.case_id)))).where(
        col(CaseEvent.kind).in_(kinds), within(col(CaseEvent.at), since, end)
    )
    return int(session.execute(query).scalar_one())


NOT_YET = "not_yet"  # created after the end: not part of that backlog


def _bucket(end: datetime, under_one: datetime, under_three: datetime) -> Any:
    """A case's age bucket at `end` (in SQL, so the counting stays in the database)."""
    return case(
        (col(Case.created_at) >= end, NOT_YET),
        (col(Case.created_at) > under_one, BACKLOG_BUCKETS[0]),
        (col(Case.created_at) > under_three, BACKLOG_BUCKETS[1]),
        else_=BACKLOG_BUCKETS[2],
    ).label("bucket")


def backlog(session: Session, end: datetime, rules: ReportRules) -> list[tuple[str, str, int]]:
    """(priority, age bucket, count) of the cases open at `end`; ages in the desk's business days.

    Resolving and reopening alternate, so a case's state at `end` is its state now unless it changed
    since; if it did, the first change after `end` tells: a resolution means it was open then, a
    reopening that it was resolved. Two indexed reads, however old the period: the cases open now,
    and the few whose state changed after `end`.
    """
    bucket = _bucket(
        end, rewind(rules.business, end, rules.business_day), rewind(rules.business, end, rules.business_day * 3)
    )
    changes = [*RESOLVE_EVENTS, REOPEN_EVENT]
    later = (
        select(col(CaseEvent.case_id).label("case_id"), func.min(col(CaseEvent.id)).label("first_id"))
        .where(col(CaseEvent.kind).in_(changes), col(CaseEvent.at) >= end)
        .group_by(col(CaseEvent.case_id))
        .subquery()
    )
    first = aliased(CaseEvent)
    unchanged_open = (
        select(col(Case.priority), bucket, func.count())
        .where(
            col(Case.status).in_(ACTIVE_STATUSES),  # no WHERE on created_at: the status index is the way in
            ~exists().where(
                col(CaseEvent.case_id) == col(Case.id), col(CaseEvent.kind).in_(changes), col(CaseEvent.at) >= end
            ),
        )
        .group_by(col(Case.priority), bucket)
    )
    reopened_or_resolved_since = (
        select(col(Case.priority), bucket, func.count())
        .select_from(later)
        .join(Case, col(Case.id) == later.c.case_id)
        .join(first, col(first.id) == later.c.first_id)
        .where(col(Case.created_at) < end, col(first.kind).in_(RESOLVE_EVENTS))
        .group_by(col(Case.priority), bucket)
    )
    rows = [*session.execute(unchanged_open).all(), *session.execute(reopened_or_resolved_since).all()]
    return [(priority, name, int(count)) for priority, name, count in rows if name != NOT_YET]


def case_figures(session: Session, since: datetime, end: datetime, rules: ReportRules) -> CaseFigures:
    by_priority = {c.value or "": c.count for c in opened_by(session, "priority", since, end)}
    opened = sum(by_priority.values())
    customers = opened_by(session, "customer", since, end, limit=TOP_CUSTOMERS)
    ages = dict.fromkeys(BACKLOG_BUCKETS, 0)
    open_by_priority = dict.fromkeys(PRIORITY_ORDER, 0)
    for priority, bucket, count in backlog(session, end, rules):
        ages[bucket] += count
        open_by_priority[priority] = open_by_priority.get(priority, 0) + count
    return CaseFigures(
        opened=opened,
        opened_by_priority={p: by_priority.get(p, 0) for p in PRIORITY_ORDER},
        opened_by_customer=customers,
        opened_by_customer_others=opened - sum(c.count for c in customers),
        opened_by_plan=opened_by(session, "plan", since, end),
        resolved=cases_with_event(session, RESOLVE_EVENTS, since, end),
        reopened=cases_with_event(session, [REOPEN_EVENT], since, end),
        open_at_end=sum(ages.values()),
        backlog_by_age=ages,
        backlog_by_priority=open_by_priority,
    )


def opened_per_day(session: Session, days: Sequence[tuple[object, datetime, datetime]]) -> list[dict[str, int]]:
    """Cases opened on each day (by priority), one aggregate over the day boundaries."""
    if not days:
        return []
    day_index = case(
        *[(within(col(Case.created_at), start, stop), index) for index, (_day, start, stop) in enumerate(days)],
        else_=None,
    ).label("day")
    query = (
        select(day_index, col(Case.priority), func.count())
        .where(within(col(Case.created_at), days[0][1], days[-1][2]))
        .group_by(day_index, col(Case.priority))
    )
    counts: list[dict[str, int]] = [dict.fromkeys(PRIORITY_ORDER, 0) for _ in days]
    for index, priority, count in session.execute(query).all():
        if index is not None:
            counts[int(index)][priority] = int(count)
    return counts
