"""Shortcuts on a message: 「ケースを起票」, and for agents 「FAQに紐付け」 and 「FAQに追加」."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.case_forms import SHORTCUT_FROM_MESSAGE
from bot.slack.faq_teach_blocks import SHORTCUT_ADD, SHORTCUT_LINK
from handlers.shortcuts.case_from_message import on_case_from_message
from handlers.shortcuts.faq_teach import on_add_entry, on_link_message


def register(app: App) -> None:
    app.shortcut(SHORTCUT_FROM_MESSAGE)(on_case_from_message)
    app.shortcut(SHORTCUT_LINK)(on_link_message)
    app.shortcut(SHORTCUT_ADD)(on_add_entry)
