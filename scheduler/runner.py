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

from bot.database import DatabaseUnavailable
from bot.services import Services
from scheduler import jobs

log = logging.getLogger(__name__)

OUTBOX_INTERVAL = timedelta(seconds=5)
# Requests acknowledged while the database was down are opened within this of its return.
INTAKE_INTERVAL = timedelta(seconds=1)
PRUNE_INTERVAL = timedelta(hours=1)
FAQ_SYNC_INTERVAL = timedelta(seconds=10)  # taught on another replica, or a knowledge file edited: answered within
DIGEST_INTERVAL = timedelta(minutes=1)  # the weekly digest goes out within a minute of its time


def _guarded(name: str, job: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except DatabaseUnavailable as exc:  # an outage: not a bug, and every job catches up once it is over
            log.warning("scheduled job %s: database unavailable; it runs again at its next interval: %s", name, exc)
        except Exception:
            log.exception("scheduled job %s failed; it runs again at its next interval", name)

    run.__name__ = name
    return run


def build_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})

    every = {
        "intake": INTAKE_INTERVAL,
        "sla_sweep": services.config.sla.check_interval,
        "deliver_outbox": OUTBOX_INTERVAL,
        "prune_events": PRUNE_INTERVAL,
        "faq_sync": FAQ_SYNC_INTERVAL,
        "weekly_digest": DIGEST_INTERVAL,
    }
    for name, job in jobs.periodic_jobs(services).items():
        scheduler.add_job(
            _guarded(name, job),
            "interval",
            seconds=every[name].total_seconds(),
            id=name,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(int(every[name].total_seconds()), 1),
        )
    return scheduler
