"""Composition: the services the app, the scheduler and the console share, built once."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.config import BehaviourConfig, Settings
from bot.database import Database
from bot.events import EventLog
from bot.faq import FaqService
from bot.notify import Notifier
from bot.outbox import Outbox
from knowledge.search import KnowledgeIndex


@dataclass
class Services:
    settings: Settings
    config: BehaviourConfig
    clock: Clock
    db: Database
    index: KnowledgeIndex
    outbox: Outbox
    events: EventLog
    faq: FaqService

    def attach_notifier(self, notifier: Notifier) -> None:
        """Give the outbox its way out (Slack in production, a recorder in unit tests)."""
        self.outbox.notifier = notifier

    def close(self) -> None:
        self.db.dispose()


def build_services(
    settings: Settings,
    config: BehaviourConfig,
    *,
    clock: Clock | None = None,
    db: Database | None = None,
    index: KnowledgeIndex | None = None,
) -> Services:
    clock = clock or SystemClock()
    db = db or Database(settings.database_url)
    index = index or KnowledgeIndex.from_path(config.knowledge_path())
    outbox = Outbox(db, clock)
    return Services(
        settings=settings,
        config=config,
        clock=clock,
        db=db,
        index=index,
        outbox=outbox,
        events=EventLog(db, clock),
        faq=FaqService(db, clock, index, config.faq, outbox, language=config.language),
    )
