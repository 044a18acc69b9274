"""The answer to a request recorded before its ack (bot/intake.py), rendered when the outbox sends it.

To the request's response_url while Slack still takes it (30 minutes, and we stay well inside);
after a longer outage, by DM — which is a post like any other, with its metadata, so a post whose
fate is unknown is looked up before it is sent again. A response_url cannot be looked up: a
confirmation cut off there after Slack took it may, rarely, be shown twice (it is ephemeral).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.i18n import t
from bot.models import OutboxMessage
from bot.notify import PermanentDeliveryError
from bot.slack.case_replies import opened_text
from bot.slack.desk import Desk
from bot.slack.mrkdwn import escape_text
from bot.slack.notifier import Renderer, SlackPost

# Slack takes posts to a response_url for 30 minutes after the request.
RESPONSE_URL_LIFETIME = timedelta(minutes=25)


def intake_reply_renderer(cases: Any, clock: Clock, desk: Desk) -> Renderer:
    """`cases` gives `as_opened` (bot.case_reads.CaseReads)."""

    def render(message: OutboxMessage) -> SlackPost:
        payload = message.payload
        language = payload.get("language") or desk.language
        if payload.get("error"):
            text = UserFacingError(payload["error"], **payload.get("values") or {}).render(language, quote=escape_text)
        else:
            case = cases.as_opened(message.case_id) if message.case_id else None
            if case is None:
                raise PermanentDeliveryError(f"case {message.case_id} does not exist")
            text = opened_text(
                case,
                desk,
                outside_hours=bool(payload.get("outside_hours")),
                paged=payload.get("paged"),
                customer_channel=bool(payload.get("customer_channel")),
            )
            if payload.get("late"):
                received = desk.when(datetime.fromisoformat(payload["received_at"]), language)
                text += "\n" + t("intake.opened_late", language, received=received)
        return answer_post(payload, text, datetime.fromisoformat(payload["received_at"]), clock)

    return render


def answer_post(to: dict[str, Any], text: str, requested_at: datetime, clock: Clock) -> SlackPost:
    """To the request's response_url (`to`: user, response_url, channel) while Slack takes it, else a DM."""
    url = to.get("response_url")
    if url and clock.now() - requested_at < RESPONSE_URL_LIFETIME:
        return SlackPost(channel=to.get("channel") or to["user"], text=text, response_url=url)
    return SlackPost(channel=to["user"], text=text)  # a DM: there is no response_url, or it has expired
