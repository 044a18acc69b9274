"""Composition: the services the app, the scheduler and the console share, built once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from bot.agents import ConfiguredAgents
from bot.cases import CaseService
from bot.clock import Clock, SystemClock
from bot.config import BehaviourConfig
from bot.customers import CustomerDirectory
from bot.database import Database, DatabaseUnavailable
from bot.events import EventLog
from bot.faq import FaqService
from bot.faq_sync import KnowledgeSync
from bot.faq_teaching import FaqTeaching
from bot.i18n import Language
from bot.intake import Intake
from bot.metrics import Metrics
from bot.notify import Notifier
from bot.oncall import OncallService
from bot.outbox import Outbox
from bot.reports import ReportRules, Reports
from bot.reports.digest import WeeklyDigest
from bot.reports.service import EntryQuestions
from bot.settings import Settings
from bot.sla_clock import SlaClock
from bot.spool import Spool
from knowledge import soft_terms
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
    customers: CustomerDirectory
    knowledge: KnowledgeSync  # the index in step with what was taught and with the files
    teaching: FaqTeaching
    intake: Intake  # requests recorded before they are acknowledged (issue 14)
    reports: Reports  # how support is doing (App Home, `/case stats`, the weekly digest)
    digest: WeeklyDigest  # the weekly digest's job (scheduler/jobs.py)
    metrics: Metrics = field(default_factory=Metrics)  # what GET /metrics shows (bot/metrics.py)

    def attach_notifier(self, notifier: Notifier) -> None:
        """Give the outbox its way out (Slack in production, a recorder in unit tests)."""
        self.outbox.notifier = notifier

    def close(self) -> None:
        self.intake.writer.close()
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
    soft_terms.configure(config.faq.soft_terms)
    index = index or KnowledgeIndex.from_path(
        config.knowledge_path(), cache_dir=settings.faq_index_cache, dense=config.faq.dense
    )
    outbox = Outbox(db, clock)
    agents = ConfiguredAgents(config.agents)
    oncall = OncallService(db, clock, config.oncall, agents, outbox)
    sla = SlaClock.from_config(config, oncall)  # each case's target by the plan stored on it (bot/plans.py)
    customers = CustomerDirectory(db, clock)
    knowledge = KnowledgeSync(db, index, config.knowledge_path())
    _pull_what_was_taught(knowledge)
    language = Language(config.language)
    metrics = Metrics(db, clock)
    faq = FaqService(db, clock, index, config.faq, outbox, language=language, customers=customers)
    faq.on_decision = metrics.faq_decision
    teaching = FaqTeaching(
        db, clock, index, agents, outbox, knowledge, review_channel=config.channels.cases, language=language
    )
    cases = CaseService(db, clock, sla, outbox, agents, config.cases, config.escalation, customers)
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
        faq=faq,
        cases=cases,
        customers=customers,
        knowledge=knowledge,
        teaching=teaching,
        intake=Intake(db, clock, cases, outbox, Spool(settings.spool_dir)),
        reports=Reports(db, clock, ReportRules.from_config(config, sla.plans), entry_questions=EntryQuestions(index)),
        digest=WeeklyDigest(db, clock, outbox, config.reports, config.business_hours.timezone, worker=outbox.worker_id),
        metrics=metrics,
    )


def _pull_what_was_taught(knowledge: KnowledgeSync) -> None:
    """Phrasings and entries taught in Slack are searched from the first question; without the database
    now, the scheduled sync (scheduler/jobs.py) applies them once it is back."""
    try:
        knowledge.pull()
    except (DatabaseUnavailable, SQLAlchemyError) as exc:
        log.warning("what was taught in Slack is not applied yet (%s); the next sync applies it", exc)
