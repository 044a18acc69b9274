"""Events: messages (case thread replies and FAQ questions, routed by one listener) and mentions."""

from __future__ import annotations

from slack_bolt import App

from handlers.events.messages import on_mention, on_message


def register(app: App) -> None:
    app.event("message")(on_message)
    app.event("app_mention")(on_mention)
