"""Composition: the services the app, the scheduler and the console share, built once."""

from __future__ import annotations

from dataclasses import dataclass

from bot.agents import ConfiguredAgents
from bot.cases import CaseService
from bot.clock import Clock, SystemClock
from bot.config import BehaviourConfig, Settings
from bot.database import Database
from bot.events import EventLog
from bot.faq import FaqService
from bot.i18n import Language
from bot.notify import Notifier
from bot.oncall import OncallService
from bot.outbox import Outbox
from bot.plans import PlanCatalog
from bot.sla import SlaPolicy
from bot.sla_clock import SlaClock
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
    agents: ConfiguredAgents
    sla: SlaClock
    oncall: OncallService
    faq: FaqService
    cases: CaseService

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
    index = index or KnowledgeIndex.from_path(config.knowledge_path(), cache_dir=settings.faq_index_cache)
    outbox = Outbox(db, clock)
    agents = ConfiguredAgents(config.agents)
    # Until cases store their plan (issue 11, part 2), every case runs on the default plan: without
    # [plans] that is [sla.<priority>] on [business_hours], exactly as before.
    default_plan = PlanCatalog.from_config(config).default
    targets: dict[str, object] = {priority: target for priority, target in default_plan.targets.items()}
    policy = SlaPolicy(config.sla.model_copy(update=targets), default_plan.calendar)
    oncall = OncallService(db, clock, config.oncall, agents, outbox)
    sla = SlaClock.from_config(config, oncall, policy)
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
        faq=FaqService(db, clock, index, config.faq, outbox, language=Language(config.language)),
        cases=CaseService(db, clock, sla, outbox, agents, config.cases, config.escalation),
    )
