"""Messages and mentions. One listener sees every message and routes it, so which code handles a
message never depends on the order listeners were registered in:

- a reply in a case card's thread (the cases channel) may be the case's first response;
- any other message, where the bot listens (the FAQ channels, customers' channels), may be a question
  for the FAQ;
- a mention of the bot arrives again as `app_mention` and is answered there, anywhere.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import BoltContext

from bot.cases import CaseService
from bot.config import ChannelsConfig
from bot.faq import FaqService
from bot.slack.desk import Desk
from bot.slack.mrkdwn import from_slack

# Ordinary messages only; edits, deletions, joins and bot posts have a subtype.
ANSWERABLE_SUBTYPES = {None, "thread_broadcast", "file_share"}


def strip_bot_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return text.strip()


def mentions_bot(text: str, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and f"<@{bot_user_id}" in text


def is_person_speaking(event: dict[str, Any]) -> bool:
    return event.get("subtype") in ANSWERABLE_SUBTYPES and not event.get("bot_id")


def is_case_thread_reply(event: dict[str, Any], channels: ChannelsConfig) -> bool:
    thread_ts = event.get("thread_ts")
    return event.get("channel") == channels.cases and bool(thread_ts) and thread_ts != event.get("ts")


def listens_in(channel: str, channels: ChannelsConfig) -> bool:
    """The FAQ channels when configured; else every channel but the cases and emergency channels."""
    if channels.faq:
        return channel in channels.faq
    return channel not in (channels.cases, channels.emergency)


def _listens(channel: str, desk: Desk, faq: FaqService) -> bool:
    """The FAQ channels (or every channel but the team's), and customers' channels (for customers' entries)."""
    return listens_in(channel, desk.channels) or faq.is_customer_channel(channel)


def on_message(event: dict[str, Any], context: BoltContext) -> None:
    if not is_person_speaking(event):
        return
    desk: Desk = context["desk"]
    if is_case_thread_reply(event, desk.channels):
        record_case_reply(event, context["cases"])
    else:
        answer_question(event, context)


def record_case_reply(event: dict[str, Any], cases: CaseService) -> None:
    """A reply by someone who may act on the case, not its reporter, is its first response."""
    case = cases.find_by_message(event["channel"], event["thread_ts"])
    if case is not None and event.get("user"):
        cases.record_reply(case.number, event["user"])


def answer_question(event: dict[str, Any], context: BoltContext) -> None:
    """In a channel the bot listens in (or a DM, answered inline, as people talk in DMs); a message
    mentioning the bot is left to on_mention."""
    desk: Desk = context["desk"]
    faq: FaqService = context["faq"]
    channel, text = event.get("channel", ""), event.get("text") or ""
    direct = event.get("channel_type") == "im"
    if not direct and (mentions_bot(text, context.bot_user_id) or not _listens(channel, desk, faq)):
        return
    faq.handle_message(
        channel=channel,
        ts=event["ts"],
        thread_ts=event.get("thread_ts"),
        user=event.get("user"),
        text=from_slack(strip_bot_mention(text, context.bot_user_id)),
        direct=direct,
        inline=direct,
    )


def on_mention(event: dict[str, Any], context: BoltContext) -> None:
    if event.get("bot_id"):
        return
    faq: FaqService = context["faq"]
    faq.handle_message(
        channel=event["channel"],
        ts=event["ts"],
        thread_ts=event.get("thread_ts"),
        user=event.get("user"),
        text=from_slack(strip_bot_mention(event.get("text") or "", context.bot_user_id)),
        direct=True,
    )
