"""Events: messages (case thread replies and FAQ questions, routed by one listener), mentions, and
App Home (the tab, its page buttons, and a Home-tab `respond` for the buttons it shares with cards)."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.slack.home_blocks import ACTION_PAGE
from handlers.events.app_home import on_app_home_opened, on_home_page, refresh_home_after_actions
from handlers.events.messages import on_mention, on_message


def register(app: App) -> None:
    app.event("message")(on_message)
    app.event("app_mention")(on_mention)
    app.event("app_home_opened")(on_app_home_opened)
    app.action(re.compile(rf"^{ACTION_PAGE}_"))(on_home_page)
    app.middleware(refresh_home_after_actions)
