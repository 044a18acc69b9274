"""The buttons on FAQ answers: 「解決しました」, 「解決しない」 (which opens the case form), a suggestion, a result."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.faq import FaqService
from bot.i18n import Language, t
from bot.slack import faq_blocks
from bot.slack.case_forms import open_case_form, prefill_from_faq
from bot.slack.desk import Desk
from bot.slack.directory import permalink
from knowledge.search import KnowledgeIndex


def record_vote(
    faq: FaqService, desk: Desk, body: dict[str, Any], action: dict[str, Any], *, helpful: bool
) -> Language:
    """Record a click on an answer's feedback buttons; returns the answer's language."""
    faq.record_feedback(
        channel=body["channel"]["id"],
        message_ts=body["message"]["ts"],
        entry_id=action["value"],
        user=body["user"]["id"],
        helpful=helpful,
    )
    return faq_blocks.block_language(action.get("block_id"), desk.language)


def on_resolved(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    language = record_vote(context["faq"], context["desk"], body, action, helpful=True)
    respond(text=t("faq.feedback.thanks", language), response_type="ephemeral", replace_original=False)


def on_unresolved(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Not solved: note it, and open the case form prefilled with the question and a link to it."""
    ack()
    faq: FaqService = context["faq"]
    desk: Desk = context["desk"]
    language = record_vote(faq, desk, body, action, helpful=False)
    channel = body["channel"]["id"]
    message = body.get("message") or {}
    question_ts = message.get("thread_ts") or message.get("ts")
    question = faq.question_for(channel, question_ts) if question_ts else None
    link = permalink(client, channel, question_ts)
    prefill = prefill_from_faq(question, channel, link, language, desk.title_max_length, thread_ts=question_ts)
    open_case_form(client, body["trigger_id"], desk, prefill, language=language)


def on_pick(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """A 「もしかして」 suggestion was picked: its answer goes into the thread."""
    ack()
    faq: FaqService = context["faq"]
    message = body.get("message") or {}
    faq.pick_suggestion(
        channel=body["channel"]["id"],
        thread_ts=message.get("thread_ts") or message["ts"],
        entry_id=action["value"],
        user=body["user"]["id"],
        language=faq_blocks.block_language(action.get("block_id"), context["desk"].language),
    )


def on_show(ack: Ack, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """「この回答を見る」 on a `/faq` result: that answer, privately."""
    ack()
    knowledge: KnowledgeIndex = context["knowledge"]
    language = faq_blocks.block_language(action.get("block_id"), context["desk"].language)
    entry = knowledge.get(action.get("value", ""))
    if entry is None:
        respond(text=t("error.unknown_action", language), response_type="ephemeral", replace_original=False)
        return
    blocks = faq_blocks.entry_blocks(entry, language)
    respond(text=entry.question, blocks=blocks, response_type="ephemeral", replace_original=False)
