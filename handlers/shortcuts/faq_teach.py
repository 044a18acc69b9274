"""The teaching shortcuts, for agents: 「FAQに紐付け」 on any message (the question becomes another way to
ask an entry) and 「FAQに追加」 on an agent's reply (a new entry, from the thread's question and the reply).

The trigger_id lives 3 s: each opens its form first thing, from what the bot already has (the
question it handled, the index); only a thread it never handled costs one Slack call.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.faq import FaqService
from bot.faq_teaching import FaqTeaching
from bot.i18n import t
from bot.slack import faq_teach_blocks
from bot.slack.desk import Desk
from bot.slack.mrkdwn import from_slack
from handlers.events.messages import strip_bot_mention

log = logging.getLogger(__name__)


def refused(teaching: FaqTeaching, user: str, respond: Respond, language: str) -> bool:
    """Only agents teach: anyone else is told so, privately, and nothing opens."""
    if teaching.is_agent(user):
        return False
    respond(text=t("faq.teach.not_agent", language), response_type="ephemeral", replace_original=False)
    return True


def open_link_form(
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    *,
    trigger_id: str,
    user: str,
    question: str,
    metadata: dict[str, Any],
    language: str,
) -> None:
    """The 「FAQに紐付け」 form for `question`, the best match already picked."""
    if refused(context["teaching"], user, respond, language):
        return
    faq: FaqService = context["faq"]
    best = faq.search(question).best if question.strip() else None
    entry = best.entry if best is not None and best.score > 0 else None
    client.views_open(trigger_id=trigger_id, view=faq_teach_blocks.link_modal(question, language, metadata, entry))


def on_link_message(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """「FAQに紐付け」: the message's text, to be learned as a phrasing of the entry picked."""
    ack()
    desk: Desk = context["desk"]
    message = shortcut.get("message") or {}
    open_link_form(
        client,
        respond,
        context,
        trigger_id=shortcut["trigger_id"],
        user=shortcut["user"]["id"],
        question=from_slack(strip_bot_mention(message.get("text") or "", context.bot_user_id)),
        metadata={
            "channel": (shortcut.get("channel") or {}).get("id"),
            "ts": message.get("ts"),
            "user": message.get("user"),
        },
        language=desk.language,
    )


def on_add_entry(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    """「FAQに追加」: the thread's question as 質問, the reply as 回答, the category of the closest entry."""
    ack()
    desk: Desk = context["desk"]
    faq: FaqService = context["faq"]
    if refused(context["teaching"], shortcut["user"]["id"], respond, desk.language):
        return
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    question = thread_question(client, faq, channel, message, context.bot_user_id)
    best = faq.search(question).best if question else None
    categories = list(dict.fromkeys(entry.category for entry in faq.index.entries if entry.category))
    view = faq_teach_blocks.add_modal(
        question,
        from_slack(message.get("text")),
        categories,
        best.entry.category if best is not None and best.score > 0 else None,
        desk.language,
        {"channel": channel, "ts": message.get("ts")},
    )
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def thread_question(
    client: WebClient, faq: FaqService, channel: str | None, message: dict[str, Any], bot_user_id: str | None
) -> str:
    """The question a reply answers: the thread's first message (as the bot stored it when it handled it)."""
    root = message.get("thread_ts")
    if not channel or not root or root == message.get("ts"):
        return ""
    known = faq.question_for(channel, root)
    if known:
        return known
    try:
        found = client.conversations_replies(channel=channel, ts=root, limit=1).get("messages") or []
    except SlackApiError as exc:
        log.warning("cannot read the thread %s/%s: %s", channel, root, exc.response.get("error"))
        return ""
    return from_slack(strip_bot_mention(found[0].get("text") or "", bot_user_id)) if found else ""
