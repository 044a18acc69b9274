"""Block Kit for cases: the card, thread lines, pages, lists, details and the modals."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.cases import ACKNOWLEDGED, CATEGORIES, ESCALATED, RESOLVED, CaseDetails
from bot.config import EscalationConfig
from bot.i18n import t
from bot.models import Case, CaseEvent
from bot.sla import format_due, format_remaining
from bot.slack.faq_blocks import button
from bot.slack.mrkdwn import (
    escape,
    escape_text,
    link,
    mention,
    mention_here,
    mention_user,
    plain_field,
    quote_text,
)

Block = dict[str, Any]

ACTION_ACK = "case_ack"
ACTION_ESCALATE = "case_escalate"
ACTION_RESOLVE = "case_resolve"
ACTION_REOPEN = "case_reopen"
ACTION_NEW_LINKED = "case_new_linked"
VIEW_OPEN = "case_open_view"
VIEW_ESCALATE = "case_escalate_view"
VIEW_RESOLVE = "case_resolve_view"
SHORTCUT_FROM_MESSAGE = "case_from_message"

BADGES = {"high": "🔴", "medium": "🟠", "low": "🟢"}
TITLE_SHOWN = 150
SECTION_LIMIT = 3000  # characters in a section's text


def priority_badge(priority: str, language: str) -> str:
    return f"{BADGES.get(priority, '⚪')} {t(f'priority.{priority}', language)}"


def case_ref(case: Case) -> str:
    return f"#{case.number}"


def who(user_id: str | None) -> str:
    if not user_id:
        return "-"
    try:
        return mention_user(user_id)
    except ValueError:
        return escape(user_id)


def due_summary(case: Case, now: datetime, language: str, timezone: str) -> str:
    """Due time with what is left (or how late), or when the first response came."""
    if case.first_response_at is None and case.status == RESOLVED:  # resolved by the reporter (自己解決)
        return format_due(case.due_at, timezone, language)  # type: ignore[arg-type]
    if case.first_response_at is not None:
        return t(
            "case.due.responded",
            language,
            when=format_due(case.first_response_at, timezone, language),  # type: ignore[arg-type]
            user=who(case.first_response_by),
        )
    due = format_due(case.due_at, timezone, language)  # type: ignore[arg-type]
    remaining = format_remaining(case.due_at - now, language)  # type: ignore[arg-type]
    key = "case.due.overdue" if case.due_at <= now else "case.due.pending"
    return t(key, language, due=due, remaining=remaining)


def _field(label: str, value: str) -> Block:
    return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}


def _long(label: str, text: str | None, limit: int = 1200) -> list[Block]:
    """A quoted block of user text. Escaping and quoting can grow it several times over (`&` → `&amp;`,
    a `&gt; ` per line), so shorten it until the section fits Slack's limit (else: invalid_blocks)."""
    if not text:
        return []
    body = f"*{label}*\n{quote_text(text, limit=limit)}"
    while len(body) > SECTION_LIMIT and limit > 1:
        limit = limit * 2 // 3
        body = f"*{label}*\n{quote_text(text, limit=limit)}"
    return [{"type": "section", "text": {"type": "mrkdwn", "text": body}}]


def card(case: Case, now: datetime, language: str, timezone: str) -> tuple[str, list[Block]]:
    """The case as posted (and updated in place) in the cases channel."""
    title = escape_text(case.title, limit=TITLE_SHOWN)
    fields = [
        _field(t("case.field.priority", language), priority_badge(case.priority, language)),
        _field(t("case.field.status", language), t(f"status.{case.status}", language)),
        _field(t("case.field.reporter", language), who(case.reporter_id)),
        _field(t("case.field.level", language), t(f"level.{case.escalation_level}", language)),
    ]
    if case.customer:
        fields.append(_field(t("case.field.customer", language), escape_text(case.customer, limit=200)))
    if case.category:
        fields.append(_field(t("case.field.category", language), t(f"category.{case.category}", language)))
    label = "case.field.responded" if case.first_response_at else "case.field.due"
    fields.append(_field(t(label, language), due_summary(case, now, language, timezone)))
    if case.resolved_at:
        fields.append(
            _field(t("case.field.resolved", language), format_due(case.resolved_at, timezone, language))  # type: ignore[arg-type]
        )
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{case_ref(case)} {title}*"}},
        {"type": "section", "fields": fields[:10]},
    ]
    blocks += _long(t("case.field.description", language), case.description)
    blocks += _long(t("case.field.impact", language), case.impact, 600)
    blocks += _long(t("case.field.steps", language), case.steps, 600)
    context = []
    if case.origin_link and case.origin_link.startswith("https://"):
        context.append(link(case.origin_link, t("case.field.origin", language)))
    if case.related_case:
        context.append(f"{t('case.field.related', language)}: #{case.related_case}")
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]})
    buttons = case_buttons(case, language)
    if buttons:
        blocks.append({"type": "actions", "block_id": f"case_actions:{language}", "elements": buttons})
    fallback = t(
        "case.card.fallback",
        language,
        number=case.number,
        priority=t(f"priority.{case.priority}", language),
        title=title,
    )
    return fallback, blocks


def case_buttons(case: Case, language: str) -> list[Block]:
    value = str(case.number)
    if case.status == RESOLVED:
        return [button(t("case.button.reopen", language), ACTION_REOPEN, value)]
    buttons = []
    # Like CaseService.acknowledge: open, reopened, or escalated before anyone responded.
    if case.status not in (ACKNOWLEDGED, ESCALATED) or case.first_response_at is None:
        buttons.append(button(t("case.button.ack", language), ACTION_ACK, value, style="primary"))
    if case.escalation_level < 3:
        buttons.append(button(t("case.button.escalate", language), ACTION_ESCALATE, value))
    buttons.append(button(t("case.button.resolve", language), ACTION_RESOLVE, value))
    return buttons


def _note(reason: str | None, language: str) -> str:
    return t("case.event.note", language, note=escape_text(reason, limit=1000)) if reason else ""


def event_line(event: CaseEvent, case: Case, language: str, timezone: str, escalation: EscalationConfig) -> str:
    """One line in the case thread for each change."""
    actor = who(event.actor_id)
    kind = event.kind
    if kind == "priority_changed":
        return t(
            "case.event.priority_changed",
            language,
            actor=actor,
            old=priority_badge(event.old_value or "", language),
            new=priority_badge(event.new_value or "", language),
            reason=escape_text(event.reason, limit=1000),
            due=format_due(case.due_at, timezone, language),  # type: ignore[arg-type]
        )
    if kind == "escalated":
        level = int((event.new_value or "L2")[1:])
        target = escalation.cs_lead if level == 2 else escalation.engineers
        text = t(
            "case.event.escalated",
            language,
            actor=actor,
            level=t(f"level.{level}", language),
            mention=(mention(target) + " ") if target else "",
            note=_note(event.reason, language),
        )
        if level == 3 and escalation.issue_tracker_url:
            text += t(
                "case.event.escalated_ticket",
                language,
                link=link(escalation.issue_tracker_url, f"#{case.number} {case.title}"),
            )
        return text
    if kind in ("acknowledged", "first_response", "resolved", "self_resolved", "reopened"):
        return t(
            f"case.event.{kind}",
            language,
            actor=actor,
            note=_note(event.reason if kind != "acknowledged" else None, language),
        )
    return f"{kind}: {actor}"


def mention_list(mentions: list[str], language: str, *, here: bool = False) -> str:
    """Whom a page calls: the on-call people, or a plain note that nobody is on call (with @here when
    [oncall] fallback is "here"; the bot mints it from configuration, never from user text)."""
    if mentions:
        return " ".join(mention(m) for m in mentions)
    nobody = t("case.emergency.nobody", language)
    return f"{mention_here()} {nobody}" if here else nobody


def page(case: Case, text: str, details: list[str], language: str, *, block_id: str) -> list[Block]:
    """A page's blocks: the message, its details (with the link to the card) and 「対応開始」."""
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if details:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(details)}]})
    if case.first_response_at is None and case.status != RESOLVED:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"{block_id}:{language}",
                "elements": [button(t("case.button.ack", language), ACTION_ACK, str(case.number), style="danger")],
            }
        )
    return blocks


def emergency(
    case: Case,
    mentions: list[str],
    permalink: str | None,
    now: datetime,
    language: str,
    timezone: str,
    *,
    here: bool = False,
) -> tuple[str, list[Block]]:
    """The page in the emergency channel when a high case opens."""
    text = t(
        "case.emergency.text",
        language,
        number=case.number,
        title=escape_text(case.title, limit=TITLE_SHOWN),
        mentions=mention_list(mentions, language, here=here),
    )
    details = [
        f"*{t('case.field.due', language)}*: {due_summary(case, now, language, timezone)}",
        f"*{t('case.field.reporter', language)}*: {who(case.reporter_id)}",
    ]
    if case.customer:
        details.append(f"*{t('case.field.customer', language)}*: {escape_text(case.customer, limit=200)}")
    if permalink:
        details.append(link(permalink, t("case.link", language)))
    return text, page(case, text, details, language, block_id="case_page")


def case_line(case: Case, now: datetime, language: str, timezone: str) -> str:
    title = escape_text(case.title, limit=80)
    status = t(f"status.{case.status}", language)
    return (
        f"*#{case.number}* {BADGES.get(case.priority, '')} [{status}] {title} — "
        f"{due_summary(case, now, language, timezone)}"
    )


def case_list(
    cases: list[Case], scope: str, now: datetime, language: str, timezone: str, *, limit: int | None = None
) -> tuple[str, list[Block]]:
    """Cases one per line; with `limit`, a list longer than it is cut there and says so."""
    more = limit is not None and len(cases) > limit
    cases = cases[:limit] if limit is not None else cases
    header = t("case.list.header", language, scope=t(f"case.list.scope.{scope}", language))
    if not cases:
        text = f"{header}\n{t('case.list.empty', language)}"
        return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    lines = [case_line(case, now, language, timezone) for case in cases]
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{header}*"}}]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2800:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}})
            chunk = []
        chunk.append(line)
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}})
    if more:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": t("case.list.more", language, count=limit)}]}
        )
    return header, blocks


def history_line(event: CaseEvent, language: str, timezone: str) -> str:
    key = f"case.history.{event.kind}"
    old = event.old_value or ""
    new = event.new_value or ""
    if event.kind in ("opened", "priority_changed"):
        old, new = (t(f"priority.{v}", language) if v else "" for v in (event.old_value, event.new_value))
    try:
        what = t(key, language, old=old, new=new)
    except KeyError:
        what = escape(event.kind)
    line = f"• {format_due(event.at, timezone, language)}  {who(event.actor_id)}  {what}"  # type: ignore[arg-type]
    if event.reason and event.kind != "acknowledged":
        line += f" — {escape_text(event.reason, limit=300)}"
    return line


def case_details(details: CaseDetails, now: datetime, language: str, timezone: str) -> tuple[str, list[Block]]:
    text, blocks = card(details.case, now, language, timezone)
    blocks = [b for b in blocks if b.get("type") != "actions"]
    history = "\n".join(history_line(e, language, timezone) for e in details.events)
    blocks.append(
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{t('case.show.history', language)}*\n{history}"[:2900]},
        }
    )
    return text, blocks


# --- modals ---------------------------------------------------------------------------------------------


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {"text": _plain(text), "value": value}
    if description:
        option["description"] = _plain(description[:75])
    return option


def _text_input(
    block_id: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = True,
    initial: str | None = None,
    max_length: int = 3000,
    placeholder: str | None = None,
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = plain_field(initial)[:max_length]
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return {"type": "input", "block_id": block_id, "optional": optional, "label": _plain(label), "element": element}


def case_modal(language: str, *, prefill: dict[str, Any] | None = None, title_limit: int = 200) -> dict[str, Any]:
    """The `/case` form. `prefill` may carry title, description, priority, channel, origin_link, related_case."""
    prefill = prefill or {}
    priorities = [
        _option(priority_badge(p, language), p, t(f"priority.help.{p}", language)) for p in ("high", "medium", "low")
    ]
    priority_element: dict[str, Any] = {"type": "radio_buttons", "action_id": "value", "options": priorities}
    if prefill.get("priority") in ("high", "medium", "low"):
        priority_element["initial_option"] = next(o for o in priorities if o["value"] == prefill["priority"])
    categories = [_option(t(f"category.{c}", language), c) for c in CATEGORIES]
    metadata = {k: prefill.get(k) for k in ("channel", "origin_link", "related_case") if prefill.get(k)}
    return {
        "type": "modal",
        "callback_id": VIEW_OPEN,
        "private_metadata": json.dumps(metadata),
        "title": _plain(t("case.modal.title", language)),
        "submit": _plain(t("case.modal.submit", language)),
        "close": _plain(t("case.modal.cancel", language)),
        "blocks": [
            _text_input(
                "title",
                t("case.field.title", language),
                optional=False,
                initial=prefill.get("title"),
                max_length=title_limit,
                placeholder=t("case.modal.placeholder.title", language),
            ),
            _text_input(
                "description", t("case.field.description", language), multiline=True, initial=prefill.get("description")
            ),
            {
                "type": "input",
                "block_id": "priority",
                "label": _plain(t("case.field.priority", language)),
                "element": priority_element,
            },
            _text_input("customer", t("case.field.customer", language), max_length=200),
            {
                "type": "input",
                "block_id": "category",
                "optional": True,
                "label": _plain(t("case.field.category", language)),
                "element": {"type": "static_select", "action_id": "value", "options": categories},
            },
            _text_input("impact", t("case.field.impact", language), multiline=True),
            _text_input("steps", t("case.field.steps", language), multiline=True),
        ],
    }


def _case_action_modal(
    case: Case, language: str, *, callback_id: str, action: str, inputs: list[Block]
) -> dict[str, Any]:
    """A small modal acting on one case: its number and title, then the inputs (escalate, resolve)."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": str(case.number),
        "title": _plain(t(f"case.modal.{action}.title", language)),
        "submit": _plain(t(f"case.modal.{action}.submit", language)),
        "close": _plain(t("case.modal.cancel", language)),
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*#{case.number}* {escape_text(case.title, limit=TITLE_SHOWN)}"},
            },
            *inputs,
            _text_input("note", t("case.modal.note", language), multiline=True, max_length=1000),
        ],
    }


def escalate_modal(case: Case, language: str) -> dict[str, Any]:
    levels = [_option(t(f"level.{level}", language), f"L{level}") for level in (2, 3) if level > case.escalation_level]
    element: dict[str, Any] = (
        {"type": "radio_buttons", "action_id": "value", "options": levels, "initial_option": levels[0]}
        if levels
        else {"type": "plain_text_input", "action_id": "value"}
    )
    level = {
        "type": "input",
        "block_id": "level",
        "label": _plain(t("case.modal.escalate.level", language)),
        "element": element,
    }
    return _case_action_modal(case, language, callback_id=VIEW_ESCALATE, action="escalate", inputs=[level])


def resolve_modal(case: Case, language: str) -> dict[str, Any]:
    return _case_action_modal(case, language, callback_id=VIEW_RESOLVE, action="resolve", inputs=[])


def view_values(view: dict[str, Any]) -> dict[str, str | None]:
    """A submitted view's input values by block_id (selected option values for choices)."""
    values: dict[str, str | None] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        element: dict[str, Any] = actions.get("value") or next(iter(actions.values()), {})
        if "selected_option" in element:
            values[block_id] = (element.get("selected_option") or {}).get("value")
        else:
            values[block_id] = element.get("value")
    return values


def reopen_refused(number: int, days: int, language: str) -> tuple[str, list[Block]]:
    """The reopen window has passed: say so, and offer a new case linked to the old one."""
    text = t("case.error.reopen_window", language, number=number, days=days)
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": f"case_new_linked:{language}",
            "elements": [
                button(t("case.button.new_linked", language), ACTION_NEW_LINKED, str(number), style="primary")
            ],
        },
    ]
