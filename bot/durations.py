"""Durations written the way people write them in config files: "2h", "90m", "14d", "1h30m"."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.i18n import Language

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """Parse "2h", "90m", "3s", "1h30m", "14d" or a bare "0" into a timedelta.

    Raises ValueError with an example of the expected form.
    """
    if isinstance(text, timedelta):
        return text
    if isinstance(text, bool):
        raise ValueError(f'expected a duration such as "2h" or "90m", got {text!r}')
    if isinstance(text, int | float):
        if text == 0:
            return timedelta(0)
        raise ValueError(f'write the unit, e.g. "{text}s" or "{text}m", not a bare number {text!r}')
    s = str(text).strip()
    if s == "0":
        return timedelta(0)
    pos = 0
    total = 0.0
    compact = s.replace(" ", "")
    for match in _PART.finditer(compact):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2).lower()]
        pos = match.end()
    if pos == 0 or pos != len(compact):
        raise ValueError(f'expected a duration such as "2h", "90m", "30s" or "14d", got {text!r}')
    return timedelta(seconds=total)


def format_duration(delta: timedelta, language: str = Language.JA) -> str:
    """Render a duration for people: "1時間30分" / "1h 30m"; seconds only under a minute."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if language == Language.JA:
        units = [(days, "日"), (hours, "時間"), (minutes, "分")]
        parts = [f"{n}{u}" for n, u in units if n]
        if not parts:
            return f"{secs}秒"
        return "".join(parts)
    units_en = [(days, "d"), (hours, "h"), (minutes, "m")]
    parts = [f"{n}{u}" for n, u in units_en if n]
    if not parts:
        return f"{secs}s"
    return " ".join(parts)


def spell_duration(delta: timedelta, language: str = "ja") -> str:
    """A duration in a sentence: 「1時間30分」 / "1 hour 30 minutes" (explanations, not tight table cells)."""
    if language == "ja":
        return format_duration(delta, "ja")
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    units = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in units if n]
    return " ".join(parts) or f"{secs} second{'s' if secs != 1 else ''}"
