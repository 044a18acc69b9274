"""Options for searchable pickers (`external_select`): the FAQ entry picker of the teaching form, the
customer picker of the case form."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.case_forms import ACTION_CUSTOMER
from bot.slack.faq_teach_blocks import ACTION_ENTRY
from handlers.options.customers import on_customer_options
from handlers.options.faq_entries import on_entry_options


def register(app: App) -> None:
    app.options(ACTION_ENTRY)(on_entry_options)
    app.options(ACTION_CUSTOMER)(on_customer_options)
