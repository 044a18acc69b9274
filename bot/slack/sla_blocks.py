"""What the SLA clock's notices say (bot/sla_clock.py, bot/pager.py): the page and its re-pages, the DMs,
the warning, the CS Lead ping.

A page and a DM are rendered from the case as it is when they are sent — and again when they are
edited in place: the re-page count and the time elapsed while nobody answers, then who acknowledged
it when (and how late), or that it was resolved, without the 「対応開始」 button.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.case_vocabulary import CaseStatus
from bot.durations import format_duration
from bot.i18n import t
from bot.models import Case
from bot.sla_clock import awaits_first_response, late_by
from bot.slack.blocks import Block, actions, button
from bot.slack.case_blocks import ACTION_ACK, TITLE_SHOWN, due_summary, priority_badge, who
from bot.slack.mrkdwn import escape_text, link, mention, mention_here
from bot.slack.times import format_due, format_late


def mention_list(mentions: Sequence[str], language: str, *, here: bool = False) -> str:
    """Whom a page calls: the on-call people, or a plain note that nobody is on call (with @here when
    [oncall] fallback is "here"; the bot mints it from configuration, never from user text)."""
    called = " ".join(mention(m) for m in mentions)
    if not here:
        return called or t("case.emergency.nobody", language)
    nobody = f"{mention_here()} {t('case.emergency.nobody', language)}"
    return f"{nobody} {called}".strip()


def page_status(case: Case, now: datetime, language: str, timezone: str) -> str | None:
    """What a page says of the case now: re-paged N times (nobody answers yet), then who acknowledged it
    when and how late — 「✅ 対応開始: @x 11/16(月) 22:09 (31分超過)」 — and that it was resolved."""
    lines = []
    if case.first_response_at is not None:
        late = late_by(case)
        lines.append(
            t(
                "page.status.acknowledged",
                language,
                user=who(case.first_response_by),
                when=format_due(case.first_response_at, timezone, language),
                late=f" ({format_late(late, language)})" if late else "",
            )
        )
    elif case.sla_breach_count and case.status != CaseStatus.RESOLVED:
        lines.append(
            t(
                "page.status.repaged",
                language,
                count=case.sla_breach_count,
                elapsed=format_duration(now - case.created_at, language),
                late=format_duration(max(now - case.due_at, timedelta(0)), language),
            )
        )
    if case.status == CaseStatus.RESOLVED and case.resolved_at is not None:
        key = "page.status.resolved" if case.first_response_at else "page.status.self_resolved"
        lines.append(t(key, language, when=format_due(case.resolved_at, timezone, language)))
    return "\n".join(lines) or None


def _page(case: Case, text: str, details: list[str], language: str, *, block_id: str) -> list[Block]:
    """A page's blocks: the message, its details (with the link to the card) and 「対応開始」 while unanswered."""
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if details:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(details)}]})
    if awaits_first_response(case):
        ack = button(t("case.button.ack", language), ACTION_ACK, str(case.number), style="danger")
        blocks.append(actions(f"{block_id}:{language}", [ack]))
    return blocks


def _link(permalink: str | None, language: str) -> list[str]:
    return [link(permalink, t("case.link", language))] if permalink else []


def _with_status(text: str, status: str | None) -> str:
    return f"{text}\n{status}" if status else text


def emergency(
    case: Case,
    mentions: list[str],
    permalink: str | None,
    now: datetime,
    language: str,
    timezone: str,
    *,
    here: bool = False,
    received: str | None = None,
) -> tuple[str, list[Block]]:
    """The page: the case's one message in the emergency channel, as it is now (status and button).

    `received`: when the case was received, for one opened late (received during an outage: bot/intake.py).
    """
    text = t(
        "case.emergency.text",
        language,
        number=case.number,
        title=escape_text(case.title, limit=TITLE_SHOWN),
        mentions=mention_list(mentions, language, here=here),
    )
    if received:
        text += "\n" + t("intake.page_received", language, received=received)
    text = _with_status(text, page_status(case, now, language, timezone))
    details = [
        f"*{t('case.field.due', language)}*: {due_summary(case, now, language, timezone)}",
        f"*{t('case.field.reporter', language)}*: {who(case.reporter_id)}",
    ]
    if case.customer:
        details.append(f"*{t('case.field.customer', language)}*: {escape_text(case.customer, limit=200)}")
    return text, _page(case, text, details + _link(permalink, language), language, block_id="case_page")


def repage(
    case: Case, payload: dict[str, Any], permalink: str | None, now: datetime, language: str
) -> tuple[str, list[Block]]:
    """A re-page, in the page's thread: its number, how late, whom it calls (and whom the chain adds)."""
    sequence = int(payload.get("sequence") or 1)
    text = t(
        "sla.breach",
        language,
        count=sequence,
        number=case.number,
        late=format_duration(now - case.due_at, language),
        title=escape_text(case.title, limit=TITLE_SHOWN),
        mentions=mention_list(payload.get("mentions") or [], language, here=bool(payload.get("here"))),
    )
    chain = payload.get("chain") or []
    added = [mention(step["who"]) for step in chain if step.get("who")]
    if added:
        text += "\n" + t("sla.chain", language, count=sequence - 1, who=" ".join(added))
    for step in chain:  # a step with nobody to call says so, and what to set
        if not step.get("who"):
            text += "\n" + t(f"sla.chain.nobody.{step['step']}", language, count=sequence - 1)
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if permalink:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _link(permalink, language)[0]}]})
    return text, blocks


def page_dm(
    case: Case,
    payload: dict[str, Any],
    permalink: str | None,
    decided: datetime,
    now: datetime,
    language: str,
    timezone: str,
) -> tuple[str, list[Block]]:
    """The DM to the person on call (or to whom the chain adds), as it is now: status, and the button
    while unanswered. `decided`: when the page was decided (how late it was then)."""
    values = {
        "number": case.number,
        "late": format_duration(max(decided - case.due_at, timedelta(0)), language),
        "title": escape_text(case.title, limit=TITLE_SHOWN),
        "count": max(int(payload.get("sequence") or 1) - 1, 1),
    }
    step = payload.get("step")
    text = t(f"sla.chain_dm.{step}" if step else "sla.breach_dm", language, **values)
    text = _with_status(text, page_status(case, now, language, timezone))
    return text, _page(case, text, _link(permalink, language), language, block_id="sla_dm")


def warning(case: Case, now: datetime, language: str, timezone: str, responsible: str | None = None) -> str:
    """The reply in the case thread at warn_at, mentioning who is responsible: 「⏰ @x 初期対応期限まで残り30分」."""
    left = max(case.due_at - now, timedelta(0))  # a late delivery never reads as "overdue" here
    remaining = format_duration(left, language)
    called = f"{mention(responsible)} " if responsible else ""
    due = format_due(case.due_at, timezone, language)
    return t("sla.warning", language, mention=called, remaining=remaining, due=due)


def lead(case: Case, cs_lead: str | None, language: str, timezone: str) -> str:
    """The CS Lead ping in the case thread when a medium or low case missed its target."""
    return t(
        "sla.lead",
        language,
        mention=mention(cs_lead) if cs_lead else t("sla.lead.nobody", language),
        number=case.number,
        priority=priority_badge(case.priority, language),
        due=format_due(case.due_at, timezone, language),
    )
