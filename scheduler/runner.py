"""APScheduler 3.x in the bot's process: one job id per job, never two runs of a job at once.

The scheduler keeps no durable state (its MemoryJobStore is per process): what was sent, and
when, lives in our own tables, so a restart or a second replica changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.services import Services
from scheduler import jobs

log = logging.getLogger(__name__)

OUTBOX_INTERVAL = timedelta(seconds=5)
PRUNE_INTERVAL = timedelta(hours=1)


def _guarded(name: str, job: Callable[[Services], Any], services: Services) -> Callable[[], None]:
    def run() -> None:
        try:
            job(services)
        except Exception:
            log.exception("scheduled job %s failed; it runs again at its next interval", name)

    run.__name__ = name
    return run


def build_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})

    def add(name: str, job: Callable[[Services], Any], every: timedelta) -> None:
        scheduler.add_job(
            _guarded(name, job, services),
            "interval",
            seconds=every.total_seconds(),
            id=name,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(int(every.total_seconds()), 1),
        )

    add("sla_sweep", jobs.sla_sweep, services.config.sla.check_interval)
    add("deliver_outbox", jobs.deliver_outbox, OUTBOX_INTERVAL)
    add("prune_events", jobs.prune_events, PRUNE_INTERVAL)
    return scheduler
