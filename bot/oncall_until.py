"""`/oncall set @x until …`: the end of an override, as people write it, in the on-call time zone.

    +8h, +90m, +1h30m, +2d        that long from now
    18:00                         the next 18:00 (today, or tomorrow once it has passed)
    月曜 10:00, mon 10:00         the next Monday at 10:00 (today if it is Monday before 10:00)
    明日 10:00, tomorrow 10:00    tomorrow at 10:00
    2026-12-01 10:00              that moment (2026/12/01 works too)

Full-width digits and spaces are read too. Anything else is a polite error naming the forms.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.durations import parse_duration
from bot.errors import UserFacingError

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {
    **{name: day for day, name in enumerate(_DAY_NAMES)},
    **{name[:3]: day for day, name in enumerate(_DAY_NAMES)},
    **{f"{kanji}{suffix}": day for day, kanji in enumerate("月火水木金土日") for suffix in ("", "曜", "曜日")},
}
_TOMORROW = ("明日", "あした", "tomorrow")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def parse_until(text: str, now: datetime, timezone: str) -> datetime:
    """The moment `text` names, after `now`, read in `timezone` (raises UserFacingError when it names none)."""
    words = unicodedata.normalize("NFKC", text or "").strip().casefold().split()
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    try:
        if len(words) == 1 and words[0].startswith("+"):
            return now + parse_duration(words[0][1:])
        if len(words) == 1:
            return _next_at(local_now, _clock(words[0]), zone)
        if len(words) == 2:
            return _on_day(words[0], _clock(words[1]), local_now, zone)
    except ValueError:
        pass
    raise UserFacingError("oncall.error.until")


def _clock(word: str) -> time:
    match = _CLOCK.fullmatch(word)
    if not match:
        raise ValueError(word)
    return time(int(match.group(1)), int(match.group(2)))  # ValueError past 23:59


def _next_at(local_now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The next `at` o'clock: today, or tomorrow once it has passed."""
    moment = datetime.combine(local_now.date(), at, zone)
    return moment if moment > local_now else datetime.combine(local_now.date() + timedelta(days=1), at, zone)


def _on_day(word: str, at: time, local_now: datetime, zone: ZoneInfo) -> datetime:
    if word in _TOMORROW:
        return datetime.combine(local_now.date() + timedelta(days=1), at, zone)
    absolute = _DATE.fullmatch(word)
    if absolute:
        return datetime.combine(date(*(int(part) for part in absolute.groups())), at, zone)
    weekday = _WEEKDAYS.get(word)
    if weekday is None:
        raise ValueError(word)
    ahead = (weekday - local_now.weekday()) % 7
    moment = datetime.combine(local_now.date() + timedelta(days=ahead), at, zone)
    return moment if moment > local_now else moment + timedelta(days=7)
