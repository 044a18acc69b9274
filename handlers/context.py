"""What listeners get through Bolt's context: each service a listener uses, under its own key.

A middleware puts them into every request's context before any listener runs (as Dispatch does), so
a listener reads `context["cases"]` and a test calls it with a plain dict: no listener sees the
whole service locator, and none closes over it. The keys:

    cases      bot.cases.CaseService        faq     bot.faq.FaqService
    teaching   bot.faq_teaching.FaqTeaching (who may teach; learned phrasings, drafts, reloads)
    knowledge  knowledge.search.KnowledgeIndex (an entry shown from a `/faq` result)
    oncall     bot.oncall.OncallService     clock   bot.clock.Clock
    desk       bot.slack.desk.Desk (language, time zone, channels, limits)
    events     bot.events.EventLog (the middleware below: each Slack event id is processed once)
    intake     bot.intake.Intake (requests recorded before they are acknowledged)
    reports    bot.reports.Reports (the figures: `/case stats`, App Home)
    agents     bot.agents.ConfiguredAgents (who is an agent)
    home       bot.home.HomeService (what a person's App Home shows)

and, per request, `REFRESH_HOME` (handlers/events/app_home.py): set on a case form's submission, a
callable the form's listener calls once its change is committed, to publish the person's App Home.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.case_answers import ReplyTo, replying
from bot.events import EventLog
from bot.home import HomeService
from bot.services import Services
from bot.slack.desk import Desk

log = logging.getLogger(__name__)

REFRESH_HOME = "refresh_home"


def refresh_home(context: BoltContext) -> None:
    """The person's App Home again, if this request asked for it (`REFRESH_HOME`): after a committed change."""
    refresh = context.get(REFRESH_HOME)
    if refresh is not None:
        refresh()


@contextmanager
def answering(context: BoltContext, to: ReplyTo) -> Iterator[None]:
    """The change made in the block queues its answer to `to` (bot/case_answers.py); once it is
    committed, the person's App Home is published again (`REFRESH_HOME`)."""
    with replying(to):
        yield
    refresh_home(context)


def dependencies(services: Services) -> dict[str, Any]:
    """The context keys, from the composed services."""
    return {
        "cases": services.cases,
        "faq": services.faq,
        "teaching": services.teaching,
        "knowledge": services.index,
        "oncall": services.oncall,
        "clock": services.clock,
        "desk": Desk.from_config(services.config, services.sla.rules.targets),
        "events": services.events,
        "intake": services.intake,
        "reports": services.reports,
        "agents": services.agents,
        "home": HomeService(services.db, services.clock, services.agents, services.oncall, services.reports),
    }


def register(app: App, services: Services) -> None:
    provided = dependencies(services)

    def provide(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context.update(provided)
        return next()

    app.middleware(provide)
    app.middleware(deduplicate_events)


def deduplicate_events(body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
    """Each Slack event id is processed once, across Slack's retries and replicas."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    events: EventLog = context["events"]
    if event_id and not events.first_delivery(str(event_id)):
        log.info("event %s already processed; ignoring the redelivery", event_id)
        return BoltResponse(status=200, body="")
    return next()
