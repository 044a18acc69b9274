"""App Home: published when the person opens the tab, and again after their own actions there.

- `app_home_opened` (the Home tab) → `views.publish` of bot/home.py's content for that person.
- 「次の10件」/「前へ」 → the same, another page of their cases.
- The queue's 「担当する」/「対応開始」 and the gaps' 「FAQに紐付け」 are the case card's and `/faq gaps`'
  listeners. A click in the Home tab has no response_url, so `refresh_home_after_actions` gives those
  listeners a `respond` that republishes the person's home with what they would have been told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.home import HomeService
from bot.slack.home_blocks import home_view

log = logging.getLogger(__name__)


def publish_home(
    client: WebClient, context: BoltContext, user: str, *, page: int = 0, notice: str | None = None
) -> None:
    home: HomeService = context["home"]
    client.views_publish(user_id=user, view=home_view(home.content(user, page), context["desk"], notice))


def on_app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home" or not event.get("user"):
        return  # the Messages tab
    publish_home(client, context, event["user"])


def on_home_page(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    value = str(action.get("value") or "0")
    publish_home(client, context, body["user"]["id"], page=int(value) if value.isdigit() else 0)


class HomeRespond:
    """`respond` for a click in the Home tab: the home again, with the answer on top (not a message)."""

    def __init__(self, client: WebClient, context: BoltContext, user: str) -> None:
        self.client, self.context, self.user = client, context, user

    def __call__(self, text: str = "", **_: Any) -> None:
        publish_home(self.client, self.context, self.user, notice=text or None)


def from_home(body: dict[str, Any]) -> bool:
    return body.get("type") == "block_actions" and (body.get("view") or {}).get("type") == "home"


def refresh_home_after_actions(
    body: dict[str, Any], client: WebClient, context: BoltContext, next: Callable[[], BoltResponse]
) -> BoltResponse:
    if from_home(body) and not body.get("response_url"):
        context["respond"] = HomeRespond(client, context, body["user"]["id"])
    return next()
