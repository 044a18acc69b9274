"""FAQ listeners: questions in channels, mentions and DMs, `/faq`, and the answer buttons."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.i18n import Language, t
from bot.services import Services
from bot.slack import faq_blocks
from bot.slack.mrkdwn import from_slack
from handlers.cases import faq_unresolved_prefill, open_case_form

# Ordinary messages only; edits, deletions, joins and bot posts have a subtype.
ANSWERABLE_SUBTYPES = {None, "thread_broadcast", "file_share"}


def strip_bot_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return text.strip()


def mentions_bot(text: str, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and f"<@{bot_user_id}" in text


def register(app: App, services: Services) -> None:
    config = services.config
    quiet_channels = {config.channels.cases, config.channels.emergency}
    faq_channels = set(config.channels.faq)

    def listens_in(channel: str) -> bool:
        if faq_channels:
            return channel in faq_channels
        return channel not in quiet_channels

    @app.event("message")
    def on_message(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("subtype") not in ANSWERABLE_SUBTYPES or event.get("bot_id"):
            return
        channel, text = event.get("channel", ""), event.get("text") or ""
        direct = event.get("channel_type") == "im"
        if not direct and (not listens_in(channel) or mentions_bot(text, context.bot_user_id)):
            return  # a mention arrives again as app_mention, answered there
        services.faq.handle_message(
            channel=channel,
            ts=event["ts"],
            thread_ts=event.get("thread_ts"),
            user=event.get("user"),
            text=from_slack(strip_bot_mention(text, context.bot_user_id)),
            direct=direct,
        )

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("bot_id"):
            return
        services.faq.handle_message(
            channel=event["channel"],
            ts=event["ts"],
            thread_ts=event.get("thread_ts"),
            user=event.get("user"),
            text=from_slack(strip_bot_mention(event.get("text") or "", context.bot_user_id)),
            direct=True,
        )

    @app.command("/faq")
    def faq_command(ack: Ack, command: dict[str, Any]) -> None:
        query = from_slack(command.get("text")).strip()
        language = config.language
        if not query:
            ack(text=t("faq.command.usage", language))
            return
        result = services.faq.search(query)
        text, blocks = faq_blocks.search_results_blocks(query, result, language)
        ack(text=text, blocks=blocks, response_type="ephemeral")

    def record_vote(body: dict[str, Any], action: dict[str, Any], *, helpful: bool) -> str:
        """Record a click on an answer's feedback buttons; returns the answer's language."""
        services.faq.record_feedback(
            channel=body["channel"]["id"],
            message_ts=body["message"]["ts"],
            entry_id=action["value"],
            user=body["user"]["id"],
            helpful=helpful,
        )
        return faq_blocks.block_language(action.get("block_id"), Language(config.language))

    @app.action(faq_blocks.ACTION_RESOLVED)
    def on_resolved(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        language = record_vote(body, action, helpful=True)
        respond(text=t("faq.feedback.thanks", language), response_type="ephemeral", replace_original=False)

    @app.action(faq_blocks.ACTION_UNRESOLVED)
    def on_unresolved(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Not solved: note it, and open the case form prefilled with the question and a link to it."""
        ack()
        language = record_vote(body, action, helpful=False)
        prefill = faq_unresolved_prefill(services, body, client, language)
        open_case_form(client, body["trigger_id"], services, prefill, language=language)

    @app.action(re.compile(rf"^{faq_blocks.ACTION_PICK_PREFIX}\d+$"))
    def on_pick(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        message = body.get("message") or {}
        services.faq.pick_suggestion(
            channel=body["channel"]["id"],
            thread_ts=message.get("thread_ts") or message["ts"],
            entry_id=action["value"],
            user=body["user"]["id"],
            language=faq_blocks.block_language(action.get("block_id"), Language(config.language)),
        )

    @app.action(faq_blocks.ACTION_SHOW)
    def on_show(ack: Ack, action: dict[str, Any], respond: Respond) -> None:
        ack()
        language = faq_blocks.block_language(action.get("block_id"), Language(config.language))
        entry = services.index.get(action.get("value", ""))
        if entry is None:
            respond(text=t("error.unknown_action", language), response_type="ephemeral", replace_original=False)
            return
        respond(
            text=entry.question,
            blocks=faq_blocks.entry_blocks(entry, language),
            response_type="ephemeral",
            replace_original=False,
        )
