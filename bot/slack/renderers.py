"""Outbox kind → Slack message. Rendering happens at delivery time, from the current state."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cases import RESOLVED
from bot.models import Case, OutboxMessage
from bot.notify import Obsolete, PermanentDeliveryError
from bot.slack import case_blocks, faq_blocks, sla_blocks
from bot.slack.notifier import Renderer, SlackPost, require

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def faq_renderers(services: Services) -> dict[str, Renderer]:
    index = services.index

    def answer(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        entry = index.get(payload["entry_id"])
        if entry is None:
            raise PermanentDeliveryError(f"knowledge entry {payload['entry_id']} no longer exists")
        text, blocks = faq_blocks.answer_message(entry, payload.get("language", "ja"))
        return SlackPost(channel=payload["channel"], thread_ts=payload["thread_ts"], text=text, blocks=blocks)

    def suggest(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        entries = [e for e in (index.get(i) for i in payload["entry_ids"]) if e is not None]
        if not entries:
            raise PermanentDeliveryError("none of the suggested entries exists any more")
        text, blocks = faq_blocks.suggestions_message(entries, payload.get("language", "ja"))
        return SlackPost(channel=payload["channel"], thread_ts=payload["thread_ts"], text=text, blocks=blocks)

    def not_found(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        text, blocks = faq_blocks.not_found_message(payload.get("language", "ja"))
        return SlackPost(channel=payload["channel"], thread_ts=payload["thread_ts"], text=text, blocks=blocks)

    return {"faq.answer": answer, "faq.suggest": suggest, "faq.not_found": not_found}


def permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    """A link to a message, or None when Slack cannot give one (the page goes out regardless)."""
    if not channel or not ts:
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
        return None


def case_renderers(services: Services, client: WebClient) -> dict[str, Renderer]:
    config = services.config
    language = config.language
    timezone = config.business_hours.timezone

    def load(message: OutboxMessage) -> Case:
        case = services.cases.get_by_id(message.case_id) if message.case_id else None
        if case is None:
            raise PermanentDeliveryError(f"case {message.case_id} does not exist")
        return case

    def still_unanswered(message: OutboxMessage) -> Case:
        """Pages and SLA reminders only matter while nobody has answered the case."""
        case = load(message)
        if case.first_response_at is not None or case.status == RESOLVED:
            raise Obsolete(f"case #{case.number} was answered before this {message.kind} went out")
        return case

    def card(message: OutboxMessage) -> SlackPost:
        case = load(message)
        text, blocks = case_blocks.card(case, services.clock.now(), language, timezone)
        return SlackPost(channel=config.channels.cases, text=text, blocks=blocks)

    def card_update(message: OutboxMessage) -> SlackPost:
        case = load(message)
        ts = require(case.message_ts, f"the card of case #{case.number}")
        text, blocks = case_blocks.card(case, services.clock.now(), language, timezone)
        return SlackPost(channel=case.message_channel or config.channels.cases, update_ts=ts, text=text, blocks=blocks)

    def thread(message: OutboxMessage) -> SlackPost:
        case = load(message)
        ts = require(case.message_ts, f"the card of case #{case.number}")
        event = services.cases.event(int(message.payload["event_id"]))
        if event is None:
            raise PermanentDeliveryError(f"case event {message.payload['event_id']} does not exist")
        text = case_blocks.event_line(event, case, language, timezone, config.escalation)
        return SlackPost(channel=case.message_channel or config.channels.cases, thread_ts=ts, text=text)

    def emergency(message: OutboxMessage) -> SlackPost:
        case = still_unanswered(message)
        link = permalink(client, case.message_channel, case.message_ts)
        mentions = list(message.payload.get("mentions") or [])
        here = bool(message.payload.get("here"))
        text, blocks = case_blocks.emergency(case, mentions, link, services.clock.now(), language, timezone, here=here)
        return SlackPost(channel=config.channels.emergency, text=text, blocks=blocks)

    def sla_warning(message: OutboxMessage) -> SlackPost:
        case = still_unanswered(message)
        ts = require(case.message_ts, f"the card of case #{case.number}")
        text = sla_blocks.warning(case, services.clock.now(), language, timezone)
        return SlackPost(channel=case.message_channel or config.channels.cases, thread_ts=ts, text=text)

    def sla_breach(message: OutboxMessage) -> SlackPost:
        case = still_unanswered(message)
        link = permalink(client, case.message_channel, case.message_ts)
        mentions = list(message.payload.get("mentions") or [])
        here = bool(message.payload.get("here"))
        text, blocks = sla_blocks.breach(case, mentions, link, services.clock.now(), language, here=here)
        return SlackPost(channel=config.channels.emergency, text=text, blocks=blocks)

    def sla_breach_dm(message: OutboxMessage) -> SlackPost:
        case = still_unanswered(message)
        link = permalink(client, case.message_channel, case.message_ts)
        text, blocks = sla_blocks.breach_dm(case, link, services.clock.now(), language)
        return SlackPost(channel=message.payload["user"], text=text, blocks=blocks)

    def sla_lead(message: OutboxMessage) -> SlackPost:
        case = still_unanswered(message)
        ts = require(case.message_ts, f"the card of case #{case.number}")
        text = sla_blocks.lead(case, config.escalation.cs_lead, language, timezone)
        return SlackPost(channel=case.message_channel or config.channels.cases, thread_ts=ts, text=text)

    return {
        "sla.warning": sla_warning,
        "sla.breach": sla_breach,
        "sla.breach_dm": sla_breach_dm,
        "sla.lead": sla_lead,
        "case.card": card,
        "case.card_update": card_update,
        "case.thread": thread,
        "case.emergency": emergency,
    }


def all_renderers(services: Services, client: WebClient) -> dict[str, Renderer]:
    return {**faq_renderers(services), **case_renderers(services, client)}
