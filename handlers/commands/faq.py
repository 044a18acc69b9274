"""`/faq <question>`: the best matches, privately, the first one in full (with scores and sources for
agents). For agents also `/faq gaps`, `/faq learned` and `/faq reload`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.faq import FaqService
from bot.faq_teaching import FaqTeaching
from bot.i18n import t
from bot.slack import faq_blocks, faq_teach_blocks
from bot.slack.desk import Desk
from bot.slack.mrkdwn import from_slack
from knowledge.search import KnowledgeIndex

GAPS_LISTED = faq_teach_blocks.MAX_LISTED


def on_faq_command(ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    desk: Desk = context["desk"]
    faq: FaqService = context["faq"]
    teaching: FaqTeaching = context["teaching"]
    query = from_slack(command.get("text")).strip()
    user = command.get("user_id")
    agent = teaching.is_agent(user)
    if not query:
        usage = t("faq.command.usage", desk.language)
        ack(text=usage + (t("faq.command.agent_usage", desk.language) if agent else ""))
        return
    agent_command = AGENT_COMMANDS.get(query.lower())
    if agent_command is not None:
        if not agent:
            ack(text=t("faq.teach.not_agent", desk.language))
            return
        agent_command(ack, respond, context, str(user))
        return
    audience = None if agent else faq.audience_in(str(command.get("channel_id") or ""))  # a customer's channel
    result = faq.search(query, audience)
    text, blocks = faq_blocks.search_results_blocks(
        query, result, desk.language, details=agent, customer=bool(audience)
    )
    ack(text=text, blocks=blocks, response_type="ephemeral")


def show_gaps(ack: Ack, respond: Respond, context: BoltContext, user: str) -> None:
    """`/faq gaps`: the questions the bot could not answer, most asked first, each with 「FAQに紐付け」."""
    desk: Desk = context["desk"]
    text, blocks = faq_teach_blocks.gaps_blocks(context["faq"].gaps(limit=GAPS_LISTED), desk, desk.language)
    ack(text=text, blocks=blocks, response_type="ephemeral")


def show_learned(ack: Ack, respond: Respond, context: BoltContext, user: str) -> None:
    """`/faq learned`: candidates, learned phrasings, drafts and live entries, with what to do with each."""
    desk: Desk = context["desk"]
    knowledge: KnowledgeIndex = context["knowledge"]

    def question_of(entry_id: str) -> str | None:
        entry = knowledge.get(entry_id)
        return entry.question if entry else None

    learned = context["teaching"].learned()
    text, blocks = faq_teach_blocks.learned_blocks(learned, question_of, desk, desk.language)
    ack(text=text, blocks=blocks, response_type="ephemeral")


def reload_knowledge(ack: Ack, respond: Respond, context: BoltContext, user: str) -> None:
    """`/faq reload`: every knowledge file read again; a broken one is named with its line and keeps serving
    its last good version. Acked first: a large knowledge base takes a moment."""
    desk: Desk = context["desk"]
    ack()
    results = context["teaching"].reload(user)
    respond(text=faq_teach_blocks.reload_text(results, desk.language), response_type="ephemeral")


AGENT_COMMANDS: dict[str, Callable[[Ack, Respond, BoltContext, str], None]] = {
    "gaps": show_gaps,
    "learned": show_learned,
    "reload": reload_knowledge,
}
