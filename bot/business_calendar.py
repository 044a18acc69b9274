"""Business time: when the support desk is open, and how much open time lies between two instants.

SLA targets such as "6 business hours" are counted only while the desk is open. Each local day's
opening hours are turned into one UTC interval, so the arithmetic below is plain UTC arithmetic and
walks day by day, never minute by minute.

Rules, decided once here so every caller agrees:

* A local wall-clock time means the first instant the local clock reads that time. When a DST gap
  skips it (02:30 on a spring-forward night), it means the end of the gap; when a DST overlap
  repeats it, the first occurrence. A day whose hours fall entirely into a gap has no open time.
* Open intervals are half-open: open at the opening instant, closed at the closing instant.
* ``add(t, d)`` with ``d > 0`` ends at the instant the last piece of business time is used up, so
  it may be exactly a closing time (a case due "at 18:00 Friday", not "10:00 Monday").
  ``add(t, 0)`` is ``next_open(t)``: a zero target is due at once if open, else at the next opening.
* A configured end of "24:00" (stored by the config as 23:59:59.999999) means midnight.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import jpholiday

from bot.config import WEEKDAYS, BusinessHoursConfig

MAX_CLOSED_RUN_DAYS = 366 * 2
"""Looking further than this many consecutive closed days for an opening is a configuration error."""

_END_OF_DAY = time(23, 59, 59, 999999)
_RESOLUTION = timedelta(microseconds=1)
_ZERO = timedelta(0)

Interval = tuple[datetime, datetime]


class Calendar(Protocol):
    """What SLA code needs from a calendar; BusinessCalendar and TwentyFourSeven both provide it."""

    def is_business_day(self, d: date) -> bool: ...

    def is_open(self, t: datetime) -> bool: ...

    def next_open(self, t: datetime) -> datetime: ...

    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta: ...


def require_aware(t: datetime, name: str = "time") -> datetime:
    """Return t in UTC; a naive datetime is a bug at the caller (which zone was meant?), so refuse it."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {t.isoformat()}")
    return t.astimezone(UTC)


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant when the clock in tz first reads `at` on `day` (the end of a DST gap if skipped)."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # In a gap fold=1 maps before the transition and fold=0 after it; the transition lies between.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = first
    while hi - lo > _RESOLUTION:
        mid = lo + (hi - lo) // 2
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi


class BusinessCalendar:
    """Opening hours from [business_hours]: weekdays, daily hours, Japanese holidays, yearly closures."""

    def __init__(self, config: BusinessHoursConfig) -> None:
        self.config = config
        self.timezone = ZoneInfo(config.timezone)
        self._weekdays = frozenset(WEEKDAYS.index(day) for day in config.days)
        self._closed = frozenset(config.closed)
        self._start = config.start
        self._end_is_midnight = config.end == _END_OF_DAY
        self._end = config.end
        # Per-instance cache (not a decorated method, which would keep every calendar alive).
        self._interval_cached = lru_cache(maxsize=4096)(self._interval)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self.config.timezone}, {','.join(self.config.days)} "
            f"{self._start:%H:%M}-{'24:00' if self._end_is_midnight else format(self._end, '%H:%M')}, "
            f"holidays={self.config.holidays}, closed={list(self.config.closed)})"
        )

    def is_business_day(self, d: date) -> bool:
        """A working weekday that is neither a public holiday (when enabled) nor a company closure."""
        if d.weekday() not in self._weekdays:
            return False
        if f"{d:%m-%d}" in self._closed:
            return False
        return not (self.config.holidays == "JP" and jpholiday.is_holiday(d))

    def open_interval(self, d: date) -> Interval | None:
        """The UTC [open, close) interval of local date d, or None when the desk is closed all day."""
        return self._interval_cached(d)

    def is_open(self, t: datetime) -> bool:
        t = require_aware(t)
        today = t.astimezone(self.timezone).date()
        for offset in (-1, 0, 1):
            interval = self.open_interval(today + timedelta(days=offset))
            if interval is not None and interval[0] <= t < interval[1]:
                return True
        return False

    def next_open(self, t: datetime) -> datetime:
        """t itself (in UTC) when open, else the next opening. ValueError if none within two years."""
        t = require_aware(t)
        for opens, closes in self._intervals_from(t):
            if closes > t:
                return max(opens, t)
        raise AssertionError("unreachable: _intervals_from raises instead of ending")  # pragma: no cover

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when `duration` of business time has passed since start (UTC)."""
        start = require_aware(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        if duration == _ZERO:
            return self.next_open(start)
        remaining = duration
        for opens, closes in self._intervals_from(start):
            if closes <= start:
                continue
            begin = max(opens, start)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: _intervals_from raises instead of ending")  # pragma: no cover

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants; zero when end is not after start."""
        start = require_aware(start, "start")
        end = require_aware(end, "end")
        if end <= start:
            return _ZERO
        day = start.astimezone(self.timezone).date() - timedelta(days=1)
        last = end.astimezone(self.timezone).date() + timedelta(days=1)
        total = _ZERO
        while day <= last:
            interval = self.open_interval(day)
            if interval is not None:
                overlap = min(interval[1], end) - max(interval[0], start)
                if overlap > _ZERO:
                    total += overlap
            day += timedelta(days=1)
        return total

    def _interval(self, d: date) -> Interval | None:
        if not self.is_business_day(d):
            return None
        opens = local_instant(d, self._start, self.timezone)
        if self._end_is_midnight:
            closes = local_instant(d + timedelta(days=1), time(0), self.timezone)
        else:
            closes = local_instant(d, self._end, self.timezone)
        if closes <= opens:  # the whole day's hours fell into a DST gap
            return None
        return opens, closes

    def _intervals_from(self, t: datetime) -> Iterator[Interval]:
        """Open intervals in order, from the local day before t's; raise after too many closed days."""
        day = t.astimezone(self.timezone).date() - timedelta(days=1)
        closed_run = 0
        while True:
            interval = self.open_interval(day)
            if interval is None:
                closed_run += 1
                if closed_run > MAX_CLOSED_RUN_DAYS:
                    raise ValueError(
                        f"no business hours in the {MAX_CLOSED_RUN_DAYS} days after {t.isoformat()}; "
                        f"check [business_hours] days, holidays and closed ({self!r})"
                    )
            else:
                closed_run = 0
                yield interval
            try:
                day += timedelta(days=1)
            except OverflowError:
                raise ValueError(f"no business hours after {t.isoformat()} before the year 9999") from None


class TwentyFourSeven:
    """The always-open calendar of 24x7 targets: business time is wall-clock time."""

    def is_business_day(self, d: date) -> bool:
        return True

    def is_open(self, t: datetime) -> bool:
        require_aware(t)
        return True

    def next_open(self, t: datetime) -> datetime:
        return require_aware(t)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        start = require_aware(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        return start + duration

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(require_aware(end, "end") - require_aware(start, "start"), _ZERO)
