"""Times as people read them in Slack: in the desk's time zone, with the weekday, in their language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.business_calendar import require_aware
from bot.durations import format_duration
from bot.i18n import Language

_WEEKDAYS = {Language.JA: "月火水木金土日", Language.EN: ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def _language(language: str) -> Language:
    try:
        return Language(language)
    except ValueError:
        raise ValueError(f'unknown language {language!r}; expected "ja" or "en"') from None


def format_due(due: datetime, timezone: str, language: str) -> str:
    """A moment in the desk's zone: 「11/24(月) 12:00」 or "Mon 11/24 12:00"."""
    weekdays = _WEEKDAYS[_language(language)]
    local = require_aware(due, "due").astimezone(ZoneInfo(timezone))
    day, clock, weekday = f"{local.month}/{local.day}", f"{local:%H:%M}", weekdays[local.weekday()]
    return f"{day}({weekday}) {clock}" if language == Language.JA else f"{weekday} {day} {clock}"


def format_remaining(delta: timedelta, language: str) -> str:
    """Time left or overdue: 「残り1時間30分」 / 「30分超過」, "1h 30m left" / "30m overdue"."""
    language = _language(language)
    amount = format_duration(delta, language)
    overdue = delta < timedelta(0)
    if language == Language.JA:
        return f"{amount}超過" if overdue else f"残り{amount}"
    return f"{amount} overdue" if overdue else f"{amount} left"


def format_late(late: timedelta, language: str) -> str:
    """How late something came: 「31分超過」 / "31m overdue"."""
    return format_remaining(-abs(late), language)
