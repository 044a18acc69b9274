"""Slack listeners. Each module registers one area; none of them holds domain rules."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import cases, errors, faq, middleware, oncall


def register_all(app: App, services: Services) -> None:
    middleware.register(app, services)
    errors.register(app, services)
    cases.register(app, services)  # before faq: its thread-reply listener must match first
    faq.register(app, services)
    oncall.register(app, services)
