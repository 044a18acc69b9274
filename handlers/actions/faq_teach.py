"""Teaching buttons, for agents: confirm a candidate phrasing, approve or discard a draft, take back
what was learned, link an unanswered question (from `/faq gaps`) to an entry."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.faq_teaching import FaqTeaching
from bot.i18n import Language, t
from bot.slack import faq_blocks, faq_teach_blocks
from bot.slack.blocks import context as context_block
from bot.slack.desk import Desk
from bot.slack.mrkdwn import escape_text, mention_user
from handlers.shortcuts.faq_teach import open_link_form
from knowledge.search import KnowledgeIndex


def _language(action: dict[str, Any], context: BoltContext) -> Language:
    return faq_blocks.block_language(action.get("block_id"), context["desk"].language)


def _in_list(body: dict[str, Any]) -> bool:
    """Whether the click came from `/faq learned` (an ephemeral list) rather than a posted message."""
    return bool((body.get("container") or {}).get("is_ephemeral"))


def refresh_list(respond: Respond, context: BoltContext, language: str) -> None:
    """`/faq learned` again, in place of the list that was clicked."""
    teaching: FaqTeaching = context["teaching"]
    knowledge: KnowledgeIndex = context["knowledge"]
    text, blocks = faq_teach_blocks.learned_blocks(
        teaching.learned(), lambda entry_id: _question(knowledge, entry_id), context["desk"], language
    )
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)


def _question(knowledge: KnowledgeIndex, entry_id: str) -> str | None:
    entry = knowledge.get(entry_id)
    return entry.question if entry else None


def on_confirm_candidate(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """「学習する」 on a candidate (in the thread or in `/faq learned`): learned now."""
    ack()
    teaching: FaqTeaching = context["teaching"]
    language = _language(action, context)
    agent = body["user"]["id"]
    taught = teaching.confirm(int(action.get("value") or 0), agent)
    if _in_list(body):
        refresh_list(respond, context, language)
        return
    entry = escape_text(_question(context["knowledge"], taught.entry_id) or taught.entry_id)
    text = t("faq.teach.candidate.done", language, agent=mention_user(agent), entry=entry)
    respond(text=text, blocks=[context_block(text)], replace_original=True)


def on_approve(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    _decide(ack, body, action, respond, context, approve=True)


def on_discard(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    _decide(ack, body, action, respond, context, approve=False)


def _decide(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext, *, approve: bool
) -> None:
    """A draft approved (live from now on) or discarded; the review message says who decided."""
    ack()
    teaching: FaqTeaching = context["teaching"]
    language = _language(action, context)
    agent = body["user"]["id"]
    draft_id = int(action.get("value") or 0)
    draft = teaching.drafts.approve(draft_id, agent) if approve else teaching.drafts.discard(draft_id, agent)
    if _in_list(body):
        refresh_list(respond, context, language)
        return
    decided = faq_teach_blocks.decision_line(draft, agent, language)
    text, blocks = faq_teach_blocks.draft_message(draft, language, decided=decided)
    respond(text=text, blocks=blocks, replace_original=True)


def on_remove(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """「取り消す」 in `/faq learned`: a phrasing forgotten, or an entry written in Slack withdrawn."""
    ack()
    teaching: FaqTeaching = context["teaching"]
    teaching.remove(str(action.get("value") or ""), body["user"]["id"])
    refresh_list(respond, context, _language(action, context))


def on_link_gap(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """「FAQに紐付け」 on an unanswered question in `/faq gaps`: the link form, with that question."""
    ack()
    desk: Desk = context["desk"]
    open_link_form(
        client,
        respond,
        context,
        trigger_id=body["trigger_id"],
        user=body["user"]["id"],
        question=str(action.get("value") or ""),
        metadata={},
        language=desk.language,
    )
