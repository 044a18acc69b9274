"""The buttons on a case's card and pages: 「対応開始」, 「担当する」, 「エスカレーション」, 「解決」, 「再オープン」,
「全文を表示」, and a new linked case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.access import Action
from bot.case_answers import ReplyTo
from bot.case_commands import parse_case_number
from bot.cases import CaseService
from bot.errors import UserFacingError
from bot.models import Case
from bot.slack import case_replies
from bot.slack.case_forms import description_modal, escalate_modal, open_case_form, prefill_linked, resolve_modal
from handlers.context import answering


def number_of(action: dict[str, Any]) -> int:
    """The case a button is about (its value); a value we do not understand is a stale button."""
    number = parse_case_number(str(action.get("value", "")))
    if number is None:
        raise UserFacingError("error.unknown_action")
    return number


def reply_to(body: dict[str, Any]) -> ReplyTo:
    """Where the answer to a click goes (queued with the change it makes: bot/case_answers.py)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return ReplyTo(body["user"]["id"], body.get("response_url"), channel)


def on_ack(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    with answering(context, reply_to(body)):
        case_replies.acknowledge(
            context["cases"], context["desk"], number_of(action), body["user"]["id"], respond, via="button"
        )


def on_take(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """「担当する」: the case is the presser's from now on (anyone who may act on it)."""
    ack()
    cases: CaseService = context["cases"]
    user = body["user"]["id"]
    with answering(context, reply_to(body)):
        cases.assign(number_of(action), user, user)


def on_description(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """「全文を表示」: the whole description, in a modal, for whoever may see the case."""
    ack()
    cases: CaseService = context["cases"]
    details = cases.show(number_of(action), body["user"]["id"])
    client.views_open(trigger_id=body["trigger_id"], view=description_modal(details.case, context["desk"].language))


def on_escalate(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Opens the escalation form, for whoever may escalate this case."""
    ack()
    _open_form(Action.ESCALATE, escalate_modal, body, action, client, context)


def on_resolve(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Opens the resolution form, for whoever may resolve this case (its reporter too)."""
    ack()
    _open_form(Action.RESOLVE, resolve_modal, body, action, client, context)


def _open_form(
    need: Action,
    form: Callable[[Case, str], dict[str, Any]],
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> None:
    """A form about one case, opened only for someone the form's action allows (else a polite refusal)."""
    cases: CaseService = context["cases"]
    number = number_of(action)
    cases.require(number, body["user"]["id"], need)
    client.views_open(trigger_id=body["trigger_id"], view=form(cases.get(number), context["desk"].language))


def on_reopen(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    ack()
    with answering(context, reply_to(body)):
        case_replies.reopen(context["cases"], context["desk"], number_of(action), None, body["user"]["id"], respond)


def on_new_linked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Past the reopen window: the case form, prefilled from the old case and linked to it."""
    ack()
    cases: CaseService = context["cases"]
    old = cases.get(number_of(action))
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    open_case_form(client, body["trigger_id"], context["desk"], prefill_linked(old, channel))
