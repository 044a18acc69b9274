"""Block Kit for cases: the card, its thread lines, lists and details. (Forms: case_forms.py; pages: sla_blocks.py.)"""

from __future__ import annotations

from datetime import datetime

from bot.access import insider
from bot.case_notices import reason_for
from bot.case_vocabulary import CaseStatus, EventKind
from bot.cases import CaseDetails
from bot.config import EscalationConfig
from bot.i18n import t
from bot.models import Case, CaseEvent
from bot.plans import PlanCatalog, flag_notes
from bot.priorities import Priority
from bot.sla_clock import LATE, late_by
from bot.slack.blocks import Block, actions, button, context, section, sections
from bot.slack.mrkdwn import escape, escape_text, link, mention, mention_user, quote_text
from bot.slack.times import format_due, format_late, format_remaining

ACTION_ACK = "case_ack"
ACTION_ESCALATE = "case_escalate"
ACTION_RESOLVE = "case_resolve"
ACTION_REOPEN = "case_reopen"
ACTION_NEW_LINKED = "case_new_linked"
ACTION_TAKE = "case_take"
ACTION_DESCRIPTION = "case_description"

BADGES: dict[str, str] = {Priority.HIGH: "🔴", Priority.MEDIUM: "🟠", Priority.LOW: "🟢"}
TITLE_SHOWN = 150
DESCRIPTION_SHOWN = 300  # on the card; the rest behind 「全文を表示」, and all of it in `/case show`
SECTION_LIMIT = 3000  # characters in a section's text


def priority_badge(priority: str, language: str) -> str:
    return f"{BADGES.get(priority, '⚪')} {t(f'priority.{priority}', language)}"


def who(user_id: str | None) -> str:
    if not user_id:
        return "-"
    try:
        return mention_user(user_id)
    except ValueError:
        return escape(user_id)


def due_summary(case: Case, now: datetime, language: str, timezone: str) -> str:
    """Due time with what is left (or how late), or when the first response came (and how late, if it was)."""
    if case.first_response_at is None and case.status == CaseStatus.RESOLVED:  # resolved by the reporter (自己解決)
        return format_due(case.due_at, timezone, language)
    if case.first_response_at is not None:
        late = late_by(case)
        when, user = format_due(case.first_response_at, timezone, language), who(case.first_response_by)
        if late is None:
            return t("case.due.responded", language, when=when, user=user)
        return t("case.due.responded_late", language, when=when, user=user, late=format_late(late, language))
    due = format_due(case.due_at, timezone, language)
    remaining = format_remaining(case.due_at - now, language)
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


def plan_label(case: Case, plans: PlanCatalog | None) -> str:
    """The label of the plan the case runs on ("Premier"), or its stored id when no catalogue is at hand."""
    plan = plans.get(case.plan) if plans is not None and case.plan else None
    return plan.label if plan is not None else (case.plan or "")


def customer_text(case: Case, language: str, plans: PlanCatalog | None) -> str:
    """「株式会社アクメ (acme) · Premier」 for a directory customer; what was typed, for anyone else."""
    name = escape_text(case.customer or case.customer_id or "", limit=200)
    if not case.customer_id:
        return name
    plan = escape_text(plan_label(case, plans), limit=80)
    return t("case.customer.value", language, name=name, id=escape_text(case.customer_id, limit=64), plan=plan)


def contract_notes(case: Case, language: str) -> list[Block]:
    """「⚠️ 契約期間外」 and the other contract flags stored at opening, for agents to decide on."""
    notes = flag_notes(case.plan_flags, language)
    return [context("⚠️ " + " · ".join(notes))] if notes else []


def _fields(case: Case, now: datetime, language: str, timezone: str, plans: PlanCatalog | None) -> list[Block]:
    fields = [
        _field(t("case.field.priority", language), priority_badge(case.priority, language)),
        _field(t("case.field.status", language), t(f"status.{case.status}", language)),
        _field(t("case.field.reporter", language), who(case.reporter_id)),
        _field(t("case.field.level", language), t(f"level.{case.escalation_level}", language)),
        _field(t("case.field.assignee", language), who(case.assignee_id)),
    ]
    if case.customer or case.customer_id:
        fields.append(_field(t("case.field.customer", language), customer_text(case, language, plans)))
    if case.category:
        fields.append(_field(t("case.field.category", language), t(f"category.{case.category}", language)))
    label = "case.field.responded" if case.first_response_at else "case.field.due"
    fields.append(_field(t(label, language), due_summary(case, now, language, timezone)))
    if case.resolved_at:
        fields.append(_field(t("case.field.resolved", language), format_due(case.resolved_at, timezone, language)))
    return fields


def _description(case: Case, language: str, *, whole: bool) -> list[Block]:
    """The description: whole (in as many sections as it takes), or its first part and how long it is."""
    label = t("case.field.description", language)
    if not case.description:
        return []
    if whole:
        return sections(f"*{label}*\n{quote_text(case.description)}")
    blocks = _long(label, case.description, DESCRIPTION_SHOWN)
    if len(case.description) > DESCRIPTION_SHOWN:
        blocks.append(context(t("case.description.more", language, length=len(case.description))))
    return blocks


def card(
    case: Case,
    now: datetime,
    language: str,
    timezone: str,
    *,
    whole_description: bool = False,
    plans: PlanCatalog | None = None,
) -> tuple[str, list[Block]]:
    """The case as posted (and updated in place) in the cases channel."""
    title = escape_text(case.title, limit=TITLE_SHOWN)
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*#{case.number} {title}*"}},
        {"type": "section", "fields": _fields(case, now, language, timezone, plans)[:10]},
        *contract_notes(case, language),
    ]
    blocks += _description(case, language, whole=whole_description)
    blocks += _long(t("case.field.impact", language), case.impact, 600)
    blocks += _long(t("case.field.steps", language), case.steps, 600)
    links = []
    if case.origin_link and case.origin_link.startswith("https://"):
        links.append(link(case.origin_link, t("case.field.origin", language)))
    if case.related_case:
        links.append(f"{t('case.field.related', language)}: #{case.related_case}")
    if links:
        blocks.append(context(" · ".join(links)))
    buttons = case_buttons(case, language)
    if buttons:
        blocks.append(actions(f"case_actions:{language}", buttons))
    priority = t(f"priority.{case.priority}", language)
    return t("case.card.fallback", language, number=case.number, priority=priority, title=title), blocks


def case_buttons(case: Case, language: str) -> list[Block]:
    value = str(case.number)
    more = [button(t("case.button.description", language), ACTION_DESCRIPTION, value)]
    if not case.description or len(case.description) <= DESCRIPTION_SHOWN:
        more = []
    if case.status == CaseStatus.RESOLVED:
        return [button(t("case.button.reopen", language), ACTION_REOPEN, value), *more]
    # Like CaseService.acknowledge: anything but a case someone is working on is waiting to be taken;
    # one someone is working on can be taken over.
    if case.status != CaseStatus.ACKNOWLEDGED:
        buttons = [button(t("case.button.ack", language), ACTION_ACK, value, style="primary")]
    else:
        buttons = [button(t("case.button.take", language), ACTION_TAKE, value)]
    if case.escalation_level < 3:
        buttons.append(button(t("case.button.escalate", language), ACTION_ESCALATE, value))
    buttons.append(button(t("case.button.resolve", language), ACTION_RESOLVE, value))
    return buttons + more


def _note(reason: str | None, language: str) -> str:
    return t("case.event.note", language, note=escape_text(reason, limit=1000)) if reason else ""


def _escalated_line(event: CaseEvent, case: Case, language: str, escalation: EscalationConfig) -> str:
    level = int((event.new_value or "L2")[1:])
    target = escalation.cs_lead if level == 2 else escalation.engineers
    text = t(
        "case.event.escalated",
        language,
        actor=who(event.actor_id),
        level=t(f"level.{level}", language),
        mention=(mention(target) + " ") if target else "",
        note=_note(event.reason, language),
    )
    if level == 3 and escalation.issue_tracker_url:
        ticket = link(escalation.issue_tracker_url, f"#{case.number} {case.title}")
        text += t("case.event.escalated_ticket", language, link=ticket)
    return text


_SIMPLE_LINES = (
    EventKind.ACKNOWLEDGED,
    EventKind.FIRST_RESPONSE,
    EventKind.RESOLVED,
    EventKind.SELF_RESOLVED,
    EventKind.REOPENED,
)


def event_line(event: CaseEvent, case: Case, language: str, timezone: str, escalation: EscalationConfig) -> str:
    """One line in the case thread for each change."""
    actor = who(event.actor_id)
    if event.kind == EventKind.PRIORITY_CHANGED:
        return t(
            "case.event.priority_changed",
            language,
            actor=actor,
            old=priority_badge(event.old_value or "", language),
            new=priority_badge(event.new_value or "", language),
            reason=escape_text(event.reason, limit=1000),
            due=format_due(case.due_at, timezone, language),
        )
    if event.kind == EventKind.ESCALATED:
        return _escalated_line(event, case, language, escalation)
    if event.kind == EventKind.CUSTOMER_CHANGED:
        old, new = (escape(v) if v else t("case.customer.none", language) for v in (event.old_value, event.new_value))
        due = format_due(case.due_at, timezone, language)
        return t("case.event.customer_changed", language, actor=actor, old=old, new=new, due=due)
    if event.kind == EventKind.ASSIGNED:
        key = "case.event.taken" if event.actor_id == event.new_value else "case.event.assigned"
        return t(key, language, actor=actor, old=who(event.old_value), new=who(event.new_value))
    if event.kind in _SIMPLE_LINES:
        note = _note(event.reason if event.kind != EventKind.ACKNOWLEDGED else None, language)
        return t(f"case.event.{event.kind}", language, actor=actor, note=note)
    return f"{event.kind}: {actor}"


def case_line(case: Case, now: datetime, language: str, timezone: str, plans: PlanCatalog | None = None) -> str:
    title = escape_text(case.title, limit=80)
    status = t(f"status.{case.status}", language)
    assignee = f" 👤 {who(case.assignee_id)}" if case.assignee_id else ""
    customer = f" 🏢 {customer_text(case, language, plans)}" if case.customer_id else ""
    return (
        f"*#{case.number}* {BADGES.get(case.priority, '')} [{status}]{assignee}{customer} {title} — "
        f"{due_summary(case, now, language, timezone)}"
    )


def case_list(
    cases: list[Case],
    scope: str,
    now: datetime,
    language: str,
    timezone: str,
    *,
    limit: int | None = None,
    plans: PlanCatalog | None = None,
    customer: str | None = None,
) -> tuple[str, list[Block]]:
    """Cases one per line; with `limit`, a list longer than it is cut there and says so; `customer`: the
    list is that customer's cases."""
    more = limit is not None and len(cases) > limit
    cases = cases[:limit] if limit is not None else cases
    scope_text = t(f"case.list.scope.{scope}", language)
    if customer:
        scope_text += " · " + t("case.list.scope.customer", language, customer=escape_text(customer, limit=64))
    header = t("case.list.header", language, scope=scope_text)
    if not cases:
        text = f"{header}\n{t('case.list.empty', language)}"
        return text, [section(text)]
    blocks: list[Block] = [section(f"*{header}*")]
    chunk: list[str] = []
    for line in (case_line(case, now, language, timezone, plans) for case in cases):
        if sum(len(x) + 1 for x in chunk) + len(line) > 2800:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    if more:
        blocks.append(context(t("case.list.more", language, count=limit)))
    return header, blocks


def _history_what(event: CaseEvent, language: str, timezone: str) -> str:
    if event.kind == EventKind.SLA_BREACH and event.new_value == LATE and event.old_value:
        due = datetime.fromisoformat(event.old_value)
        missed = format_due(due, timezone, language)
        return t("case.history.sla_breach.late", language, due=missed, late=format_late(event.at - due, language))
    old, new = event.old_value or "", event.new_value or ""
    if event.kind in (EventKind.OPENED, EventKind.PRIORITY_CHANGED):
        old, new = (t(f"priority.{v}", language) if v else "" for v in (event.old_value, event.new_value))
    elif event.kind == EventKind.ASSIGNED:
        old, new = who(event.old_value), who(event.new_value)
    elif event.kind == EventKind.CUSTOMER_CHANGED:
        old, new = (escape(v) if v else t("case.customer.none", language) for v in (event.old_value, event.new_value))
    elif event.kind == EventKind.SLA_ESCALATED:  # the chain's step, and whom it called
        old, new = (who(event.old_value) if event.old_value else ""), t(f"chain.{event.new_value}", language)
    try:
        return t(f"case.history.{event.kind}", language, old=old, new=new)
    except KeyError:
        return escape(event.kind)


def history_line(event: CaseEvent, language: str, timezone: str, reason: str | None = None) -> str:
    """One line of `/case show`'s history; `reason`: the event's note as the viewer may read it."""
    what = _history_what(event, language, timezone)
    line = f"• {format_due(event.at, timezone, language)}  {who(event.actor_id)}  {what}"
    if reason and event.kind != EventKind.ACKNOWLEDGED:
        line += f" — {escape_text(reason, limit=300)}"
    return line


def case_details(
    details: CaseDetails, viewer: str, now: datetime, language: str, timezone: str, plans: PlanCatalog | None = None
) -> tuple[str, list[Block]]:
    """`/case show`: the card with the whole description, the target it runs on (「Premier プラン・優先度
    高: 1時間 (24時間365日)」), and the history (the team's notes for the team)."""
    case = details.case
    text, blocks = card(case, now, language, timezone, whole_description=True, plans=plans)
    team = insider(details.standing)
    internal = [] if team else contract_notes(case, language)  # the contract's flags are for agents
    blocks = [b for b in blocks if b.get("type") != "actions" and b not in internal]
    if plans is not None:
        target = plans.target(case.plan, case.priority).explain(language)
        blocks.insert(2, context(t("case.show.target", language, target=escape_text(target, limit=300))))
    history = "\n".join(
        history_line(e, language, timezone, reason_for(e, viewer, insider=team)) for e in details.events
    )
    blocks += sections(f"*{t('case.show.history', language)}*\n{history}")
    return text, blocks[:50]


def reopen_refused(number: int, days: int, language: str) -> tuple[str, list[Block]]:
    """The reopen window has passed: say so, and offer a new case linked to the old one."""
    text = t("case.error.reopen_window", language, number=number, days=days)
    new_case = button(t("case.button.new_linked", language), ACTION_NEW_LINKED, str(number), style="primary")
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        actions(f"case_new_linked:{language}", [new_case]),
    ]
