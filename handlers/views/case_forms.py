"""The case forms, submitted: a new case, an escalation, a resolution.

Each form is checked before the ack, so a mistake is shown next to its field (`response_action:
errors`) and nothing fails after the form has closed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.case_commands import parse_case_number
from bot.cases import CaseService
from bot.database import DatabaseUnavailable
from bot.errors import UserFacingError
from bot.i18n import Language, t
from bot.intake import Received, Unavailable
from bot.slack.blocks import view_values
from bot.slack.case_forms import VIEW_OPEN, notice_modal
from bot.slack.desk import Desk
from bot.slack.mrkdwn import plain_field
from handlers.context import refresh_home

log = logging.getLogger(__name__)

CaseAct = Callable[[int, dict[str, str | None]], object]


def form_errors(cases: CaseService, values: dict[str, str | None], language: str) -> dict[str, str]:
    """Everything CaseService.open would refuse, by the field it is about."""
    checks = {
        "title": lambda: cases.validate_title(values.get("title")),
        "priority": lambda: cases.require_priority(values.get("priority")),
        "category": lambda: cases.require_category(values.get("category")),
        "customer_pick": lambda: values.get("customer_pick") and cases.require_customer(values["customer_pick"] or ""),
    }
    errors = {}
    for field, check in checks.items():
        try:
            check()
        except UserFacingError as error:
            errors[field] = error.render(language, quote=plain_field)
    return errors


def on_case_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """A new case, in the language the form was opened in (which the case keeps).

    Recorded before the ack (bot/intake.py), like `/case 高 …`: the form closes once the request is
    in the intake table (or, the database being down, in the spool: then the form says so), and the
    confirmation comes by DM through the outbox.
    """
    cases: CaseService = context["cases"]
    desk: Desk = context["desk"]
    values = view_values(view)
    metadata = json.loads(view.get("private_metadata") or "{}")
    language = Language.of(metadata.get("language"), desk.language)
    errors = form_errors(cases, values, language)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        receipt = context["intake"].receive(form_request(body, view, values, metadata, language))
    except Unavailable:  # nowhere to record it: the form stays open, nothing changed
        ack(response_action="errors", errors={"title": t("intake.unavailable", language)})
        return
    if receipt.spooled:
        ack(response_action="update", view=notice_modal(t("intake.queued", language), language))
        return
    ack()
    try:
        context["intake"].process(receipt.request_id)
    except DatabaseUnavailable:  # recorded: the intake job opens it once the database is back
        log.warning("case form %s recorded; opening it waits for the database", receipt.request_id[:12])
        return
    refresh_home(context)


def form_request(
    body: dict[str, Any], view: dict[str, Any], values: dict[str, str | None], metadata: dict[str, Any], language: str
) -> Received:
    """The submission as the intake records it; its identity is the view's id and hash."""
    case = {
        "title": values.get("title") or "",
        "priority": values.get("priority") or "",
        "description": values.get("description"),
        "customer": values.get("customer"),
        "customer_id": values.get("customer_pick"),
        "category": values.get("category"),
        "impact": values.get("impact"),
        "steps": values.get("steps"),
        "origin_channel": metadata.get("channel"),
        "origin_link": metadata.get("origin_link"),
        "related_case": metadata.get("related_case"),
        "origin_thread_ts": metadata.get("thread_ts"),
        "language": metadata.get("language") and language,
    }
    return Received(
        user=body["user"]["id"],
        channel=metadata.get("channel"),
        text=values.get("title") or "",
        case=case,
        team=(body.get("team") or {}).get("id"),
        command=VIEW_OPEN,
        view=f"{view.get('id')}:{view.get('hash')}",
    )


def _act_on_case(ack: Ack, view: dict[str, Any], context: BoltContext, act: CaseAct) -> None:
    """A small form about one case (its number in private_metadata): a refusal is shown on the form."""
    number = parse_case_number(view.get("private_metadata") or "")
    try:
        if number is None:
            raise UserFacingError("error.unknown_action")
        act(number, view_values(view))
    except UserFacingError as error:
        ack(response_action="errors", errors={"note": error.render(context["desk"].language, quote=plain_field)})
        return
    ack()
    refresh_home(context)  # the change is committed


def on_escalate_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    cases: CaseService = context["cases"]
    user = body["user"]["id"]
    _act_on_case(
        ack, view, context, lambda n, values: cases.escalate(n, values.get("level") or "", values.get("note"), user)
    )


def on_resolve_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    cases: CaseService = context["cases"]
    user = body["user"]["id"]
    _act_on_case(ack, view, context, lambda n, values: cases.resolve(n, values.get("note"), user))
