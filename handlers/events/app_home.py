"""App Home: published when the person opens the tab, and again after their own actions there.

- `app_home_opened` (the Home tab) → `views.publish` of bot/home.py's content for that person.
- 「次の10件」/「前へ」 → the same, another page of their cases.
- The queue's 「担当する」/「対応開始」 and the gaps' 「FAQに紐付け」 are the case card's and `/faq gaps`'
  listeners. A click in the Home tab has no response_url, so `refresh_home_after_actions` gives those
  listeners a `respond` that republishes the person's home with what they would have been told.
- After the person changes a case elsewhere (`/case ack 42`, 「対応開始」 on a card…), their home is
  published again once they have been answered (the change is committed by then).
- After they submit a case form (a new case, an escalation, a resolution), the form's listener calls
  `REFRESH_HOME` (handlers/context.py) once the change is committed; a refused form changes nothing
  and refreshes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.case_commands import Verb, parse_case_command
from bot.home import HomeService
from bot.slack import case_blocks
from bot.slack.case_forms import VIEW_ESCALATE, VIEW_OPEN, VIEW_RESOLVE
from bot.slack.home_blocks import home_view
from handlers.context import REFRESH_HOME

log = logging.getLogger(__name__)

CASE_CHANGES = frozenset({Verb.OPEN, Verb.ACK, Verb.ASSIGN, Verb.PRIORITY, Verb.ESCALATE, Verb.RESOLVE, Verb.REOPEN})
CARD_CHANGES = frozenset({case_blocks.ACTION_ACK, case_blocks.ACTION_TAKE})
FORM_CHANGES = frozenset({VIEW_OPEN, VIEW_ESCALATE, VIEW_RESOLVE})


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
    """`respond` for a click in the Home tab: the home again, with the answer on top (not a message).
    handlers/errors.py answers a failed click through it too (`answers_in_home`)."""

    answers_in_home = True

    def __init__(self, client: WebClient, context: BoltContext, user: str) -> None:
        self.client, self.context, self.user = client, context, user

    def __call__(self, text: str = "", **_: Any) -> None:
        publish_home(self.client, self.context, self.user, notice=text or None)


def from_home(body: dict[str, Any]) -> bool:
    return body.get("type") == "block_actions" and (body.get("view") or {}).get("type") == "home"


class HomeRefresh:
    """The person's home again, after their change (a failure here never spoils the change or the answer)."""

    def __init__(self, client: WebClient, context: BoltContext, user: str) -> None:
        self.client, self.context, self.user = client, context, user

    def __call__(self) -> None:
        try:
            publish_home(self.client, self.context, self.user)
        except Exception:
            log.warning("could not refresh %s's App Home after their action", self.user, exc_info=True)


class RespondThenRefresh:
    """`respond` as usual, then the person's home again (a failure there never spoils the answer)."""

    def __init__(self, respond: Callable[..., Any], client: WebClient, context: BoltContext, user: str) -> None:
        self.respond, self.client, self.context, self.user = respond, client, context, user

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        answered = self.respond(*args, **kwargs)
        HomeRefresh(self.client, self.context, self.user)()
        return answered


def changes_a_case(body: dict[str, Any]) -> bool:
    """A `/case` command or a card button that changes a case (not help, a list, the form or the figures)."""
    if body.get("command") == "/case":
        return parse_case_command(str(body.get("text") or "")).verb in CASE_CHANGES
    if body.get("type") == "block_actions":
        return any(a.get("action_id") in CARD_CHANGES for a in body.get("actions") or [])
    return False


def submits_a_case_form(body: dict[str, Any]) -> bool:
    """A new case, an escalation or a resolution submitted from its modal."""
    return body.get("type") == "view_submission" and (body.get("view") or {}).get("callback_id") in FORM_CHANGES


def refresh_home_after_actions(
    body: dict[str, Any], client: WebClient, context: BoltContext, next: Callable[[], BoltResponse]
) -> BoltResponse:
    if from_home(body) and not body.get("response_url"):
        # A refusal is shown at the top of the home; a change is answered by DM (the outbox) and the home
        # published again once it is committed.
        context["respond"] = HomeRespond(client, context, body["user"]["id"])
        context[REFRESH_HOME] = HomeRefresh(client, context, body["user"]["id"])
    elif body.get("response_url") and changes_a_case(body):
        user = str(body.get("user_id") or (body.get("user") or {}).get("id") or "")
        respond = context.respond
        if user and respond is not None:  # a refusal is answered directly; a change when committed
            context["respond"] = RespondThenRefresh(respond, client, context, user)
            context[REFRESH_HOME] = HomeRefresh(client, context, user)
    elif submits_a_case_form(body) and (body.get("user") or {}).get("id"):
        context[REFRESH_HOME] = HomeRefresh(client, context, body["user"]["id"])
    return next()
