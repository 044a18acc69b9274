"""The message shortcut 「ケースを起票」: the case form, prefilled with the message and a link to it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.slack.case_forms import open_case_form, prefill_from_message
from bot.slack.desk import Desk
from bot.slack.directory import permalink
from bot.slack.mrkdwn import from_slack


def on_case_from_message(ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    desk: Desk = context["desk"]
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    # Once, here: neutralising again (the form does) would eat text the user typed in <…>.
    text = from_slack(message.get("text"))
    link = permalink(client, channel, message.get("ts"))
    open_case_form(
        client, shortcut["trigger_id"], desk, prefill_from_message(text, channel, link, desk.title_max_length)
    )
