"""First-response targets per priority: when a case is due, when to warn, and how to say it to people.

Pure time logic over a calendar; the SLA job and Slack messages call this with times from a Clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.business_calendar import BusinessCalendar, Calendar, TwentyFourSeven, require_aware
from bot.config import SlaConfig, SlaTarget
from bot.durations import format_duration

PRIORITIES = ("high", "medium", "low")

Language = Literal["ja", "en"]

_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class SlaPolicy:
    """Targets from [sla], counted on the business calendar or around the clock per priority."""

    def __init__(self, config: SlaConfig, calendar: BusinessCalendar) -> None:
        self.config = config
        self.business = calendar
        self.always = TwentyFourSeven()

    def calendar_for(self, priority: str) -> Calendar:
        return self.business if self._target(priority).calendar == "business" else self.always

    def target_for(self, priority: str) -> timedelta:
        return self._target(priority).target

    def due_at(self, created_at: datetime, priority: str) -> datetime:
        """When the first response is due (UTC)."""
        return self.calendar_for(priority).add(created_at, self.target_for(priority))

    def warn_at(self, created_at: datetime, priority: str) -> datetime | None:
        """When the warn_at share of the target has elapsed (UTC); None when warnings are off."""
        if self.config.warn_at == 0:
            return None
        return self.calendar_for(priority).add(created_at, self.target_for(priority) * self.config.warn_at)

    def elapsed_fraction(self, created_at: datetime, priority: str, now: datetime) -> float:
        """Share of the target used so far, in the priority's own time; above 1.0 when overdue."""
        used = self.calendar_for(priority).elapsed(created_at, now)
        return used / self.target_for(priority)

    def remaining(self, created_at: datetime, priority: str, now: datetime) -> timedelta:
        """Wall-clock time until due (what a person waits), negative when overdue."""
        return self.due_at(created_at, priority) - require_aware(now, "now")

    def is_outside_hours(self, t: datetime, priority: str) -> bool:
        """True when a business-hours target created at t only starts counting at the next opening."""
        calendar = self.calendar_for(priority)
        return isinstance(calendar, BusinessCalendar) and not calendar.is_open(t)

    def _target(self, priority: str) -> SlaTarget:
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}")
        return self.config.for_priority(priority)


def format_due(due: datetime, timezone: str, language: Language) -> str:
    """A due time as people read it in the desk's zone: 「11/24(月) 12:00」 or "Mon 11/24 12:00"."""
    local = require_aware(due, "due").astimezone(ZoneInfo(timezone))
    day = f"{local.month}/{local.day}"
    clock = f"{local:%H:%M}"
    if language == "ja":
        return f"{day}({_WEEKDAYS_JA[local.weekday()]}) {clock}"
    if language == "en":
        return f"{_WEEKDAYS_EN[local.weekday()]} {day} {clock}"
    raise ValueError(f'unknown language {language!r}; expected "ja" or "en"')


def format_remaining(delta: timedelta, language: Language) -> str:
    """Time left or overdue: 「残り1時間30分」 / 「30分超過」, "1h 30m left" / "30m overdue"."""
    if language not in ("ja", "en"):
        raise ValueError(f'unknown language {language!r}; expected "ja" or "en"')
    amount = format_duration(delta, language)
    overdue = delta < timedelta(0)
    if language == "ja":
        return f"{amount}超過" if overdue else f"残り{amount}"
    return f"{amount} overdue" if overdue else f"{amount} left"
