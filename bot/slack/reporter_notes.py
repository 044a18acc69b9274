"""What the reporter of a case is told (bot/case_notices.py decides when), and where.

Where they opened it: in the FAQ thread where they pressed 「解決しない」, or else by DM. In the case's
language (the asker's, when the flow that opened it had one). Colleagues are named, not mentioned,
so telling a customer's channel about a case never pings the team there; notes are shown only as
bot/case_notices.py's `reason_for` allows (the reporter is no insider). A customer's case told in a
channel's thread (their channel) is told in the customer-facing tone, without the link to the card.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.case_notices import reason_for
from bot.case_vocabulary import EventKind
from bot.i18n import MESSAGES, t
from bot.models import Case, CaseEvent
from bot.slack.case_blocks import TITLE_SHOWN, priority_badge, who
from bot.slack.mrkdwn import escape_text, link

Names = Callable[[str], str | None]
"""A person's display name (bot/slack/directory.py's UserNames), None when unknown."""


def place(case: Case) -> tuple[str, str | None]:
    """Where the reporter hears about their case: (channel, thread) — the FAQ thread, or a DM (a
    question asked in a DM is answered right there, not in a thread: so is what follows)."""
    if case.origin_channel and case.origin_thread_ts and not is_channel_dm(case.origin_channel):
        return case.origin_channel, case.origin_thread_ts
    return case.reporter_id, None


def is_channel_dm(channel: str) -> bool:
    return channel.startswith("D")


def named(user: str | None, names: Names) -> str:
    """A colleague by name (no notification); a mention only when Slack cannot tell the name."""
    name = names(user) if user else None
    return escape_text(name, limit=80) if name else who(user)


def note(case: Case, event: CaseEvent, language: str, names: Names, *, card_link: str | None, reopen_days: int) -> str:
    """The line the reporter reads about `event`."""
    number, kind = case.number, event.kind
    key = _tone(case)
    if kind == EventKind.OPENED:
        card = link(card_link, t("case.link", language)) if card_link else ""
        return t(key("tell.opened"), language, number=number, link=card)
    actor = named(event.actor_id, names)
    if kind in (EventKind.ACKNOWLEDGED, EventKind.FIRST_RESPONSE):
        title = escape_text(case.title, limit=TITLE_SHOWN)
        return t(key("tell.acknowledged"), language, number=number, who=actor, title=title)
    if kind == EventKind.PRIORITY_CHANGED:
        reason = reason_for(event, case.reporter_id, insider=False)
        return t(
            "tell.priority_changed",
            language,
            number=number,
            old=priority_badge(event.old_value or "", language),
            new=priority_badge(event.new_value or "", language),
            reason=escape_text(reason, limit=1000),
        )
    if kind == EventKind.ESCALATED:  # the note stays with the team
        level = t(f"level.{(event.new_value or 'L2')[1:]}", language)
        return t(key("tell.escalated"), language, number=number, level=level)
    if kind == EventKind.RESOLVED:
        return t(key("tell.resolved"), language, number=number, who=actor, days=reopen_days)
    return t("tell.reopened", language, number=number, who=actor)


def _tone(case: Case) -> Callable[[str], str]:
    """The message keys for this case's reporter: the customer-facing ones (「….customer」) for a
    customer's case told in a channel's thread, where they exist; else the usual ones."""
    customer = case.customer_id is not None and place(case)[1] is not None
    return lambda key: f"{key}.customer" if customer and f"{key}.customer" in MESSAGES else key
