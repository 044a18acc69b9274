"""The SLA job: the sweep lock, the batch loop and delivery.

What each case needs (a warning, a page, a CS Lead ping) and when it is looked at next is decided by
bot/sla_clock.py; this job only makes one replica sweep at a time, hands it the due cases a batch
at a time, and delivers what each batch queued. Every replica may run it: the outbox keys make each
notification exist once, and the outbox claim makes it sent once.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlmodel import Session

from bot.clock import Clock
from bot.database import Database, is_postgres
from bot.outbox import Outbox
from bot.sla_clock import SlaClock, SweepReport

log = logging.getLogger(__name__)

BATCH = 1000
MAX_BATCHES = 50  # 50,000 cases in one sweep at most; the rest wait for the next
SWEEP_LOCK = "supportbot.sla_sweep"


def _sweep_lock(session: Session) -> bool:
    """The sweep's lock for this transaction; False when another replica is sweeping right now.

    On PostgreSQL an advisory lock; the due rows are also read FOR UPDATE SKIP LOCKED, so even
    without it two sweeps never decide the same case. SQLite has one writer at a time anyway.
    """
    if not is_postgres(session):
        return True
    locked = session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"), {"name": SWEEP_LOCK})
    return bool(locked.scalar())


def run_sla_sweep(sla: SlaClock, db: Database, outbox: Outbox, clock: Clock) -> SweepReport:
    """One sweep: decide and queue a batch in one transaction, deliver it, and go on while batches are full.

    After downtime more than BATCH cases may be overdue; they are all handled now, a batch at a
    time, rather than a batch per check_interval. Each case's next check moves past `now`, so no
    case is looked at twice in one sweep.
    """
    now = clock.now()
    total = SweepReport()
    for _ in range(MAX_BATCHES):
        with db.transaction() as session:
            if not _sweep_lock(session):  # another replica does the same work right now
                total.skipped = True
                break
            report = sla.sweep(session, now, limit=BATCH)
        total.merge(report)
        if report.keys:
            outbox.deliver_keys(report.keys)
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
