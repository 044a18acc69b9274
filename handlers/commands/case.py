"""`/case`: open a case (at once with a priority word, else through the form), list, show, act on one.

The grammar is bot/case_commands.py's; each verb is one short function here. Help and mistakes in the
command are answered in the ack; everything else is acked first and answered through `respond`.
Opening a case is recorded before anything acks it, and answered right there: `record_case_request`,
a listener middleware, runs in the request thread, records the request (bot/intake.py) and returns
Slack's answer itself, so its listener is not run; the case is opened after the ack, and its
confirmation comes through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from bot.case_answers import ReplyTo
from bot.case_commands import CaseCommand, Verb, parse_case_command
from bot.case_vocabulary import ListScope
from bot.cases import CaseService
from bot.clock import Clock
from bot.database import DatabaseUnavailable
from bot.errors import UserFacingError
from bot.i18n import t
from bot.intake import Intake, Receipt, Received, Unavailable
from bot.internals.bolt_ack import AFTER_ACK
from bot.slack import case_blocks, case_replies
from bot.slack.case_forms import open_case_form, prefill_from_text
from bot.slack.desk import Desk
from bot.slack.mrkdwn import escape_text, from_slack
from handlers.commands.case_stats import answer_stats
from handlers.context import answering

LIST_LIMIT = 20  # cases shown by `/case list`; the list says when there are more


def record_case_request(
    ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext, next: Callable[[], None]
) -> BoltResponse | None:
    """`/case 高 …` is answered here once recorded (bot/intake.py), and its case opened after the ack.

    Its listener is not run: Bolt would answer only when it next looks for the listener's ack (every
    10 ms), holding a server thread meanwhile. Other verbs go on to the listener.
    """
    parsed = parse_case_command(command.get("text") or "", readable=from_slack)
    context["case_command"] = parsed
    if parsed.verb is not Verb.OPEN:
        next()
        return None
    receipt = _receive(parsed, command, context)
    language = context["desk"].language
    if isinstance(receipt, str):  # refused before it was recorded, or nowhere to record it: nothing changed
        return ack(text=receipt)
    if receipt.spooled:
        return ack(text=t("intake.queued", language))
    answer = ack()
    context[AFTER_ACK](partial(_open_recorded, receipt.request_id, context["intake"], respond, language))
    return answer


def _open_recorded(request_id: str, intake: Intake, respond: Respond, language: str) -> None:
    """After the ack: open it now, or the intake job will once the database is back."""
    try:
        intake.process(request_id)
    except DatabaseUnavailable:  # recorded: the intake job opens it, and the number comes then
        respond(text=t("intake.queued", language), response_type="ephemeral")


def _receive(parsed: CaseCommand, command: dict[str, Any], context: BoltContext) -> Receipt | str:
    """The receipt of a recorded request, or what to answer instead (bad input, nowhere to record it)."""
    cases: CaseService = context["cases"]
    language = context["desk"].language
    try:
        cases.validate_title(parsed.text)
        cases.require_priority(parsed.word)
        case = {"title": parsed.text or "", "priority": parsed.word or "", "description": parsed.description}
        received = Received(
            user=command["user_id"],
            channel=command.get("channel_id"),
            text=command.get("text") or "",
            case={**case, "origin_channel": command.get("channel_id")},
            team=command.get("team_id"),
            trigger_id=command.get("trigger_id"),
            response_url=command.get("response_url"),
        )
        return context["intake"].receive(received)
    except UserFacingError as error:
        return error.render(language, quote=escape_text)
    except Unavailable:
        return t("intake.unavailable", language)


def on_case_command(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    desk: Desk = context["desk"]
    # A priority word (Verb.OPEN) never comes here: record_case_request answers it.
    parsed = context.get("case_command") or parse_case_command(command.get("text") or "", readable=from_slack)
    if parsed.verb in (Verb.INVALID, Verb.HELP):
        word = escape_text(parsed.word or "", limit=40)
        ack(text=t(parsed.error or "case.usage", desk.language, days=desk.reopen_days, word=word))
        return
    ack()
    channel = command.get("channel_id")
    if parsed.verb is Verb.STATS:
        answer_stats(parsed, command["user_id"], respond, context)
        return
    if parsed.verb is Verb.FORM:
        prefill = prefill_from_text(parsed.text or "", parsed.description, channel, desk.title_max_length)
        open_case_form(client, command["trigger_id"], desk, prefill)
        return
    request = Request(parsed, command["user_id"], channel, context["cases"], context["clock"], desk)
    if parsed.verb in _READS:
        _READS[parsed.verb](request, respond)
        return
    # A change: its answer is queued with it (bot/case_answers.py), to this command's response_url.
    with answering(context, ReplyTo(request.user, command.get("response_url"), channel)):
        _CHANGES[parsed.verb](request, respond)


@dataclass(frozen=True)
class Request:
    """One `/case` verb to carry out: what was asked, by whom, where, and what answering it uses."""

    parsed: CaseCommand
    user: str
    channel: str | None
    cases: CaseService
    clock: Clock
    desk: Desk

    @property
    def number(self) -> int:
        assert self.parsed.number is not None  # the grammar gives every verb on a case its number
        return self.parsed.number

    def say(self, respond: Respond, text: str, **extra: Any) -> None:
        respond(text=text, response_type="ephemeral", **extra)


def _list(request: Request, respond: Respond) -> None:
    scope = ListScope(request.parsed.word or ListScope.OPEN)
    customer = request.parsed.text
    cases = request.cases
    found = list(cases.list(scope, request.user, limit=LIST_LIMIT + 1, customer=customer, channel=request.channel))
    desk, now = request.desk, request.clock.now()
    text, blocks = case_blocks.case_list(
        found, scope, now, desk.language, desk.timezone, limit=LIST_LIMIT, plans=desk.plans, customer=customer
    )
    request.say(respond, text, blocks=blocks)


def _show(request: Request, respond: Respond) -> None:
    """Details and history of a case the person may see (another one is "not found")."""
    details = request.cases.show(request.number, request.user, request.channel)
    now, desk = request.clock.now(), request.desk
    text, blocks = case_blocks.case_details(details, request.user, now, desk.language, desk.timezone, desk.plans)
    request.say(respond, text, blocks=blocks)


def _acknowledge(request: Request, respond: Respond) -> None:
    case_replies.acknowledge(request.cases, request.desk, request.number, request.user, respond, via="command")


def _assign(request: Request, respond: Respond) -> None:
    request.cases.assign(request.number, request.parsed.word or "", request.user)


def _change_priority(request: Request, respond: Respond) -> None:
    request.cases.change_priority(request.number, request.parsed.word or "", request.parsed.text, request.user)


def _change_customer(request: Request, respond: Respond) -> None:
    request.cases.change_customer(request.number, request.parsed.word or "", request.user)


def _escalate(request: Request, respond: Respond) -> None:
    request.cases.escalate(request.number, request.parsed.word or "", request.parsed.text, request.user)


def _resolve(request: Request, respond: Respond) -> None:
    request.cases.resolve(request.number, request.parsed.text, request.user)


def _reopen(request: Request, respond: Respond) -> None:
    case_replies.reopen(request.cases, request.desk, request.number, request.parsed.text, request.user, respond)


_READS: dict[Verb, Callable[[Request, Respond], None]] = {
    Verb.LIST: _list,
    Verb.SHOW: _show,
}
_CHANGES: dict[Verb, Callable[[Request, Respond], None]] = {
    Verb.ACK: _acknowledge,
    Verb.ASSIGN: _assign,
    Verb.PRIORITY: _change_priority,
    Verb.CUSTOMER: _change_customer,
    Verb.ESCALATE: _escalate,
    Verb.RESOLVE: _resolve,
    Verb.REOPEN: _reopen,
}
