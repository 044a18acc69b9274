"""The SLA sweep: warnings, breach pages and CS Lead pings for cases nobody has answered yet.

It reads only the cases whose `sla_check_at` has come (an indexed column), decides what each one
needs, queues it in the outbox under a unique key per (case, kind, sequence), moves the case's
next check forward, and commits; delivery follows. Every replica may run it: the keys make each
notification exist once, and the outbox claim makes it sent once. After downtime the sequence
number is computed from the current time, so a late case gets one page, not one per missed run.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlmodel import Session, col

from bot.access import Party, escalation_parties, involve, oncall_parties
from bot.cases import ACTIVE_STATUSES
from bot.database import sqlite_bind_value
from bot.models import Case, UTCDateTime
from bot.oncall import OnCall
from bot.outbox import OutboxItem, enqueue_many
from bot.services import Services

log = logging.getLogger(__name__)

BATCH = 1000
MAX_BATCHES = 50  # 50,000 cases in one sweep at most; the rest wait for the next
SWEEP_LOCK = "supportbot.sla_sweep"

# What the sweep reads of a case: a narrow row, not the ORM object (1,000 of them per sweep at most).
_DUE_COLUMNS = (
    col(Case.id),
    col(Case.number),
    col(Case.priority),
    col(Case.status),
    col(Case.created_at),
    col(Case.due_at),
    col(Case.first_response_at),
    col(Case.sla_breach_count),
)


@dataclass
class SweepReport:
    examined: int = 0
    warnings: list[int] = field(default_factory=list)  # case numbers
    breaches: list[int] = field(default_factory=list)
    lead_pings: list[int] = field(default_factory=list)
    skipped: bool = False  # another replica held the sweep lock
    keys: list[str] = field(default_factory=list)  # the outbox messages queued by this sweep


@dataclass(slots=True)
class _Notice:
    """One notification the sweep decided on; if it is new, it is reported and (most) recorded."""

    case_id: int
    number: int
    kind: str
    key: str
    payload: dict[str, Any]
    event_kind: str | None = None  # the case event that records it; None for the DM that goes with a page
    event_value: str | None = None
    bucket: str | None = None  # the SweepReport list it is counted in
    parties: tuple[Party, ...] = ()  # whom it calls: they may then act on the case (bot/access.py)


def breach_sequence(late: timedelta, renotify: timedelta) -> int:
    """1 for the first page, then one more per `renotify` interval of lateness."""
    if renotify <= timedelta(0):
        return 1
    return 1 + int(late / renotify)


# One statement per step, whatever the number of cases, with the rows passed as one JSON value:
# json_to_recordset() on PostgreSQL, json_each() on SQLite (the outbox's enqueue_many does the same).
_PG_RECORD = text(
    """
    INSERT INTO case_events (case_id, kind, actor_id, at, new_value)
    SELECT v.case_id, v.kind, 'supportbot', :now, v.value
    FROM json_to_recordset(CAST(:rows AS json)) AS v(case_id integer, kind text, value text)
    """
)
_PG_MOVE = text(  # the planner joins through the primary key (a nested loop), not a table scan
    """
    UPDATE cases SET sla_check_at = v.next_check, sla_breach_count = v.breach_count
    FROM json_to_recordset(CAST(:rows AS json)) AS v(case_id integer, next_check timestamptz, breach_count integer)
    WHERE cases.id = v.case_id
    """
)

# SQLite: the JSON holds values already converted by the columns' own types (sqlite_bind_value),
# so they are stored exactly as an ORM write would store them.
_SQLITE_RECORD = text(
    """
    INSERT INTO case_events (case_id, kind, actor_id, at, new_value)
    SELECT json_extract(value, '$.case_id'), json_extract(value, '$.kind'), 'supportbot', :now,
           json_extract(value, '$.value')
    FROM json_each(:rows)
    """
).bindparams(bindparam("now", type_=UTCDateTime()))
_SQLITE_MOVE = text(  # json_each scanned, cases looked up by rowid
    """
    UPDATE cases SET sla_check_at = json_extract(v.value, '$.next_check'),
                     sla_breach_count = json_extract(v.value, '$.breach_count')
    FROM json_each(:rows) AS v
    WHERE cases.id = json_extract(v.value, '$.case_id')
    """
)


def _record_many(session: Session, notices: list[_Notice], now: datetime) -> None:
    """One case event per new notification, for the case's history (`/case show`)."""
    if not notices:
        return
    rows = [{"case_id": n.case_id, "kind": n.event_kind, "value": n.event_value} for n in notices]
    session.execute(
        _PG_RECORD if _is_postgres(session) else _SQLITE_RECORD,
        {"now": now, "rows": json.dumps(rows, ensure_ascii=False)},
    )


def _move_checks(session: Session, checks: list[tuple[int, datetime | None, int]]) -> None:
    """Set each case's next check and breach count: (case id, sla_check_at, sla_breach_count)."""
    if not checks:
        return
    postgres = _is_postgres(session)
    table = Case.__table__  # type: ignore[attr-defined]
    when = (lambda t: t and t.isoformat()) if postgres else sqlite_bind_value(session, table.c.sla_check_at)
    rows = [{"case_id": case_id, "next_check": when(check), "breach_count": count} for case_id, check, count in checks]
    session.execute(_PG_MOVE if postgres else _SQLITE_MOVE, {"rows": json.dumps(rows)})


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def sweep_due_cases(session: Session, services: Services, now: datetime) -> SweepReport:
    """Decide and queue what is due, in the caller's transaction. Pure database work, no Slack.

    A handful of statements whatever the number of due cases: one indexed read, batched inserts
    into the outbox and the case history, and one batched update of the cases' next check.
    """
    report = SweepReport()
    sla = services.sla
    renotify = services.config.sla.renotify
    query = (
        select(*_DUE_COLUMNS)
        .where(col(Case.sla_check_at).is_not(None), col(Case.sla_check_at) <= now)
        .order_by(col(Case.sla_check_at))
        .limit(BATCH)
    )
    if services.db.is_postgres:
        query = query.with_for_update(skip_locked=True)
    notices: list[_Notice] = []
    next_checks: list[tuple[int, datetime | None, int]] = []
    on_call: OnCall | None = None  # the same for every case at `now`: looked up once, if needed
    for case in session.execute(query).all():
        report.examined += 1
        check: datetime | None = None
        count = case.sla_breach_count
        if case.first_response_at is not None or case.status not in ACTIVE_STATUSES:
            pass  # answered or closed: nothing more to watch
        elif now < case.due_at:
            warn = sla.warn_at(case.created_at, case.priority)
            if warn is not None and now < warn:
                check = warn  # looked at early (another replica's clock, a changed config): not yet
            else:
                if warn is not None:
                    key = f"sla:{case.id}:warning:{case.priority}:{case.due_at.isoformat()}"
                    notices.append(
                        _Notice(case.id, case.number, "sla.warning", key, {}, "sla_warning", case.priority, "warnings")
                    )
                check = case.due_at
        elif case.priority == "high":
            sequence = breach_sequence(now - case.due_at, renotify)
            if on_call is None:
                on_call = services.oncall.at(now, session=session)
            key = f"sla:{case.id}:breach:{case.due_at.isoformat()}:{sequence}"
            payload = {"mentions": on_call.mentions, "sequence": sequence, "here": on_call.pages_here}
            called = tuple(oncall_parties(on_call))
            notices.append(
                _Notice(
                    case.id, case.number, "sla.breach", key, payload, "sla_breach", str(sequence), "breaches", called
                )
            )
            if on_call.primary and on_call.primary.startswith(("U", "W")):  # a user group gets no DM
                dm = {"user": on_call.primary, "sequence": sequence}
                notices.append(_Notice(case.id, case.number, "sla.breach_dm", f"{key}:dm", dm))
            count = sequence
            check = case.due_at + sequence * renotify if renotify > timedelta(0) else None
        else:
            key = f"sla:{case.id}:lead:{case.due_at.isoformat()}"
            lead = tuple(escalation_parties(2, services.config.escalation))
            notices.append(_Notice(case.id, case.number, "sla.lead", key, {}, "sla_breach", "lead", "lead_pings", lead))
            count = 1
        next_checks.append((case.id, check, count))

    queued = enqueue_many(session, [OutboxItem(n.key, n.kind, n.case_id, n.payload) for n in notices], now)
    new = [n for n in notices if n.key in queued]  # a key seen before (another sweep, a restart) is not news
    for notice in new:
        report.keys.append(notice.key)
        if notice.bucket:
            getattr(report, notice.bucket).append(notice.number)
    _record_many(session, [n for n in new if n.event_kind], now)
    involve(session, [(n.case_id, party) for n in new for party in n.parties], now)
    _move_checks(session, next_checks)
    return report


def run_sla_sweep(services: Services) -> SweepReport:
    """One sweep: decide and queue a batch in one transaction, deliver it, and go on while batches are full.

    After downtime more than BATCH cases may be overdue; they are all handled now, a batch at a
    time, rather than a batch per check_interval. Each case's next check moves past `now`, so no
    case is looked at twice in one sweep.
    """
    now = services.clock.now()
    total = SweepReport()
    for _ in range(MAX_BATCHES):
        with services.db.transaction() as session:
            if services.db.is_postgres:
                # Another replica is sweeping right now: it will do the same work, so skip this run.
                locked = session.execute(
                    text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"), {"name": SWEEP_LOCK}
                )
                if not locked.scalar():
                    total.skipped = True
                    break
            report = sweep_due_cases(session, services, now)
        total.examined += report.examined
        total.warnings += report.warnings
        total.breaches += report.breaches
        total.lead_pings += report.lead_pings
        total.keys += report.keys
        if report.keys:
            services.outbox.deliver_keys(report.keys)
        if report.examined < BATCH:
            break
    if total.warnings or total.breaches or total.lead_pings:
        log.info(
            "SLA sweep: %d warning(s), %d breach page(s), %d CS Lead ping(s)",
            len(total.warnings),
            len(total.breaches),
            len(total.lead_pings),
        )
    return total
