"""The SLA sweep: warnings, breach pages and CS Lead pings for cases nobody has answered yet.

It reads only the cases whose `sla_check_at` has come (an indexed column), decides what each one
needs, queues it in the outbox under a unique key per (case, kind, sequence), moves the case's
next check forward, and commits; delivery follows. Every replica may run it: the keys make each
notification exist once, and the outbox claim makes it sent once. After downtime the sequence
number is computed from the current time, so a late case gets one page, not one per missed run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlmodel import Session, col

from bot.cases import ACTIVE_STATUSES
from bot.models import Case, CaseEvent
from bot.outbox import enqueue
from bot.services import Services

log = logging.getLogger(__name__)

BATCH = 1000
SWEEP_LOCK = "supportbot.sla_sweep"


@dataclass
class SweepReport:
    examined: int = 0
    warnings: list[int] = field(default_factory=list)  # case numbers
    breaches: list[int] = field(default_factory=list)
    lead_pings: list[int] = field(default_factory=list)
    skipped: bool = False  # another replica held the sweep lock
    keys: list[str] = field(default_factory=list)  # the outbox messages queued by this sweep


def breach_sequence(late: timedelta, renotify: timedelta) -> int:
    """1 for the first page, then one more per `renotify` interval of lateness."""
    if renotify <= timedelta(0):
        return 1
    return 1 + int(late / renotify)


def _record(session: Session, case: Case, kind: str, now: datetime, value: str) -> None:
    session.add(CaseEvent(case_id=case.id, kind=kind, actor_id="supportbot", at=now, new_value=value))


def sweep_due_cases(session: Session, services: Services, now: datetime) -> SweepReport:
    """Decide and queue what is due, in the caller's transaction. Pure database work, no Slack."""
    report = SweepReport()
    sla = services.sla
    renotify = services.config.sla.renotify
    query = (
        select(Case)
        .where(col(Case.sla_check_at).is_not(None), col(Case.sla_check_at) <= now)
        .order_by(col(Case.sla_check_at))
        .limit(BATCH)
    )
    if services.db.is_postgres:
        query = query.with_for_update(skip_locked=True)
    for case in session.execute(query).scalars():
        report.examined += 1
        assert case.id is not None
        if case.first_response_at is not None or case.status not in ACTIVE_STATUSES:
            case.sla_check_at = None
            continue
        if now < case.due_at:
            warn = sla.warn_at(case.created_at, case.priority)
            if warn is not None and now >= warn:
                key = f"sla:{case.id}:warning:{case.priority}:{case.due_at.isoformat()}"
                if enqueue(session, kind="sla.warning", key=key, now=now, case_id=case.id):
                    report.keys.append(key)
                    _record(session, case, "sla_warning", now, case.priority)
                    report.warnings.append(case.number)
            case.sla_check_at = case.due_at
            continue
        late = now - case.due_at
        if case.priority == "high":
            sequence = breach_sequence(late, renotify)
            on_call = services.oncall.at(now, session=session)
            payload = {"mentions": on_call.mentions, "sequence": sequence}
            key = f"sla:{case.id}:breach:{case.due_at.isoformat()}:{sequence}"
            if enqueue(session, kind="sla.breach", key=key, now=now, case_id=case.id, payload=payload):
                report.keys.append(key)
                _record(session, case, "sla_breach", now, str(sequence))
                report.breaches.append(case.number)
                if (
                    on_call.primary
                    and on_call.primary.startswith(("U", "W"))
                    and enqueue(
                        session,
                        kind="sla.breach_dm",
                        key=f"{key}:dm",
                        now=now,
                        case_id=case.id,
                        payload={"user": on_call.primary, "sequence": sequence},
                    )
                ):
                    report.keys.append(f"{key}:dm")
            case.sla_breach_count = sequence
            case.sla_check_at = case.due_at + sequence * renotify if renotify > timedelta(0) else None
        else:
            key = f"sla:{case.id}:lead:{case.due_at.isoformat()}"
            if enqueue(session, kind="sla.lead", key=key, now=now, case_id=case.id):
                report.keys.append(key)
                _record(session, case, "sla_breach", now, "lead")
                report.lead_pings.append(case.number)
            case.sla_breach_count = 1
            case.sla_check_at = None
    return report


def run_sla_sweep(services: Services) -> SweepReport:
    """One sweep: decide and queue in one transaction, then deliver what it queued."""
    now = services.clock.now()
    with services.db.transaction() as session:
        if services.db.is_postgres:
            # Another replica is sweeping right now: it will do the same work, so skip this run.
            locked = session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"), {"name": SWEEP_LOCK})
            if not locked.scalar():
                return SweepReport(skipped=True)
        report = sweep_due_cases(session, services, now)
    if report.warnings or report.breaches or report.lead_pings:
        log.info(
            "SLA sweep: %d warning(s), %d breach page(s), %d CS Lead ping(s)",
            len(report.warnings),
            len(report.breaches),
            len(report.lead_pings),
        )
        services.outbox.deliver_keys(report.keys)
    return report
