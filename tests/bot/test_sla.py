"""SLA targets per priority on top of the business calendar: due times, warning times, business time used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.business_calendar import BusinessCalendar, TwentyFourSeven
from bot.config import BusinessHoursConfig, SlaConfig, SlaTarget
from bot.priorities import Priority
from bot.sla import SlaPolicy, Target
from bot.sla_clock import SlaRules

JST = ZoneInfo("Asia/Tokyo")
H = timedelta(hours=1)
M = timedelta(minutes=1)

CALENDAR = BusinessCalendar(BusinessHoursConfig())
POLICY = SlaPolicy(SlaConfig(), CALENDAR)
RULES = SlaRules(POLICY, warn_share=0.75, renotify=30 * timedelta(minutes=1))
PRIORITIES = [p.value for p in Priority]


@dataclass(frozen=True)
class Asking:
    """What a policy is asked about: a case, here only its priority."""

    priority: str


def target(priority: str) -> Target:
    return POLICY.for_priority(priority)


def due(created: datetime, priority: str) -> datetime:
    return target(priority).due_at(created)


def warn(created: datetime, priority: str, rules: SlaRules = RULES) -> datetime | None:
    return rules.warn_at(Asking(priority), created)


def fraction(created: datetime, priority: str, now: datetime) -> float:
    return target(priority).elapsed(created, now) / target(priority).duration


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def test_priorities() -> None:
    assert PRIORITIES == ["high", "medium", "low"]


def test_targets_and_calendars_from_config() -> None:
    assert target("high").duration == 2 * H
    assert target("medium").duration == 6 * H
    assert target("low").duration == 8 * H
    assert isinstance(target("high").calendar, TwentyFourSeven)
    assert target("medium").calendar is CALENDAR
    assert target("low").calendar is CALENDAR
    assert POLICY.target(Asking("medium")) == target("medium")  # asked for a case: by its priority


def test_unknown_priority_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown priority"):
        due(jst("2026-11-13T17:00"), "urgent")
    with pytest.raises(ValueError, match="unknown priority"):
        POLICY.for_priority("check_interval")


def test_due_at_friday_evening() -> None:
    created = jst("2026-11-13T17:00")
    assert due(created, "high") == jst("2026-11-13T19:00")
    assert due(created, "medium") == jst("2026-11-16T15:00")
    assert due(created, "low") == jst("2026-11-16T17:00")
    assert due(created, "medium").tzinfo is UTC


def test_due_at_before_monday_holiday() -> None:
    assert due(jst("2026-11-20T17:00"), "medium") == jst("2026-11-24T15:00")


def test_high_counts_around_the_clock_on_holidays() -> None:
    assert due(jst("2027-01-01T23:30"), "high") == jst("2027-01-02T01:30")


def test_warn_at_is_share_of_business_time() -> None:
    created = jst("2026-11-13T17:00")
    # 75 % of 6 h = 4 h 30 m: 1 h on Friday, 3 h 30 m on Monday.
    assert warn(created, "medium") == jst("2026-11-16T13:30")
    assert warn(created, "high") == jst("2026-11-13T18:30")


def test_warn_at_zero_disables_warning() -> None:
    rules = SlaRules(POLICY, warn_share=0, renotify=30 * M)
    assert warn(jst("2026-11-13T17:00"), "medium", rules) is None


def test_elapsed_fraction() -> None:
    created = jst("2026-11-13T17:00")
    assert fraction(created, "medium", jst("2026-11-14T12:00")) == pytest.approx(1 / 6)
    assert fraction(created, "medium", jst("2026-11-16T13:30")) == pytest.approx(0.75)
    assert fraction(created, "medium", jst("2026-11-16T18:00")) == pytest.approx(9 / 6)
    assert fraction(created, "high", jst("2026-11-13T18:00")) == pytest.approx(0.5)
    assert fraction(created, "medium", jst("2026-11-13T16:00")) == 0.0


def test_what_is_left_is_wall_clock_and_negative_when_overdue() -> None:
    created = jst("2026-11-13T17:00")
    assert due(created, "medium") - jst("2026-11-14T15:00") == 48 * H
    assert due(created, "medium") - jst("2026-11-16T15:30") == -30 * M
    assert due(created, "high") - jst("2026-11-13T17:30") == 90 * M


def test_is_outside_hours() -> None:
    assert target("medium").counts_later(jst("2026-11-14T12:00"))
    assert target("low").counts_later(jst("2026-11-13T18:00"))
    assert target("medium").counts_later(jst("2026-11-23T12:00"))  # 勤労感謝の日
    assert not target("medium").counts_later(jst("2026-11-13T17:59"))
    assert not target("high").counts_later(jst("2026-11-14T12:00"))


def test_business_calendar_for_high_when_configured() -> None:
    config = SlaConfig(high=SlaTarget(target=timedelta(hours=2), calendar="business"))
    policy = SlaPolicy(config, CALENDAR)
    assert policy.for_priority("high").due_at(jst("2026-11-13T17:00")) == jst("2026-11-16T11:00")
    assert policy.for_priority("high").counts_later(jst("2026-11-14T12:00"))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due(datetime(2026, 11, 13, 17), "high")
    with pytest.raises(ValueError, match="timezone-aware"):
        target("high").elapsed(jst("2026-11-13T17:00"), datetime(2026, 11, 13, 18))


# --- properties ----------------------------------------------------------------------------------

INSTANTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC))


@settings(max_examples=100, deadline=None)
@given(INSTANTS, st.sampled_from(PRIORITIES))
def test_warning_comes_between_creation_and_due(created: datetime, priority: str) -> None:
    due_at = due(created, priority)
    warn_at = warn(created, priority)
    assert warn_at is not None
    assert created <= warn_at <= due_at
    assert fraction(created, priority, due_at) == pytest.approx(1.0)
    assert target(priority).elapsed(created, due_at) == target(priority).duration


@settings(max_examples=100, deadline=None)
@given(INSTANTS)
def test_high_target_is_plain_addition(created: datetime) -> None:
    assert due(created, "high") == created + 2 * H
