"""What the person who acted on a case is told back, privately: from a command, a button or a form alike."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_bolt import Respond

from bot.cases import CaseChange, CaseService
from bot.errors import UserFacingError
from bot.i18n import t
from bot.models import Case
from bot.slack.case_blocks import priority_badge, reopen_refused, who
from bot.slack.desk import Desk
from bot.slack.mrkdwn import escape_text

log = logging.getLogger(__name__)

# What the reporter of a high case is told, by whom the page reached (bot.oncall.OnCall.source).
PAGED_TELLS = {
    "rotation": "case.opened.high",
    "override": "case.opened.high",
    "fallback": "case.opened.high.fallback",
    "nobody": "case.opened.high.nobody",
}


def opened(change: CaseChange, desk: Desk) -> str:
    """「ケース #N を起票しました」, when it is due, and what the page really reached (if it paged);
    in the case's language (the asker's, when the flow that opened it had one)."""
    source = change.paged.source if change.paged is not None else None
    return opened_text(
        change.case, desk, outside_hours=change.outside_hours, paged=source, customer_channel=change.customer_channel
    )


def opened_text(
    case: Case, desk: Desk, *, outside_hours: bool, paged: str | None, customer_channel: bool = False
) -> str:
    """`opened`'s sentence from what the outbox keeps (bot/intake.py's confirmation)."""
    language = case.language or desk.language
    if customer_channel:
        return opened_for_customer(case, desk, language, outside_hours=outside_hours, urgent=paged is not None)
    priority = priority_badge(case.priority, language)
    due = desk.when(case.due_at, language)
    lines = [t("case.opened", language, number=case.number, priority=priority, due=due)]
    if outside_hours:
        lines.append(t("case.opened.outside_hours", language))
    if paged is not None:  # on-call people, a user group, or nobody
        lines.append(t(PAGED_TELLS[paged], language))
    return "\n".join(lines)


def opened_for_customer(case: Case, desk: Desk, language: str, *, outside_hours: bool, urgent: bool) -> str:
    """In a customer's channel: 受付番号, when the first response will come under their plan — and none of
    the team's inner workings (who was paged, through which group)."""
    priority, due = t(f"priority.{case.priority}", language), desk.when(case.due_at, language)
    lines = [t("case.opened.customer", language, number=case.number, priority=priority, due=due)]
    if outside_hours:
        target = escape_text(desk.plans.target(case.plan, case.priority).explain(language), limit=300)
        lines.append(t("case.opened.customer.outside_hours", language, target=target, due=due))
    if urgent:
        lines.append(t("case.opened.customer.urgent", language))
    return "\n".join(lines)


def priority_changed(case: Case, desk: Desk) -> str:
    priority = priority_badge(case.priority, desk.language)
    return t("case.priority_changed", desk.language, number=case.number, priority=priority, due=desk.when(case.due_at))


def customer_changed(case: Case, desk: Desk) -> str:
    customer = escape_text(case.customer or case.customer_id or "", limit=200)
    target = escape_text(desk.plans.target(case.plan, case.priority).explain(desk.language), limit=300)
    due = desk.when(case.due_at)
    return t("case.customer_changed", desk.language, number=case.number, customer=customer, target=target, due=due)


def escalated(case: Case, desk: Desk) -> str:
    level = t(f"level.{case.escalation_level}", desk.language)
    return t("case.escalated", desk.language, number=case.number, level=level)


def acknowledge(cases: CaseService, desk: Desk, number: int, user: str, respond: Respond, *, via: str) -> None:
    """Take the case (the answer is queued with it: bot/case_answers.py); if someone already has it, say
    who and since when."""
    try:
        cases.acknowledge(number, user, via=via)
    except UserFacingError as error:
        if error.key != "case.error.already_acknowledged":
            raise
        since = error.values.get("at")
        when = desk.when(since) if isinstance(since, datetime) else "-"
        text = t(error.key, desk.language, number=number, user=who(str(error.values.get("user") or "")), at=when)
        respond(text=text, response_type="ephemeral", replace_original=False)


def reopen(cases: CaseService, desk: Desk, number: int, reason: str | None, user: str, respond: Respond) -> None:
    """Reopen (the answer is queued with it); past the window, offer a new case linked to the old one instead."""
    try:
        cases.reopen(number, reason, user)
    except UserFacingError as error:
        if error.key != "case.error.reopen_window":
            raise
        text, blocks = reopen_refused(number, desk.reopen_days, desk.language)
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
