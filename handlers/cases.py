"""Case listeners: `/case`, the card's buttons, the modals, the message shortcut, thread replies."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import Action
from bot.case_commands import CaseCommand, parse_case_command, parse_case_number
from bot.case_vocabulary import Category, ListScope
from bot.cases import NewCase
from bot.errors import UserFacingError
from bot.i18n import t
from bot.services import Services
from bot.slack import case_blocks, case_forms
from bot.slack.blocks import view_values
from bot.slack.mrkdwn import from_slack, plain_field
from bot.slack.times import format_due

log = logging.getLogger(__name__)

LIST_LIMIT = 20  # cases shown by `/case list`; the list says when there are more
# What the reporter of a high case is told, by whom the page reached (bot.oncall.OnCall.source).
PAGED_TELLS = {
    "rotation": "case.opened.high",
    "override": "case.opened.high",
    "fallback": "case.opened.high.fallback",
    "nobody": "case.opened.high.nobody",
}


def open_case_form(
    client: WebClient,
    trigger_id: str,
    services: Services,
    prefill: dict[str, Any] | None = None,
    *,
    language: str | None = None,
) -> None:
    """Open the `/case` modal, optionally prefilled (from an FAQ answer, a message, an old case)."""
    view = case_forms.case_modal(
        language or services.config.language, prefill=prefill, title_limit=services.config.cases.title_max_length
    )
    client.views_open(trigger_id=trigger_id, view=view)


def register(app: App, services: Services) -> None:
    config = services.config
    language = config.language
    timezone = config.business_hours.timezone
    cases = services.cases

    def due(case: Any) -> str:
        return format_due(case.due_at, timezone, language)

    def opened_message(change: Any) -> str:
        case = change.case
        lines = [
            t(
                "case.opened",
                language,
                number=case.number,
                priority=case_blocks.priority_badge(case.priority, language),
                due=due(case),
            )
        ]
        if change.outside_hours:
            lines.append(t("case.opened.outside_hours", language))
        if change.paged is not None:  # what the page really reached: on-call people, a group, or nobody
            lines.append(t(PAGED_TELLS[change.paged.source], language))
        return "\n".join(lines)

    def tell(client: WebClient, user: str, channel: str | None, text: str) -> None:
        """An ephemeral note where the person is, or a DM when that is not possible."""
        if channel:
            try:
                client.chat_postEphemeral(channel=channel, user=user, text=text)
                return
            except SlackApiError as exc:
                log.info("ephemeral to %s in %s failed (%s); sending a DM", user, channel, exc.response.get("error"))
        client.chat_postMessage(channel=user, text=text)

    # --- /case -----------------------------------------------------------------------------------

    @app.command("/case")
    def case_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        parsed = parse_case_command(from_slack(command.get("text") or ""))
        user = command["user_id"]
        if parsed.verb == "invalid":
            key = parsed.error or "case.usage"
            ack(text=t(key, language, days=config.cases.reopen_window.days))
            return
        if parsed.verb == "help":
            ack(text=t("case.usage", language, days=config.cases.reopen_window.days))
            return
        if parsed.verb == "form":
            ack()
            open_case_form(client, command["trigger_id"], services, form_prefill(parsed, command.get("channel_id")))
            return
        ack()
        run_command(parsed, user, command.get("channel_id"), respond)

    def form_prefill(parsed: CaseCommand, channel: str | None) -> dict[str, Any]:
        """The form's prefill from `/case <text>`; a title too long for its field goes whole into the description."""
        title, description = parsed.text or "", parsed.description
        if len(title) > config.cases.title_max_length:
            description = "\n".join(part for part in (title, description) if part)
        return {"channel": channel, "title": title, "description": description}

    def run_command(parsed: CaseCommand, user: str, channel: str | None, respond: Respond) -> None:
        now = services.clock.now()
        if parsed.verb == "open":
            change = cases.open(
                NewCase(
                    title=parsed.text or "",
                    priority=parsed.word or "",
                    description=parsed.description,
                    origin_channel=channel,
                ),
                reporter=user,
            )
            respond(text=opened_message(change), response_type="ephemeral")
        elif parsed.verb == "list":
            scope = ListScope(parsed.word or ListScope.OPEN)
            found = list(cases.list(scope, user, limit=LIST_LIMIT + 1))
            text, blocks = case_blocks.case_list(found, scope, now, language, timezone, limit=LIST_LIMIT)
            respond(text=text, blocks=blocks, response_type="ephemeral")
        elif parsed.verb == "show":
            assert parsed.number is not None
            text, blocks = case_blocks.case_details(cases.details(parsed.number), now, language, timezone)
            respond(text=text, blocks=blocks, response_type="ephemeral")
        elif parsed.verb == "ack":
            assert parsed.number is not None
            change = cases.acknowledge(parsed.number, user)
            respond(text=t("case.acknowledged", language, number=change.case.number), response_type="ephemeral")
        elif parsed.verb == "priority":
            assert parsed.number is not None
            change = cases.change_priority(parsed.number, parsed.word or "", parsed.text, user)
            respond(
                text=t(
                    "case.priority_changed",
                    language,
                    number=change.case.number,
                    priority=case_blocks.priority_badge(change.case.priority, language),
                    due=due(change.case),
                ),
                response_type="ephemeral",
            )
        elif parsed.verb == "escalate":
            assert parsed.number is not None
            change = cases.escalate(parsed.number, parsed.word or "", parsed.text, user)
            level = t(f"level.{change.case.escalation_level}", language)
            respond(
                text=t("case.escalated", language, number=change.case.number, level=level), response_type="ephemeral"
            )
        elif parsed.verb == "resolve":
            assert parsed.number is not None
            change = cases.resolve(parsed.number, parsed.text, user)
            key = "case.self_resolved" if change.event.kind == "self_resolved" else "case.resolved"
            respond(text=t(key, language, number=change.case.number), response_type="ephemeral")
        elif parsed.verb == "reopen":
            assert parsed.number is not None
            reopen(parsed.number, parsed.text, user, respond)

    def reopen(number: int, reason: str | None, user: str, respond: Respond) -> None:
        try:
            change = cases.reopen(number, reason, user)
        except UserFacingError as error:
            if error.key != "case.error.reopen_window":
                raise
            text, blocks = case_blocks.reopen_refused(number, config.cases.reopen_window.days, language)
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
            return
        respond(
            text=t("case.reopened", language, number=change.case.number),
            response_type="ephemeral",
            replace_original=False,
        )

    # --- the card's buttons ----------------------------------------------------------------------

    def number_of(action: dict[str, Any]) -> int:
        number = parse_case_number(str(action.get("value", "")))
        if number is None:
            raise UserFacingError("error.unknown_action")
        return number

    @app.action(case_blocks.ACTION_ACK)
    def on_ack(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        change = cases.acknowledge(number_of(action), body["user"]["id"], via="button")
        respond(
            text=t("case.acknowledged", language, number=change.case.number),
            response_type="ephemeral",
            replace_original=False,
        )

    @app.action(case_blocks.ACTION_ESCALATE)
    def on_escalate(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        number = number_of(action)
        cases.require(number, body["user"]["id"], Action.ESCALATE)
        client.views_open(trigger_id=body["trigger_id"], view=case_forms.escalate_modal(cases.get(number), language))

    @app.action(case_blocks.ACTION_RESOLVE)
    def on_resolve(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        number = number_of(action)
        cases.require(number, body["user"]["id"], Action.RESOLVE)
        client.views_open(trigger_id=body["trigger_id"], view=case_forms.resolve_modal(cases.get(number), language))

    @app.action(case_blocks.ACTION_REOPEN)
    def on_reopen(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reopen(number_of(action), None, body["user"]["id"], respond)

    @app.action(case_blocks.ACTION_NEW_LINKED)
    def on_new_linked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        old = cases.get(number_of(action))
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        open_case_form(
            client,
            body["trigger_id"],
            services,
            {"title": old.title, "priority": old.priority, "related_case": old.number, "channel": channel},
        )

    # --- modals ------------------------------------------------------------------------------------

    @app.view(case_forms.VIEW_OPEN)
    def on_case_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view_values(view)
        errors: dict[str, str] = {}
        try:
            title = cases.validate_title(values.get("title"))
        except UserFacingError as error:
            errors["title"] = error.render(language, quote=plain_field)
        priority = values.get("priority")
        try:
            cases.require_priority(priority)
        except UserFacingError as error:
            errors["priority"] = error.render(language, quote=plain_field)
        if values.get("category") not in (None, *Category):
            errors["category"] = t("case.error.category", language)
        if errors:  # everything cases.open would refuse, so nothing fails after ack()
            ack(response_action="errors", errors=errors)
            return
        ack()
        metadata = json.loads(view.get("private_metadata") or "{}")
        user = body["user"]["id"]
        change = cases.open(
            NewCase(
                title=title,
                priority=priority or "",
                description=values.get("description"),
                customer=values.get("customer"),
                category=values.get("category"),
                impact=values.get("impact"),
                steps=values.get("steps"),
                origin_channel=metadata.get("channel"),
                origin_link=metadata.get("origin_link"),
                related_case=metadata.get("related_case"),
            ),
            reporter=user,
        )
        tell(client, user, metadata.get("channel"), opened_message(change))

    @app.view(case_forms.VIEW_ESCALATE)
    def on_escalate_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view_values(view)
        number = parse_case_number(view.get("private_metadata") or "")
        try:
            if number is None:
                raise UserFacingError("error.unknown_action")
            cases.escalate(number, values.get("level") or "", values.get("note"), body["user"]["id"])
        except UserFacingError as error:
            ack(response_action="errors", errors={"note": error.render(language, quote=plain_field)})
            return
        ack()

    @app.view(case_forms.VIEW_RESOLVE)
    def on_resolve_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view_values(view)
        number = parse_case_number(view.get("private_metadata") or "")
        try:
            if number is None:
                raise UserFacingError("error.unknown_action")
            cases.resolve(number, values.get("note"), body["user"]["id"])
        except UserFacingError as error:
            ack(response_action="errors", errors={"note": error.render(language, quote=plain_field)})
            return
        ack()

    # --- opening a case from elsewhere ---------------------------------------------------------------

    @app.shortcut(case_forms.SHORTCUT_FROM_MESSAGE)
    def from_message(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id")
        # Once, here: neutralising again (the form does) would eat text the user typed in <…>.
        text = from_slack(message.get("text"))
        link = None
        if channel and message.get("ts"):
            try:
                link = client.chat_getPermalink(channel=channel, message_ts=message["ts"]).get("permalink")
            except SlackApiError:
                link = None
        first_line = text.strip().split("\n", 1)[0][: config.cases.title_max_length]
        open_case_form(
            client,
            shortcut["trigger_id"],
            services,
            {"title": first_line, "description": text, "channel": channel, "origin_link": link},
        )

    # --- replies in a case's thread ----------------------------------------------------------------------

    def in_case_thread(event: dict[str, Any]) -> bool:
        return (
            event.get("channel") == config.channels.cases
            and bool(event.get("thread_ts"))
            and event.get("thread_ts") != event.get("ts")
            and not event.get("bot_id")
            and event.get("subtype") in (None, "thread_broadcast", "file_share")
        )

    @app.event("message", matchers=[lambda event: in_case_thread(event)])
    def on_case_thread_reply(event: dict[str, Any], context: BoltContext) -> None:
        case = cases.find_by_message(event["channel"], event["thread_ts"])
        if case is not None and event.get("user"):
            cases.record_reply(case.number, event["user"])


def faq_unresolved_prefill(
    services: Services, body: dict[str, Any], client: WebClient, language: str
) -> dict[str, Any]:
    """What to put in the case form when someone says an FAQ answer did not solve it."""
    channel = body["channel"]["id"]
    message = body.get("message") or {}
    question_ts = message.get("thread_ts") or message.get("ts")
    question = services.faq.question_for(channel, question_ts) if question_ts else None
    link = None
    if question_ts:
        try:
            link = client.chat_getPermalink(channel=channel, message_ts=question_ts).get("permalink")
        except SlackApiError:
            link = None
    title = (question or "").strip().split("\n", 1)[0][: services.config.cases.title_max_length]
    return {
        "title": title,
        "description": t("case.from_faq.description", language, question=question or ""),
        "channel": channel,
        "origin_link": link,
        "priority": "low",
    }
