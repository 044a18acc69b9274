"""What `/oncall set` and `/oncall clear` tell (bot/oncall.py queues it): a DM to whoever is on call
now, and one line in the emergency channel, so nobody there wonders who gets the next page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.i18n import t
from bot.outbox_kinds import OutboxKind
from bot.slack.mrkdwn import mention


def notice(kind: str, payload: dict[str, Any], language: str, when: Callable[[datetime], str]) -> str:
    """The DM (ONCALL_DM) or the channel's line (ONCALL_LINE) for one change."""
    until = when(datetime.fromisoformat(payload["until"])) if payload.get("until") else None
    who = mention(payload["who"]) if payload.get("who") else t("oncall.notice.nobody", language)
    by = mention(payload["by"])
    change = "set" if payload.get("change") == "set" else "clear"
    if kind == OutboxKind.ONCALL_DM:
        if change == "clear":
            until = t("oncall.until", language, until=until) if until else ""
        return t(f"oncall.notice.dm_{change}", language, by=by, until=until or "")
    return t(f"oncall.notice.line_{change}", language, who=who, until=until or "-", by=by)
