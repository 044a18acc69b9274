"""Slack listeners, one package per Slack surface (commands, actions, views, shortcuts, options, events).

Each listener is a short, named module function that gets what it uses from Bolt's context
(handlers/context.py); `register` functions only wire them. None of them holds domain rules.
"""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import actions, commands, context, errors, events, options, shortcuts, views


def register_all(app: App, services: Services) -> None:
    context.register(app, services)
    errors.register(app, services.config.language, services.settings.slack_signing_secret, services.metrics)
    for surface in (commands, actions, views, shortcuts, options, events):
        surface.register(app)
