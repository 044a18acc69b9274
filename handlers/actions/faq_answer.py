"""The buttons on FAQ replies: 「解決しました」, 「解決しない」 (which opens the case form), a もしかして
candidate, 「どれも違う」 and 「ケースを起票」 (no reply is a dead end), and a `/faq` result."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.faq import FaqService
from bot.faq_teaching import FaqTeaching
from bot.faq_vocabulary import PhrasingStatus
from bot.i18n import Language, t
from bot.slack import faq_blocks
from bot.slack.case_forms import open_case_form, prefill_from_faq
from bot.slack.desk import Desk
from bot.slack.directory import permalink
from knowledge.search import KnowledgeIndex


def _language(action: dict[str, Any], context: BoltContext) -> Language:
    return faq_blocks.block_language(action.get("block_id"), context["desk"].language)


def _where(body: dict[str, Any], action: dict[str, Any]) -> tuple[str, str, str | None, dict[str, Any]]:
    """(channel, entry id, question ts, message) of a click on an FAQ reply."""
    message = body.get("message") or {}
    entry_id, question_ts = faq_blocks.parse_value(action.get("value"), message)
    return body["channel"]["id"], entry_id, question_ts, message


def record_vote(faq: FaqService, body: dict[str, Any], action: dict[str, Any], *, helpful: bool) -> None:
    """Record a click on an answer's feedback buttons (one vote per person and answer)."""
    channel, entry_id, _question, message = _where(body, action)
    faq.record_feedback(
        channel=channel, message_ts=message["ts"], entry_id=entry_id, user=body["user"]["id"], helpful=helpful
    )


def on_resolved(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Solved: thanks; after a picked もしかして the question may also teach the bot (bot/faq_teaching.py)."""
    ack()
    teaching: FaqTeaching = context["teaching"]
    language = _language(action, context)
    record_vote(context["faq"], body, action, helpful=True)
    channel, entry_id, question_ts, message = _where(body, action)
    user = body["user"]["id"]
    taught = None
    if question_ts:
        taught = teaching.suggestion_resolved(
            channel=channel,
            question_ts=question_ts,
            thread_ts=message.get("thread_ts"),
            entry_id=entry_id,
            user=user,
            language=language,
        )
    if taught is not None and taught.status == PhrasingStatus.LEARNED and teaching.is_agent(user):
        entry = context["knowledge"].get(taught.entry_id)
        text = t("faq.teach.learned_now", language, entry=entry.question if entry else taught.entry_id)
    else:
        text = t("faq.feedback.thanks", language)
    respond(text=text, response_type="ephemeral", replace_original=False)


def on_unresolved(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Not solved: note it, and open the case form prefilled with the question and a link to it."""
    ack()
    record_vote(context["faq"], body, action, helpful=False)
    open_form(body, action, client, context, None)


def on_open_case(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """「ケースを起票」 under もしかして or a reply that found nothing: the case form, prefilled."""
    ack()
    faq: FaqService = context["faq"]
    channel, _entry, question_ts, _message = _where(body, action)
    reply = faq.reply_to(channel, question_ts) if question_ts else None
    reason = "faq.case.suggested" if reply is not None and reply.decision == "suggest" else "faq.case.not_found"
    open_form(body, action, client, context, reason)


def on_none_match(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """「どれも違う」: the miss is recorded, and the case form offered."""
    ack()
    faq: FaqService = context["faq"]
    channel, _entry, question_ts, _message = _where(body, action)
    if question_ts:
        faq.record_miss(channel=channel, question_ts=question_ts, user=body["user"]["id"])
    open_form(body, action, client, context, "faq.case.suggested")


def open_form(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, reason: str | None
) -> None:
    """The `/case` form (bot/slack/case_forms.py), prefilled with the question, a link to it and why."""
    faq: FaqService = context["faq"]
    desk: Desk = context["desk"]
    language = _language(action, context)
    channel, _entry, question_ts, _message = _where(body, action)
    question = faq.question_for(channel, question_ts) if question_ts else None
    prefill = prefill_from_faq(
        question, channel, permalink(client, channel, question_ts), language, desk.title_max_length, question_ts
    )
    if reason:
        prefill["description"] = t(reason, language, question=question or "")
    open_case_form(client, body["trigger_id"], desk, prefill, language=language)


def on_pick(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """A 「もしかして」 suggestion was picked: its answer goes where the suggestions are."""
    ack()
    faq: FaqService = context["faq"]
    channel, entry_id, question_ts, message = _where(body, action)
    faq.pick_suggestion(
        channel=channel,
        question_ts=question_ts or message["ts"],
        thread_ts=message.get("thread_ts"),
        entry_id=entry_id,
        user=body["user"]["id"],
        language=_language(action, context),
    )


def on_show(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """「この回答を見る」 on a `/faq` result: that answer, privately (where it is written, for agents)."""
    ack()
    knowledge: KnowledgeIndex = context["knowledge"]
    teaching: FaqTeaching = context["teaching"]
    language = _language(action, context)
    entry = knowledge.get(action.get("value", ""))
    if entry is None:
        respond(text=t("error.unknown_action", language), response_type="ephemeral", replace_original=False)
        return
    blocks = faq_blocks.entry_blocks(entry, language, details=teaching.is_agent(body["user"]["id"]))
    respond(text=entry.question, blocks=blocks, response_type="ephemeral", replace_original=False)
