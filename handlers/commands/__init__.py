"""Slash commands: `/case`, `/faq`, `/oncall`."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands.case import on_case_command, record_case_request
from handlers.commands.faq import on_faq_command
from handlers.commands.oncall import on_oncall_command

CASE, FAQ, ONCALL = "/case", "/faq", "/oncall"
COMMANDS = (CASE, FAQ, ONCALL)  # as manifest.yml declares them (tests/handlers/test_commands_manifest.py)


def register(app: App) -> None:
    app.command(CASE, middleware=[record_case_request])(on_case_command)
    app.command(FAQ)(on_faq_command)
    app.command(ONCALL)(on_oncall_command)
