"""Cases in the database: numbering, loading, lists, the history's one writer, and the SLA sweep's bulk SQL.

Plain functions over the caller's session (the caller owns the transaction). The bulk statements take
any number of rows in one statement, passed as one JSON value: json_to_recordset() on PostgreSQL,
json_each() on SQLite, values already converted by the columns' own types (sqlite_bind_value), so
they are stored exactly as an ORM write would store them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, or_, select, text
from sqlmodel import Session, col

from bot.access import Viewer
from bot.case_vocabulary import ACTIVE_STATUSES, ListScope
from bot.database import is_postgres, sqlite_bind_value, table_of
from bot.models import Case, CaseEvent, CaseParty, UTCDateTime

CASE_COUNTER = "case"


# One statement, one round trip: the first case creates the counter, every later one increments it under
# the row's lock (an upsert, the same SQL on PostgreSQL and SQLite >= 3.35).
_NEXT_NUMBERS = text(
    """
    INSERT INTO counters (name, value) VALUES (:name, :count)
    ON CONFLICT (name) DO UPDATE SET value = counters.value + :count
    RETURNING value
    """
)


def next_number(session: Session) -> int:
    """The next case number: a row-locked counter, so concurrent openers never share or skip one."""
    return next_numbers(session, 1)[0]


def next_numbers(session: Session, count: int) -> range:
    """The next `count` case numbers, in one step of the counter (a batch of cases: bot/case_opening.py)."""
    last = int(session.execute(_NEXT_NUMBERS, {"name": CASE_COUNTER, "count": count}).scalar_one())
    return range(last - count + 1, last + 1)


def load(session: Session, number: int, *, lock: bool = False) -> Case | None:
    """Case `number`; with `lock`, its row stays locked until the transaction ends (PostgreSQL)."""
    query = select(Case).where(col(Case.number) == number)
    if lock and is_postgres(session):
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def events_of(session: Session, case_id: int) -> list[CaseEvent]:
    query = select(CaseEvent).where(col(CaseEvent.case_id) == case_id).order_by(col(CaseEvent.id))
    return list(session.execute(query).scalars())


def find_by_message(session: Session, channel: str, ts: str) -> Case | None:
    """The case whose card is the message (channel, ts)."""
    query = select(Case).where(col(Case.message_channel) == channel, col(Case.message_ts) == ts)
    return session.execute(query).scalar_one_or_none()


def list_cases(
    session: Session, scope: ListScope, viewer: Viewer, *, limit: int, customer: str | None = None
) -> list[Case]:
    """Open cases (and mine: assigned to or reported by the viewer) by due time; all cases newest first;
    with `customer`, only that customer's.

    Only the cases the viewer may see: all of them for an agent, a customer's to a customer in their
    channel, else those they reported, are assigned or were called to (bot/access.py).
    """
    query = select(Case)
    me = viewer.user
    if customer is not None:
        query = query.where(col(Case.customer_id) == customer)
    if scope in (ListScope.OPEN, ListScope.MINE):
        query = query.where(col(Case.status).in_(ACTIVE_STATUSES))
    if scope == ListScope.MINE:
        query = query.where(or_(col(Case.reporter_id) == me, col(Case.assignee_id) == me))
    if viewer.customer is not None:
        query = query.where(col(Case.customer_id) == viewer.customer)
    elif not viewer.everything:
        called = select(col(CaseParty.case_id)).where(col(CaseParty.party_id).in_([me, *viewer.groups]))
        query = query.where(or_(col(Case.reporter_id) == me, col(Case.assignee_id) == me, col(Case.id).in_(called)))
    if scope == ListScope.ALL:
        query = query.order_by(col(Case.number).desc())
    else:
        query = query.order_by(col(Case.due_at), col(Case.number))
    return list(session.execute(query.limit(limit)).scalars())


def insert_cases(session: Session, cases: Sequence[Case]) -> None:
    """Number the cases (in order, one step of the counter) and store them in one statement; sets their ids.

    The rows go in as one JSON value, each column converted as the ORM would (a batch of new cases:
    an executemany of thirty columns a row cost more than the rest of the opening)."""
    table = table_of(Case)
    names = [column.name for column in table.columns if column.name != "id"]
    for case, number in zip(cases, next_numbers(session, len(cases)), strict=True):
        case.number = number
    if is_postgres(session):
        convert = {c.name: (lambda t: t and t.isoformat()) for c in table.columns if isinstance(c.type, UTCDateTime)}
        statement = f"SELECT {', '.join(names)} FROM json_populate_recordset(NULL::cases, CAST(:rows AS json))"
    else:
        convert = {c.name: sqlite_bind_value(session, c) for c in table.columns if isinstance(c.type, UTCDateTime)}
        values = ", ".join(f"json_extract(value, '$.{name}')" for name in names)
        statement = f"SELECT {values} FROM json_each(:rows) WHERE true"
    rows = [{n: convert[n](getattr(case, n)) if n in convert else getattr(case, n) for n in names} for case in cases]
    insert = text(f"INSERT INTO cases ({', '.join(names)}) {statement} RETURNING number, id")
    result = session.execute(insert, {"rows": json.dumps(rows, ensure_ascii=False)})
    ids = {int(number): int(case_id) for number, case_id in result.all()}
    for case in cases:
        case.id = ids[case.number]


# --- the case history: one writer ------------------------------------------------------------------


class NewEvent(NamedTuple):
    """A line to append to a case's history."""

    case_id: int
    kind: str
    actor_id: str
    at: datetime
    old_value: str | None = None
    new_value: str | None = None
    reason: str | None = None


_PG_APPEND = text(
    """
    INSERT INTO case_events (case_id, kind, actor_id, at, old_value, new_value, reason)
    SELECT v.case_id, v.kind, v.actor_id, v.at, v.old_value, v.new_value, v.reason
    FROM json_to_recordset(CAST(:rows AS json))
         AS v(case_id integer, kind text, actor_id text, at timestamptz, old_value text, new_value text, reason text)
    """
)
_SQLITE_APPEND = text(
    """
    INSERT INTO case_events (case_id, kind, actor_id, at, old_value, new_value, reason)
    SELECT json_extract(value, '$.case_id'), json_extract(value, '$.kind'), json_extract(value, '$.actor_id'),
           json_extract(value, '$.at'), json_extract(value, '$.old_value'), json_extract(value, '$.new_value'),
           json_extract(value, '$.reason')
    FROM json_each(:rows)
    """
)


def append_events(session: Session, events: Sequence[NewEvent], *, returning: bool = False) -> list[int]:
    """Append to the cases' histories in one statement, whatever the number of events (their ids if asked).

    The only writer of `case_events`: CaseService's changes and the SLA sweep's notices alike.
    """
    if not events:
        return []
    statement = _PG_APPEND if is_postgres(session) else _SQLITE_APPEND
    if returning:
        statement = text(f"{statement.text} RETURNING id")
    result = session.execute(statement, {"rows": _event_rows(session, events)})
    return [int(i) for i in result.scalars()] if returning else []


def _event_rows(session: Session, events: Sequence[NewEvent]) -> str:
    """The events as the JSON value the append statements read."""
    postgres = is_postgres(session)
    convert = (lambda t: t.isoformat()) if postgres else sqlite_bind_value(session, table_of(CaseEvent).c.at)
    moments: dict[datetime, Any] = {}  # a sweep's events share one moment: converted once
    rows = [
        {
            "case_id": e.case_id,
            "kind": str(e.kind),
            "actor_id": e.actor_id,
            "at": moments[e.at] if e.at in moments else moments.setdefault(e.at, convert(e.at)),
            "old_value": e.old_value,
            "new_value": e.new_value,
            "reason": e.reason,
        }
        for e in events
    ]
    return json.dumps(rows, ensure_ascii=False)


def append_events_by_case(session: Session, events: Sequence[NewEvent]) -> dict[int, int]:
    """Append one event per case in one statement; each case's event id (a batch of new cases)."""
    if not events:
        return {}
    rows = _event_rows(session, events)
    statement = _PG_APPEND if is_postgres(session) else _SQLITE_APPEND
    result = session.execute(text(f"{statement.text} RETURNING case_id, id"), {"rows": rows})
    return {int(case_id): int(event_id) for case_id, event_id in result.all()}


def append_event(session: Session, event: NewEvent) -> CaseEvent:
    """Append one line to a case's history; the stored event."""
    (event_id,) = append_events(session, [event], returning=True)
    return CaseEvent(
        id=event_id,
        case_id=event.case_id,
        kind=str(event.kind),
        actor_id=event.actor_id,
        at=event.at,
        old_value=event.old_value,
        new_value=event.new_value,
        reason=event.reason,
    )


# --- the SLA sweep ---------------------------------------------------------------------------------

# What the sweep reads of a case: a narrow row, not the ORM object (a thousand of them per batch), in
# the order of these names (bot/sla_notices.py's Timing has the same fields).
DUE_COLUMNS = {
    "id": col(Case.id),
    "number": col(Case.number),
    "priority": col(Case.priority),
    "status": col(Case.status),
    "created_at": col(Case.created_at),
    "due_at": col(Case.due_at),
    "first_response_at": col(Case.first_response_at),
    "next_check": col(Case.sla_check_at),
    "breach_count": col(Case.sla_breach_count),
    "assignee": col(Case.assignee_id),
    "plan": col(Case.plan),
}


def due_rows(session: Session, now: datetime, *, limit: int) -> Sequence[Row[Any]]:
    """The cases whose next SLA check has come, longest waiting first, through the index on `sla_check_at`.

    Each row holds DUE_COLUMNS, in that order.

    On PostgreSQL the rows stay locked until the transaction ends, and rows another sweep holds are
    skipped (FOR UPDATE SKIP LOCKED): two replicas never decide the same case at once.
    """
    query = (
        select(*DUE_COLUMNS.values())
        .where(col(Case.sla_check_at).is_not(None), col(Case.sla_check_at) <= now)
        .order_by(col(Case.sla_check_at), col(Case.id))  # ties in case order: the same batches on every replica
        .limit(limit)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return session.execute(query).all()


_PG_MOVE = text(  # the planner joins through the primary key (a nested loop), not a table scan
    """
    UPDATE cases SET sla_check_at = v.next_check, sla_breach_count = v.breach_count
    FROM json_to_recordset(CAST(:rows AS json)) AS v(case_id integer, next_check timestamptz, breach_count integer)
    WHERE cases.id = v.case_id
    """
)
_SQLITE_MOVE = text(  # json_each scanned, cases looked up by rowid
    """
    UPDATE cases SET sla_check_at = json_extract(v.value, '$.next_check'),
                     sla_breach_count = json_extract(v.value, '$.breach_count')
    FROM json_each(:rows) AS v
    WHERE cases.id = json_extract(v.value, '$.case_id')
    """
)


def move_checks(session: Session, checks: Sequence[tuple[int, datetime | None, int]]) -> None:
    """Set each case's next check and breach count: (case id, sla_check_at, sla_breach_count)."""
    if not checks:
        return
    postgres = is_postgres(session)
    when = (lambda t: t and t.isoformat()) if postgres else sqlite_bind_value(session, table_of(Case).c.sla_check_at)
    rows = [{"case_id": case_id, "next_check": when(check), "breach_count": count} for case_id, check, count in checks]
    session.execute(_PG_MOVE if postgres else _SQLITE_MOVE, {"rows": json.dumps(rows)})


_PG_CARDS = text(
    """
    UPDATE cases SET message_channel = v.channel, message_ts = v.ts
    FROM json_to_recordset(CAST(:rows AS json)) AS v(case_id integer, channel text, ts text)
    WHERE cases.id = v.case_id
    """
)
_SQLITE_CARDS = text(
    """
    UPDATE cases SET message_channel = json_extract(v.value, '$.channel'), message_ts = json_extract(v.value, '$.ts')
    FROM json_each(:rows) AS v
    WHERE cases.id = json_extract(v.value, '$.case_id')
    """
)


def remember_cards(session: Session, cards: Sequence[tuple[int, str | None, str | None]]) -> None:
    """Where each case's card was posted: (case id, channel, ts), in one statement."""
    if not cards:
        return
    rows = [{"case_id": case_id, "channel": channel, "ts": ts} for case_id, channel, ts in cards]
    session.execute(_PG_CARDS if is_postgres(session) else _SQLITE_CARDS, {"rows": json.dumps(rows)})
