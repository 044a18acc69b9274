"""Block Kit for SLA notifications: the warning, the breach page, the DM, the CS Lead ping."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.durations import format_duration
from bot.i18n import t
from bot.models import Case
from bot.sla import format_due
from bot.slack.case_blocks import ACTION_ACK, TITLE_SHOWN, priority_badge
from bot.slack.faq_blocks import button
from bot.slack.mrkdwn import escape_text, link, mention

Block = dict[str, Any]


def warning(case: Case, now: datetime, language: str, timezone: str) -> str:
    """The reply in the case thread at warn_at: 「初期対応期限まで残り30分」 / "First response due in 30m"."""
    left = max(case.due_at - now, timedelta(0))  # a late delivery never reads as "overdue" here
    remaining = format_duration(left, language)
    return t(
        "sla.warning",
        language,
        remaining=remaining,
        due=format_due(case.due_at, timezone, language),  # type: ignore[arg-type]
    )


def breach(
    case: Case, mentions: list[str], permalink: str | None, now: datetime, language: str
) -> tuple[str, list[Block]]:
    """The page in the emergency channel: who, which case, how late, a link, and 「対応開始」."""
    targets = " ".join(mention(m) for m in mentions) if mentions else t("case.emergency.nobody", language)
    text = t(
        "sla.breach",
        language,
        number=case.number,
        late=format_duration(now - case.due_at, language),
        title=escape_text(case.title, limit=TITLE_SHOWN),
        mentions=targets,
    )
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if permalink:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": link(permalink, t("case.link", language))}]}
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": f"sla_breach:{language}",
            "elements": [button(t("case.button.ack", language), ACTION_ACK, str(case.number), style="danger")],
        }
    )
    return text, blocks


def breach_dm(case: Case, permalink: str | None, now: datetime, language: str) -> tuple[str, list[Block]]:
    text = t(
        "sla.breach_dm",
        language,
        number=case.number,
        late=format_duration(now - case.due_at, language),
        title=escape_text(case.title, limit=TITLE_SHOWN),
    )
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if permalink:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": link(permalink, t("case.link", language))}]}
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": f"sla_dm:{language}",
            "elements": [button(t("case.button.ack", language), ACTION_ACK, str(case.number), style="danger")],
        }
    )
    return text, blocks


def lead(case: Case, cs_lead: str | None, language: str, timezone: str) -> str:
    return t(
        "sla.lead",
        language,
        mention=mention(cs_lead) if cs_lead else t("sla.lead.nobody", language),
        number=case.number,
        priority=priority_badge(case.priority, language),
        due=format_due(case.due_at, timezone, language),  # type: ignore[arg-type]
    )
