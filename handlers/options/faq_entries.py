"""The entry picker's options: entries whose question or category has the typed words, then the best
matches of the search; at most 100 (Slack's limit), answered well within the 3 s Slack waits."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.faq_teaching import FaqTeaching
from bot.slack.faq_teach_blocks import MAX_OPTIONS, entry_options


def on_entry_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    teaching: FaqTeaching = context["teaching"]
    if not teaching.is_agent((body.get("user") or {}).get("id")):
        ack(options=[])  # only agents teach: nothing to pick from
        return
    ack(options=entry_options(teaching.find_entries(str(body.get("value") or ""), limit=MAX_OPTIONS)))
