"""How times read in Slack: in the desk's zone, with the weekday, in Japanese or English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.slack.times import format_due, format_late, format_remaining

JST = ZoneInfo("Asia/Tokyo")
H = timedelta(hours=1)
M = timedelta(minutes=1)


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def test_format_due() -> None:
    due = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)  # 12:00 JST, a Monday
    assert format_due(due, "Asia/Tokyo", "ja") == "11/24(月) 12:00"
    assert format_due(due, "Asia/Tokyo", "en") == "Mon 11/24 12:00"
    assert format_due(jst("2027-01-04T09:05"), "Asia/Tokyo", "ja") == "1/4(月) 09:05"
    assert format_due(jst("2026-11-15T10:00"), "Asia/Tokyo", "ja") == "11/15(日) 10:00"
    assert format_due(due, "America/New_York", "en") == "Sun 11/23 22:00"


@pytest.mark.parametrize(
    ("delta", "ja", "en"),
    [
        (90 * M, "残り1時間30分", "1h 30m left"),
        (-30 * M, "30分超過", "30m overdue"),
        (timedelta(days=2, hours=3), "残り2日3時間", "2d 3h left"),
        (timedelta(seconds=45), "残り45秒", "45s left"),
        (timedelta(0), "残り0秒", "0s left"),
    ],
)
def test_format_remaining(delta: timedelta, ja: str, en: str) -> None:
    assert format_remaining(delta, "ja") == ja
    assert format_remaining(delta, "en") == en


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        format_due(jst("2026-11-13T17:00"), "Asia/Tokyo", "fr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="language"):
        format_remaining(H, "fr")  # type: ignore[arg-type]


def test_format_late_says_how_late_however_little() -> None:
    assert format_late(31 * M, "ja") == "31分超過"
    assert format_late(timedelta(seconds=5), "ja") == "5秒超過"
    assert format_late(H, "en") == "1h overdue"
