"""Slash commands: `/case`, `/faq`, `/oncall`."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands.case import on_case_command, record_case_request
from handlers.commands.faq import on_faq_command
from handlers.commands.oncall import on_oncall_command


def register(app: App) -> None:
    app.command("/case", middleware=[record_case_request])(on_case_command)
    app.command("/faq")(on_faq_command)
    app.command("/oncall")(on_oncall_command)
