"""One row per case, for spreadsheets and BI tools: CSV (UTF-8 with a BOM, so Excel reads Japanese)
or JSON lines-free JSON array, times in ISO 8601 in the desk's time zone.

Customer is the customer's name as stored on the case (what the reporter typed when no customer is
known); plan is the plan id the case was opened under (empty for cases opened before plans).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import col

from bot.clock import as_utc
from bot.database import Database
from bot.models import Case
from bot.reports.query import event_counts, first_event_at, within

BATCH = 1000
# A cell starting with one of these is a formula to Excel: user text is prefixed with ' (OWASP's advice).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CaseRow:
    """One case as exported: its fields are the columns, in order."""

    number: int
    title: str
    customer: str | None
    plan: str | None
    priority: str
    status: str
    reporter: str
    assignee: str | None
    opened: datetime
    first_response: datetime | None
    due: datetime
    breached: bool  # as of the export: answered late, or unanswered past due (not if closed by the reporter first)
    resolved: datetime | None
    reopened_count: int


COLUMNS = tuple(field.name for field in fields(CaseRow))


# What the export reads of a case: plain columns, not ORM objects (several times faster per row).
_READ = tuple(
    col(getattr(Case, name))
    for name in (
        "id",
        "number",
        "title",
        "customer",
        "plan",
        "priority",
        "status",
        "reporter_id",
        "assignee_id",
        "created_at",
        "first_response_at",
        "due_at",
        "resolved_at",
    )
)


def _row(case: Any, reopened: int, withdrawn: bool, now: datetime) -> CaseRow:
    answered = as_utc(case.first_response_at) if case.first_response_at else None
    due = as_utc(case.due_at)
    breached = answered >= due if answered is not None else (now >= due and not withdrawn)
    return CaseRow(
        number=case.number,
        title=case.title,
        customer=case.customer,
        plan=case.plan,
        priority=case.priority,
        status=case.status,
        reporter=case.reporter_id,
        assignee=case.assignee_id,
        opened=as_utc(case.created_at),
        first_response=answered,
        due=due,
        breached=breached,
        resolved=as_utc(case.resolved_at) if case.resolved_at else None,
        reopened_count=int(reopened),
    )


def case_rows(db: Database, since: datetime, until: datetime, now: datetime) -> Iterator[CaseRow]:
    """Cases created in [since, until), by number, read a batch at a time (each its own short transaction)."""
    last = 0
    while True:
        query = (
            select(*_READ)
            .where(within(col(Case.created_at), since, until), col(Case.number) > last)
            .order_by(col(Case.number))
            .limit(BATCH)
        )
        with db.transaction() as session:
            batch = list(session.execute(query).all())
            ids = [case.id for case in batch if case.id is not None]
            reopened = event_counts(session, "reopened", ids)
            closed = first_event_at(session, "self_resolved", ids)
        for case in batch:
            withdrawn = case.id in closed and closed[case.id] < as_utc(case.due_at)
            yield _row(case, reopened.get(case.id or 0, 0), withdrawn, now)
        if len(batch) < BATCH:
            return
        last = batch[-1].number


def _cell(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    return value


def write_csv(rows: Iterable[CaseRow], out: IO[str], timezone: str) -> int:
    """CSV for Excel: a BOM, a header, one row per case; empty cells for what is unknown. Returns the rows written."""
    zone = ZoneInfo(timezone)
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        values = [_cell(getattr(row, name), zone) for name in COLUMNS]
        writer.writerow(["" if v is None else _safe(v) for v in values])
        count += 1
    return count


def _safe(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_json(rows: Iterable[CaseRow], out: IO[str], timezone: str) -> int:
    """A JSON array of objects with the CSV's columns as keys (null for unknown), written as it is read."""
    zone = ZoneInfo(timezone)
    count = 0
    out.write("[")
    for row in rows:
        record = {name: _cell(getattr(row, name), zone) for name in COLUMNS}  # not asdict(): it deep-copies
        out.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
