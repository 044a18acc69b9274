"""Outbox kind → Slack message. Rendering happens at delivery time, from the current state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.models import OutboxMessage
from bot.notify import PermanentDeliveryError
from bot.slack import faq_blocks
from bot.slack.notifier import Renderer, SlackPost

if TYPE_CHECKING:
    from bot.services import Services


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


def all_renderers(services: Services) -> dict[str, Renderer]:
    return {**faq_renderers(services)}
