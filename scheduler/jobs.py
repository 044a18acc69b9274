"""The periodic work, as plain functions of what each one uses, so tests call them directly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial

from bot.events import EventLog
from bot.outbox import DeliveryReport, Outbox
from bot.services import Services
from bot.sla_clock import SweepReport
from scheduler.sla_sweep import run_sla_sweep

log = logging.getLogger(__name__)

OUTBOX_BATCH = 100
MAX_OUTBOX_BATCHES = 20


def deliver_outbox(outbox: Outbox) -> DeliveryReport:
    """Send whatever is due in the outbox: retries after Slack failures, or after a restart.

    Batch after batch while messages keep going out, so a backlog (a thousand pages after an
    outage) drains in one run instead of a hundred per run.
    """
    report = DeliveryReport()
    for _ in range(MAX_OUTBOX_BATCHES):
        batch = outbox.deliver(limit=OUTBOX_BATCH)
        report.merge(batch)
        if len(batch.sent) + len(batch.failed) + len(batch.dropped) < OUTBOX_BATCH:
            break
    if report.sent or report.failed:
        log.info("outbox: %d sent, %d retrying, %d failed", len(report.sent), len(report.retrying), len(report.failed))
    return report


def timed_sweep(services: Services) -> SweepReport:
    """The SLA sweep, its duration and notices counted for GET /metrics."""
    started = time.perf_counter()
    report = run_sla_sweep(services.sla, services.db, services.outbox, services.clock)
    elapsed = time.perf_counter() - started
    services.metrics.swept(elapsed, len(report.warnings), len(report.breaches), len(report.lead_pings))
    return report


def prune_events(events: EventLog) -> int:
    """Forget processed event ids after a day."""
    return events.prune()


def periodic_jobs(services: Services) -> dict[str, Callable[[], object]]:
    """Each job by its id, given what it uses, in the order `run_all` runs them."""
    return {
        # Requests acknowledged and not yet carried out: spooled in an outage, or their replica died (bot/intake.py).
        "intake": services.intake.run,
        # Warn, page and ping for cases nobody has answered in time (bot/sla_clock.py decides).
        "sla_sweep": partial(timed_sweep, services),
        "deliver_outbox": partial(deliver_outbox, services.outbox),
        "prune_events": partial(prune_events, services.events),
        # What another replica taught, and knowledge files edited on disk (bot/faq_sync.py).
        "faq_sync": services.knowledge.run,
        # The weekly digest, once per week across replicas and restarts (bot/reports/digest.py decides).
        "weekly_digest": services.digest.run,
    }


def run_all(services: Services) -> None:
    """Every job once, in order (the console's `/sweep` and `/clock`)."""
    for job in periodic_jobs(services).values():
        job()
