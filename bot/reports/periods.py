"""Reporting periods: half-open spans of local calendar days, so adjacent periods never share an instant.

A period is written the way people ask for one — `7d`, `30d`, `today`, `this-week`, `last-week`,
`this-month`, `2026-11`, or explicit dates — and is resolved in the desk's time zone. Figures are
taken as of the period's end, or now if that is earlier (`Period.end`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.business_calendar import local_instant, require_aware

DEFAULT_PERIOD = "7d"
MAX_DAYS = 366 * 3
PERIOD_WORDS = ("Nd", "today", "this-week", "last-week", "this-month", "YYYY-MM")

_DAYS = re.compile(r"(\d{1,4})d")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class PeriodError(ValueError):
    """A period nobody can mean (an unknown word, an end before the start); the message says what works."""


@dataclass(frozen=True)
class Period:
    """[since, until) in UTC, labelled as asked, with the time zone its days are counted in."""

    since: datetime
    until: datetime
    timezone: str
    label: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def end(self, now: datetime) -> datetime:
        """Where the figures stop: the period's end, or now while it is still running."""
        return max(self.since, min(self.until, require_aware(now, "now")))

    def local(self, t: datetime) -> datetime:
        return t.astimezone(self.zone)

    def first_day(self) -> date:
        return self.local(self.since).date()

    def last_day(self) -> date:
        """The last local date the period touches."""
        return self.local(self.until - timedelta(microseconds=1)).date()

    def days(self) -> list[tuple[date, datetime, datetime]]:
        """Each local day of the period with its UTC [start, end), clipped to the period."""
        result = []
        day = self.first_day()
        while day <= self.last_day():
            start = max(self.since, _midnight(day, self.zone))
            stop = min(self.until, _midnight(day + timedelta(days=1), self.zone))
            result.append((day, start, stop))
            day += timedelta(days=1)
        return result


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return local_instant(day, time(0), zone)


def _days_period(count: int, today: date, zone: ZoneInfo, label: str) -> tuple[datetime, datetime, str]:
    if not 1 <= count <= MAX_DAYS:
        raise PeriodError(f"{label!r}: the number of days must be between 1 and {MAX_DAYS}")
    first = today - timedelta(days=count - 1)
    return _midnight(first, zone), _midnight(today + timedelta(days=1), zone), label


def _month_period(year: int, month: int, label: str, zone: ZoneInfo) -> tuple[datetime, datetime, str]:
    if not 1 <= month <= 12:
        raise PeriodError(f"{label!r} is not a month; write it as YYYY-MM, e.g. 2026-11")
    following = date(year + month // 12, month % 12 + 1, 1)
    return _midnight(date(year, month, 1), zone), _midnight(following, zone), label


def named_period(word: str, now: datetime, timezone: str) -> Period:
    """`7d`/`30d` (the last N days, today included), `today`, `this-week`/`last-week` (Monday to Sunday),
    `this-month`, or a month `YYYY-MM`."""
    zone = ZoneInfo(timezone)
    key = word.strip().lower()
    today = require_aware(now, "now").astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    if match := _DAYS.fullmatch(key):
        since, until, label = _days_period(int(match.group(1)), today, zone, key)
    elif key == "today":
        since, until, label = _days_period(1, today, zone, key)
    elif key in ("this-week", "last-week"):
        start = monday if key == "this-week" else monday - timedelta(days=7)
        since, until, label = _midnight(start, zone), _midnight(start + timedelta(days=7), zone), key
    elif key == "this-month":
        since, until, _ = _month_period(today.year, today.month, key, zone)
        label = f"{today:%Y-%m}"
    elif match := _MONTH.fullmatch(key):
        since, until, label = _month_period(int(match.group(1)), int(match.group(2)), key, zone)
    else:
        raise PeriodError(f"unknown period {word!r}; use one of: {', '.join(PERIOD_WORDS)}")
    return Period(since, until, timezone, label)


def parse_instant(text: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime:
    """A date (YYYY-MM-DD: its start, or with `end_of_day` the start of the next day) or an ISO time
    (local to `zone` unless it says its offset), in UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return _midnight(day + timedelta(days=1) if end_of_day else day, zone)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"{text!r} is not a date; write YYYY-MM-DD (or an ISO time, 2026-11-16T09:30)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def resolve_period(
    now: datetime,
    timezone: str,
    *,
    period: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Period:
    """The period a person asked for: a named one, explicit dates (the `until` date included), or the
    default (the last 7 days). Explicit dates without `until` run to the end of today."""
    if period and (since or until):
        raise PeriodError("give either a period (7d, 30d, this-month, YYYY-MM) or dates (--since/--until), not both")
    if not (since or until):
        return named_period(period or DEFAULT_PERIOD, now, timezone)
    zone = ZoneInfo(timezone)
    end = parse_instant(until, zone, end_of_day=True) if until else named_period("today", now, timezone).until
    start = parse_instant(since, zone, end_of_day=False) if since else end - timedelta(days=7)
    if end <= start:
        raise PeriodError(
            f"the period ends ({until or 'today'}) before it starts ({since}); --until is the last day included"
        )
    label = f"{since or ''}..{until or ''}"
    return Period(start, end, timezone, label)
