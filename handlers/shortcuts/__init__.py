"""Shortcuts: 「ケースを起票」 on a message."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.case_forms import SHORTCUT_FROM_MESSAGE
from handlers.shortcuts.case_from_message import on_case_from_message


def register(app: App) -> None:
    app.shortcut(SHORTCUT_FROM_MESSAGE)(on_case_from_message)
