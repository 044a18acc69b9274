"""The periodic work, as plain functions of the services, so tests call them directly."""

from __future__ import annotations

import logging

from bot.outbox import DeliveryReport
from bot.services import Services
from scheduler.sla_sweep import SweepReport, run_sla_sweep

log = logging.getLogger(__name__)

OUTBOX_BATCH = 100
MAX_OUTBOX_BATCHES = 20


def deliver_outbox(services: Services) -> DeliveryReport:
    """Send whatever is due in the outbox: retries after Slack failures, or after a restart.

    Batch after batch while messages keep going out, so a backlog (a thousand pages after an
    outage) drains in one run instead of a hundred per run.
    """
    report = DeliveryReport()
    for _ in range(MAX_OUTBOX_BATCHES):
        batch = services.outbox.deliver(limit=OUTBOX_BATCH)
        report.merge(batch)
        if len(batch.sent) + len(batch.failed) + len(batch.dropped) < OUTBOX_BATCH:
            break
    if report.sent or report.failed:
        log.info("outbox: %d sent, %d retrying, %d failed", len(report.sent), len(report.retrying), len(report.failed))
    return report


def prune_events(services: Services) -> int:
    """Forget processed event ids after a day."""
    return services.events.prune()


def sla_sweep(services: Services) -> SweepReport:
    """Warn, page and ping for cases nobody has answered in time."""
    return run_sla_sweep(services)


def run_all(services: Services) -> None:
    """Every job once, in order (the console's `/sweep` and `/clock`)."""
    sla_sweep(services)
    deliver_outbox(services)
    prune_events(services)
