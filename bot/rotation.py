"""Who is on call: weekly shifts handing over at a fixed local weekday and time.

Pure arithmetic from [oncall], so the person paged for a case never depends on stored state: the
shift number is the count of handoffs since an anchor, and person = rotation[shift % len(rotation)].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.business_calendar import local_instant, require_aware
from bot.config import WEEKDAYS, OncallConfig

DEFAULT_START_DATE = date(2024, 1, 1)
"""A Monday; the anchor when [oncall] start_date is unset."""

_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Shift:
    """One week of on-call, [start, end) in UTC; None when that rotation list is empty."""

    primary: str | None
    secondary: str | None
    start: datetime
    end: datetime


class OncallRotation:
    """Weekly primary and secondary rotations handing over at `handoff` in `timezone`.

    The anchor is start_date (default 2024-01-01) moved back to the handoff weekday on or before it;
    shift 0, with rotation[0] on call, starts at the handoff time on that date. Times before the
    anchor count backwards the same way. Exactly at a handoff instant the new person is on call.
    A handoff time that a DST gap skips happens at the end of the gap.
    """

    def __init__(self, config: OncallConfig) -> None:
        self.config = config
        self.timezone = ZoneInfo(config.timezone)
        weekday, _, hhmm = config.handoff.partition(" ")
        self._handoff_weekday = WEEKDAYS.index(weekday)
        self._handoff_time = time.fromisoformat(hhmm)
        start = DEFAULT_START_DATE
        if config.start_date is not None:
            try:
                start = date.fromisoformat(config.start_date)
            except ValueError:
                raise ValueError(
                    f"[oncall] start_date {config.start_date!r} is not a real date; use YYYY-MM-DD"
                ) from None
        self.anchor = start - timedelta(days=(start.weekday() - self._handoff_weekday) % 7)

    def handoff(self, number: int) -> datetime:
        """The UTC instant shift `number` starts (0 = the anchor's handoff; negative = before it)."""
        return local_instant(self.anchor + number * _WEEK, self._handoff_time, self.timezone)

    def shift_number(self, t: datetime) -> int:
        """How many handoffs have happened since the anchor at instant t."""
        t = require_aware(t)
        number = (t.astimezone(self.timezone).date() - self.anchor).days // 7
        # The local-date estimate is off by one near the handoff itself; settle it on UTC instants.
        while self.handoff(number) > t:
            number -= 1
        while self.handoff(number + 1) <= t:
            number += 1
        return number

    def shift_at(self, t: datetime) -> Shift:
        """The shift on duty at instant t."""
        return self._shift(self.shift_number(t))

    def next_shift(self, t: datetime) -> Shift:
        """The shift that starts at the next handoff after t."""
        return self._shift(self.shift_number(t) + 1)

    def _shift(self, number: int) -> Shift:
        return Shift(
            primary=_pick(self.config.rotation, number),
            secondary=_pick(self.config.secondary, number),
            start=self.handoff(number),
            end=self.handoff(number + 1),
        )


def _pick(people: list[str], number: int) -> str | None:
    return people[number % len(people)] if people else None
