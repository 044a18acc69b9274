"""`/faq <question>`: the best matches, privately, the first one in full."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.faq import FaqService
from bot.i18n import t
from bot.slack import faq_blocks
from bot.slack.desk import Desk
from bot.slack.mrkdwn import from_slack


def on_faq_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    desk: Desk = context["desk"]
    faq: FaqService = context["faq"]
    query = from_slack(command.get("text")).strip()
    if not query:
        ack(text=t("faq.command.usage", desk.language))
        return
    text, blocks = faq_blocks.search_results_blocks(query, faq.search(query), desk.language)
    ack(text=text, blocks=blocks, response_type="ephemeral")
