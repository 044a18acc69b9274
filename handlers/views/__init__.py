"""Modal submissions: the case forms, and the FAQ teaching forms."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.case_forms import VIEW_ESCALATE, VIEW_OPEN, VIEW_RESOLVE
from bot.slack.faq_teach_blocks import VIEW_ADD, VIEW_LINK
from handlers.views.case_forms import on_case_form, on_escalate_form, on_resolve_form
from handlers.views.faq_teach import on_add_form, on_link_form


def register(app: App) -> None:
    app.view(VIEW_OPEN)(on_case_form)
    app.view(VIEW_ESCALATE)(on_escalate_form)
    app.view(VIEW_RESOLVE)(on_resolve_form)
    app.view(VIEW_LINK)(on_link_form)
    app.view(VIEW_ADD)(on_add_form)
