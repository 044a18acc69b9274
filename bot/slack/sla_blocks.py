"""Block Kit for SLA notifications: the warning, the breach page, the DM, the CS Lead ping."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.durations import format_duration
from bot.i18n import t
from bot.models import Case
from bot.sla import format_due
from bot.slack.case_blocks import TITLE_SHOWN, mention_list, page, priority_badge
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
    case: Case, mentions: list[str], permalink: str | None, now: datetime, language: str, *, here: bool = False
) -> tuple[str, list[Block]]:
    """The page in the emergency channel: who, which case, how late, a link, and 「対応開始」."""
    text = t(
        "sla.breach",
        language,
        number=case.number,
        late=format_duration(now - case.due_at, language),
        title=escape_text(case.title, limit=TITLE_SHOWN),
        mentions=mention_list(mentions, language, here=here),
    )
    return text, page(case, text, _link(permalink, language), language, block_id="sla_breach")


def breach_dm(case: Case, permalink: str | None, now: datetime, language: str) -> tuple[str, list[Block]]:
    """The DM to the person on call, with the same link and button."""
    text = t(
        "sla.breach_dm",
        language,
        number=case.number,
        late=format_duration(now - case.due_at, language),
        title=escape_text(case.title, limit=TITLE_SHOWN),
    )
    return text, page(case, text, _link(permalink, language), language, block_id="sla_dm")


def _link(permalink: str | None, language: str) -> list[str]:
    return [link(permalink, t("case.link", language))] if permalink else []


def lead(case: Case, cs_lead: str | None, language: str, timezone: str) -> str:
    return t(
        "sla.lead",
        language,
        mention=mention(cs_lead) if cs_lead else t("sla.lead.nobody", language),
        number=case.number,
        priority=priority_badge(case.priority, language),
        due=format_due(case.due_at, timezone, language),  # type: ignore[arg-type]
    )
