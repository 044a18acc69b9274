"""What the SLA clock's notices say (bot/sla_clock.py): the pages, the on-call DM, the warning, the CS Lead ping."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.durations import format_duration
from bot.i18n import t
from bot.models import Case
from bot.sla_clock import awaits_first_response
from bot.slack.blocks import Block, actions, button
from bot.slack.case_blocks import ACTION_ACK, TITLE_SHOWN, due_summary, priority_badge, who
from bot.slack.mrkdwn import escape_text, link, mention, mention_here
from bot.slack.times import format_due


def mention_list(mentions: list[str], language: str, *, here: bool = False) -> str:
    """Whom a page calls: the on-call people, or a plain note that nobody is on call (with @here when
    [oncall] fallback is "here"; the bot mints it from configuration, never from user text)."""
    if mentions:
        return " ".join(mention(m) for m in mentions)
    nobody = t("case.emergency.nobody", language)
    return f"{mention_here()} {nobody}" if here else nobody


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
    """The page in the emergency channel when a high case opens (or a case is raised to high)."""
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
    return text, _page(case, text, details + _link(permalink, language), language, block_id="case_page")


def breach(
    case: Case, mentions: list[str], permalink: str | None, now: datetime, language: str, *, here: bool = False
) -> tuple[str, list[Block]]:
    """The page in the emergency channel when a high case is late: who, which case, how late, a link, 「対応開始」."""
    text = t(
        "sla.breach",
        language,
        number=case.number,
        late=format_duration(now - case.due_at, language),
        title=escape_text(case.title, limit=TITLE_SHOWN),
        mentions=mention_list(mentions, language, here=here),
    )
    return text, _page(case, text, _link(permalink, language), language, block_id="sla_breach")


def breach_dm(case: Case, permalink: str | None, now: datetime, language: str) -> tuple[str, list[Block]]:
    """The DM to the person on call, with the same link and button."""
    text = t(
        "sla.breach_dm",
        language,
        number=case.number,
        late=format_duration(now - case.due_at, language),
        title=escape_text(case.title, limit=TITLE_SHOWN),
    )
    return text, _page(case, text, _link(permalink, language), language, block_id="sla_dm")


def warning(case: Case, now: datetime, language: str, timezone: str) -> str:
    """The reply in the case thread at warn_at: 「初期対応期限まで残り30分」 / "First response due in 30m"."""
    left = max(case.due_at - now, timedelta(0))  # a late delivery never reads as "overdue" here
    remaining = format_duration(left, language)
    return t("sla.warning", language, remaining=remaining, due=format_due(case.due_at, timezone, language))


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
