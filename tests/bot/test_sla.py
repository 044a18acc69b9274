"""SLA targets per priority on top of the business calendar, and how due times are shown to people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.business_calendar import BusinessCalendar, TwentyFourSeven
from bot.config import BusinessHoursConfig, SlaConfig, SlaTarget
from bot.sla import PRIORITIES, SlaPolicy, format_due, format_remaining

JST = ZoneInfo("Asia/Tokyo")
H = timedelta(hours=1)
M = timedelta(minutes=1)

CALENDAR = BusinessCalendar(BusinessHoursConfig())
POLICY = SlaPolicy(SlaConfig(), CALENDAR)


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def test_priorities() -> None:
    assert PRIORITIES == ("high", "medium", "low")


def test_targets_and_calendars_from_config() -> None:
    assert POLICY.target_for("high") == 2 * H
    assert POLICY.target_for("medium") == 6 * H
    assert POLICY.target_for("low") == 8 * H
    assert isinstance(POLICY.calendar_for("high"), TwentyFourSeven)
    assert POLICY.calendar_for("medium") is CALENDAR
    assert POLICY.calendar_for("low") is CALENDAR


def test_unknown_priority_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown priority"):
        POLICY.due_at(jst("2026-11-13T17:00"), "urgent")
    with pytest.raises(ValueError, match="unknown priority"):
        POLICY.target_for("check_interval")


def test_due_at_friday_evening() -> None:
    created = jst("2026-11-13T17:00")
    assert POLICY.due_at(created, "high") == jst("2026-11-13T19:00")
    assert POLICY.due_at(created, "medium") == jst("2026-11-16T15:00")
    assert POLICY.due_at(created, "low") == jst("2026-11-16T17:00")
    assert POLICY.due_at(created, "medium").tzinfo is UTC


def test_due_at_before_monday_holiday() -> None:
    assert POLICY.due_at(jst("2026-11-20T17:00"), "medium") == jst("2026-11-24T15:00")


def test_high_counts_around_the_clock_on_holidays() -> None:
    assert POLICY.due_at(jst("2027-01-01T23:30"), "high") == jst("2027-01-02T01:30")


def test_warn_at_is_share_of_business_time() -> None:
    created = jst("2026-11-13T17:00")
    # 75 % of 6 h = 4 h 30 m: 1 h on Friday, 3 h 30 m on Monday.
    assert POLICY.warn_at(created, "medium") == jst("2026-11-16T13:30")
    assert POLICY.warn_at(created, "high") == jst("2026-11-13T18:30")


def test_warn_at_zero_disables_warning() -> None:
    policy = SlaPolicy(SlaConfig(warn_at=0), CALENDAR)
    assert policy.warn_at(jst("2026-11-13T17:00"), "medium") is None


def test_elapsed_fraction() -> None:
    created = jst("2026-11-13T17:00")
    assert POLICY.elapsed_fraction(created, "medium", jst("2026-11-14T12:00")) == pytest.approx(1 / 6)
    assert POLICY.elapsed_fraction(created, "medium", jst("2026-11-16T13:30")) == pytest.approx(0.75)
    assert POLICY.elapsed_fraction(created, "medium", jst("2026-11-16T18:00")) == pytest.approx(9 / 6)
    assert POLICY.elapsed_fraction(created, "high", jst("2026-11-13T18:00")) == pytest.approx(0.5)
    assert POLICY.elapsed_fraction(created, "medium", jst("2026-11-13T16:00")) == 0.0


def test_remaining_is_wall_clock_and_negative_when_overdue() -> None:
    created = jst("2026-11-13T17:00")
    assert POLICY.remaining(created, "medium", jst("2026-11-14T15:00")) == 48 * H
    assert POLICY.remaining(created, "medium", jst("2026-11-16T15:30")) == -30 * M
    assert POLICY.remaining(created, "high", jst("2026-11-13T17:30")) == 90 * M


def test_is_outside_hours() -> None:
    assert POLICY.is_outside_hours(jst("2026-11-14T12:00"), "medium")
    assert POLICY.is_outside_hours(jst("2026-11-13T18:00"), "low")
    assert POLICY.is_outside_hours(jst("2026-11-23T12:00"), "medium")  # 勤労感謝の日
    assert not POLICY.is_outside_hours(jst("2026-11-13T17:59"), "medium")
    assert not POLICY.is_outside_hours(jst("2026-11-14T12:00"), "high")


def test_business_calendar_for_high_when_configured() -> None:
    config = SlaConfig(high=SlaTarget(target=timedelta(hours=2), calendar="business"))
    policy = SlaPolicy(config, CALENDAR)
    assert policy.due_at(jst("2026-11-13T17:00"), "high") == jst("2026-11-16T11:00")
    assert policy.is_outside_hours(jst("2026-11-14T12:00"), "high")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        POLICY.due_at(datetime(2026, 11, 13, 17), "high")
    with pytest.raises(ValueError, match="timezone-aware"):
        POLICY.remaining(jst("2026-11-13T17:00"), "high", datetime(2026, 11, 13, 18))


# --- formatting ----------------------------------------------------------------------------------


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


# --- properties ----------------------------------------------------------------------------------

INSTANTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC))


@settings(max_examples=100, deadline=None)
@given(INSTANTS, st.sampled_from(PRIORITIES))
def test_warning_comes_between_creation_and_due(created: datetime, priority: str) -> None:
    due = POLICY.due_at(created, priority)
    warn = POLICY.warn_at(created, priority)
    assert warn is not None
    assert created <= warn <= due
    assert POLICY.elapsed_fraction(created, priority, due) == pytest.approx(1.0)
    assert POLICY.remaining(created, priority, due) == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(INSTANTS)
def test_high_target_is_plain_addition(created: datetime) -> None:
    assert POLICY.due_at(created, "high") == created + 2 * H
