"""The case forms: the `/case` form and what prefills it, the small escalate and resolve forms, and the
modal with a case's whole description.

The `/case` form is opened from several surfaces (the command, the message shortcut, an FAQ answer's
「解決しない」, an old case's 「新しいケースを起票」); they all open it here, with a prefill built here.
It is in the asker's language, which it keeps (with the FAQ thread it came from) for what follows:
the confirmation, and what the reporter is told later (bot/case_notices.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient

from bot.case_vocabulary import Category
from bot.customers import CustomerRecord
from bot.durations import format_duration
from bot.i18n import t
from bot.models import Case
from bot.priorities import Priority
from bot.sla import Target, TargetPolicy, target_for
from bot.slack.blocks import Block, option, plain, section, sections, text_input
from bot.slack.case_blocks import TITLE_SHOWN, priority_badge
from bot.slack.desk import Desk
from bot.slack.mrkdwn import escape_text, quote_text

VIEW_OPEN = "case_open_view"
VIEW_ESCALATE = "case_escalate_view"
VIEW_RESOLVE = "case_resolve_view"
SHORTCUT_FROM_MESSAGE = "case_from_message"

VIEW_DESCRIPTION = "case_description_view"
ACTION_CUSTOMER = "case_customer"  # the customer picker (external_select): options from handlers/options/
OPTION_TEXT = 75  # Slack's limit for an option's text
KEPT = ("channel", "origin_link", "related_case", "thread_ts", "language")
"""What the form keeps in its private_metadata for when it is sent."""

Prefill = dict[str, Any]
"""What the form starts with: title, description, priority, and (kept in the view, KEPT) channel,
origin_link, related_case, the FAQ thread (thread_ts) and the asker's language."""


def open_case_form(
    client: WebClient, trigger_id: str, desk: Desk, prefill: Prefill, language: str | None = None
) -> None:
    """Open the `/case` form, prefilled, in the desk's language or the asker's (which the case keeps)."""
    if language:
        prefill = {**prefill, "language": language}
    view = case_modal(
        language or desk.language, prefill=prefill, title_limit=desk.title_max_length, targets=desk.targets
    )
    client.views_open(trigger_id=trigger_id, view=view)


# --- prefills ---------------------------------------------------------------------------------------


def first_line(text: str | None, limit: int) -> str:
    return (text or "").strip().split("\n", 1)[0][:limit]


def prefill_from_text(title: str, description: str | None, channel: str | None, title_limit: int) -> Prefill:
    """`/case <text>` without a priority: a title too long for its field goes whole into the description."""
    if len(title) > title_limit:
        description = "\n".join(part for part in (title, description) if part)
    return {"channel": channel, "title": title, "description": description}


def prefill_from_message(text: str, channel: str | None, link: str | None, title_limit: int) -> Prefill:
    """The message shortcut: the message's first line as the title, all of it as the description."""
    return {"title": first_line(text, title_limit), "description": text, "channel": channel, "origin_link": link}


def prefill_from_faq(
    question: str | None,
    channel: str,
    link: str | None,
    language: str,
    title_limit: int,
    thread_ts: str | None = None,
) -> Prefill:
    """「解決しない」 on an FAQ answer: the question, a link to it, and low priority to start with; the
    thread (`thread_ts`) is where the reporter is told about the case from then on."""
    return {
        "title": first_line(question, title_limit),
        "description": t("case.from_faq.description", language, question=question or ""),
        "channel": channel,
        "origin_link": link,
        "priority": Priority.LOW,
        "thread_ts": thread_ts,
    }


def prefill_linked(old: Case, channel: str | None) -> Prefill:
    """A new case after the reopen window: the old one's title and priority, linked to it."""
    return {"title": old.title, "priority": old.priority, "related_case": old.number, "channel": channel}


# --- the forms ----------------------------------------------------------------------------------------


def describe_target(target: Target, language: str) -> str:
    """「24時間体制で2時間」/「営業時間内で6時間」: a priority's first-response target, for the form."""
    key = "target.around_the_clock" if target.around_the_clock else "target.business"
    return t(key, language, duration=format_duration(target.duration, language))


def _priority_choice(language: str, prefilled: Any, targets: TargetPolicy) -> Block:
    """The priorities, each with what it means and its target (from the policy the SLA clock uses)."""
    choices = [
        option(
            priority_badge(p, language),
            p,
            t(f"priority.help.{p}", language, target=describe_target(target_for(targets, p), language)),
        )
        for p in Priority
    ]
    element: dict[str, Any] = {"type": "radio_buttons", "action_id": "value", "options": choices}
    if prefilled in tuple(Priority):
        element["initial_option"] = next(choice for choice in choices if choice["value"] == prefilled)
    return {
        "type": "input",
        "block_id": "priority",
        "label": plain(t("case.field.priority", language)),
        "element": element,
    }


def case_modal(
    language: str, *, targets: TargetPolicy, prefill: Prefill | None = None, title_limit: int = 200
) -> dict[str, Any]:
    """The `/case` form. `prefill` may carry title, description, priority, and what the form keeps (KEPT)."""
    prefill = prefill or {}
    categories = [option(t(f"category.{c}", language), c) for c in Category]
    metadata = {k: prefill.get(k) for k in KEPT if prefill.get(k)}
    title = text_input(
        "title",
        t("case.field.title", language),
        optional=False,
        initial=prefill.get("title"),
        max_length=title_limit,
        placeholder=t("case.modal.placeholder.title", language),
    )
    description = prefill.get("description")
    category = {"type": "static_select", "action_id": "value", "options": categories}
    return {
        "type": "modal",
        "callback_id": VIEW_OPEN,
        "private_metadata": json.dumps(metadata),
        "title": plain(t("case.modal.title", language)),
        "submit": plain(t("case.modal.submit", language)),
        "close": plain(t("case.modal.cancel", language)),
        "blocks": [
            title,
            text_input("description", t("case.field.description", language), multiline=True, initial=description),
            _priority_choice(language, prefill.get("priority"), targets),
            customer_picker(language),
            text_input("customer", t("case.field.customer", language), max_length=200),
            {
                "type": "input",
                "block_id": "category",
                "optional": True,
                "label": plain(t("case.field.category", language)),
                "element": category,
            },
            text_input("impact", t("case.field.impact", language), multiline=True),
            text_input("steps", t("case.field.steps", language), multiline=True),
        ],
    }


def customer_picker(language: str) -> Block:
    """The directory's customers, searched by name or id as one types; the case runs on their plan."""
    return {
        "type": "input",
        "block_id": "customer_pick",
        "optional": True,
        "label": plain(t("case.form.customer_pick", language)),
        "hint": plain(t("case.form.customer_pick.hint", language)),
        "element": {
            "type": "external_select",
            "action_id": ACTION_CUSTOMER,
            "min_query_length": 0,
            "placeholder": plain(t("case.form.customer_pick.placeholder", language)),
        },
    }


def customer_options(customers: Sequence[CustomerRecord]) -> list[dict[str, Any]]:
    """Picker options: 「株式会社アクメ (acme)」, the id as the value; at most 100 (Slack's limit)."""
    options = []
    for customer in customers[:100]:
        suffix = f" ({customer.id})"
        options.append(option(customer.name[: OPTION_TEXT - len(suffix)] + suffix, customer.id))
    return options


def _case_action_modal(
    case: Case, language: str, *, callback_id: str, action: str, inputs: list[Block]
) -> dict[str, Any]:
    """A small modal acting on one case: its number and title, then the inputs (escalate, resolve)."""
    heading = f"*#{case.number}* {escape_text(case.title, limit=TITLE_SHOWN)}"
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": str(case.number),
        "title": plain(t(f"case.modal.{action}.title", language)),
        "submit": plain(t(f"case.modal.{action}.submit", language)),
        "close": plain(t("case.modal.cancel", language)),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": heading}},
            *inputs,
            text_input("note", t("case.modal.note", language), multiline=True, max_length=1000),
        ],
    }


def escalate_modal(case: Case, language: str) -> dict[str, Any]:
    levels = [option(t(f"level.{level}", language), f"L{level}") for level in (2, 3) if level > case.escalation_level]
    element: dict[str, Any] = (
        {"type": "radio_buttons", "action_id": "value", "options": levels, "initial_option": levels[0]}
        if levels
        else {"type": "plain_text_input", "action_id": "value"}
    )
    level = {
        "type": "input",
        "block_id": "level",
        "label": plain(t("case.modal.escalate.level", language)),
        "element": element,
    }
    return _case_action_modal(case, language, callback_id=VIEW_ESCALATE, action="escalate", inputs=[level])


def resolve_modal(case: Case, language: str) -> dict[str, Any]:
    return _case_action_modal(case, language, callback_id=VIEW_RESOLVE, action="resolve", inputs=[])


def description_modal(case: Case, language: str) -> dict[str, Any]:
    """「全文を表示」 on a card: the whole description, in as many sections as it takes."""
    heading = f"*#{case.number} {escape_text(case.title, limit=TITLE_SHOWN)}*"
    return {
        "type": "modal",
        "callback_id": VIEW_DESCRIPTION,
        "title": plain(t("case.modal.description.title", language, number=case.number)[:24]),
        "close": plain(t("case.modal.close", language)),
        "blocks": [section(heading), *sections(quote_text(case.description or ""))][:100],
    }


def notice_modal(text: str, language: str) -> dict[str, Any]:
    """What a submitted form turns into when the answer must wait (received during an outage)."""
    return {
        "type": "modal",
        "title": plain(t("case.modal.title", language)),
        "close": plain(t("case.modal.close", language)),
        "blocks": [section(escape_text(text))],
    }
