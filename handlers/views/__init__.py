"""Modal submissions: the case forms."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.case_forms import VIEW_ESCALATE, VIEW_OPEN, VIEW_RESOLVE
from handlers.views.case_forms import on_case_form, on_escalate_form, on_resolve_form


def register(app: App) -> None:
    app.view(VIEW_OPEN)(on_case_form)
    app.view(VIEW_ESCALATE)(on_escalate_form)
    app.view(VIEW_RESOLVE)(on_resolve_form)
