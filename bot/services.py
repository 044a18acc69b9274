"""Composition: the services the app, the scheduler and the console share, built once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.agents import ConfiguredAgents
from bot.cases import CaseService
from bot.clock import Clock, SystemClock
from bot.config import BehaviourConfig, Settings
from bot.database import Database, DatabaseUnavailable
from bot.events import EventLog
from bot.faq import FaqService
from bot.faq_sync import KnowledgeSync
from bot.faq_teaching import FaqTeaching
from bot.i18n import Language
from bot.notify import Notifier
from bot.oncall import OncallService
from bot.outbox import Outbox
from bot.plans import PlanCatalog
from bot.sla import SlaPolicy
from bot.sla_clock import SlaClock
from knowledge.search import KnowledgeIndex

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    config: BehaviourConfig
    clock: Clock
    db: Database
    index: KnowledgeIndex
    outbox: Outbox
    events: EventLog
    agents: ConfiguredAgents
    sla: SlaClock
    oncall: OncallService
    faq: FaqService
    cases: CaseService
    knowledge: KnowledgeSync  # the index in step with what was taught and with the files
    teaching: FaqTeaching

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
    index = index or KnowledgeIndex.from_path(
        config.knowledge_path(), cache_dir=settings.faq_index_cache, dense=config.faq.dense
    )
    outbox = Outbox(db, clock)
    agents = ConfiguredAgents(config.agents)
    # Until cases store their plan (issue 11, part 2), every case runs on the default plan: without
    # [plans] that is [sla.<priority>] on [business_hours], exactly as before.
    default_plan = PlanCatalog.from_config(config).default
    targets: dict[str, object] = {priority: target for priority, target in default_plan.targets.items()}
    policy = SlaPolicy(config.sla.model_copy(update=targets), default_plan.calendar)
    oncall = OncallService(db, clock, config.oncall, agents, outbox)
    sla = SlaClock.from_config(config, oncall, policy)
    knowledge = KnowledgeSync(db, index, config.knowledge_path())
    _pull_what_was_taught(knowledge)
    language = Language(config.language)
    teaching = FaqTeaching(
        db, clock, index, agents, outbox, knowledge, review_channel=config.channels.cases, language=language
    )
    return Services(
        settings=settings,
        config=config,
        clock=clock,
        db=db,
        index=index,
        outbox=outbox,
        events=EventLog(db, clock),
        agents=agents,
        sla=sla,
        oncall=oncall,
        faq=FaqService(db, clock, index, config.faq, outbox, language=language),
        cases=CaseService(db, clock, sla, outbox, agents, config.cases, config.escalation),
        knowledge=knowledge,
        teaching=teaching,
    )


def _pull_what_was_taught(knowledge: KnowledgeSync) -> None:
    """Phrasings and entries taught in Slack are searched from the first question; without the database
    now, the scheduled sync (scheduler/jobs.py) applies them once it is back."""
    try:
        knowledge.pull()
    except (DatabaseUnavailable, SQLAlchemyError) as exc:
        log.warning("what was taught in Slack is not applied yet (%s); the next sync applies it", exc)
