"""Business-time arithmetic: Japanese holidays, closures, year ends, DST, and its algebraic laws."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.business_calendar import BusinessCalendar, TwentyFourSeven, local_instant
from bot.config import BusinessHoursConfig

JST = ZoneInfo("Asia/Tokyo")
NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def hours(**keys: object) -> BusinessCalendar:
    """A calendar from [business_hours] keys written as in supportbot.toml."""
    return BusinessCalendar(BusinessHoursConfig.model_validate(keys))


TOKYO = hours()
NEW_YORK = hours(timezone="America/New_York", start="09:00", end="17:00", holidays="none", closed=[])
# Every day, with hours that straddle the 02:00 DST transitions in New York.
NIGHT_NY = hours(
    timezone="America/New_York",
    days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    start="01:00",
    end="05:00",
    holidays="none",
    closed=[],
)


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def ny(text: str, fold: int = 0) -> datetime:
    # In UTC: by PEP 495 an ambiguous local time never compares equal across zones.
    return datetime.fromisoformat(text).replace(tzinfo=NY, fold=fold).astimezone(UTC)


# --- business days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-13", True),  # Friday
        ("2026-11-14", False),  # Saturday
        ("2026-11-23", False),  # 勤労感謝の日 (Monday)
        ("2026-04-29", False),  # 昭和の日
        ("2026-04-30", True),  # Golden Week gap day
        ("2026-05-06", False),  # 振替休日
        ("2026-09-21", False),  # 敬老の日
        ("2026-09-22", False),  # 国民の休日
        ("2026-09-23", False),  # 秋分の日
        ("2026-12-28", True),
        ("2026-12-29", False),  # company closure
        ("2027-01-01", False),  # 元日
        ("2027-01-04", True),
    ],
)
def test_is_business_day_tokyo(day: str, expected: bool) -> None:
    assert TOKYO.is_business_day(date.fromisoformat(day)) is expected


def test_holidays_none_keeps_public_holidays_open() -> None:
    calendar = hours(holidays="none", closed=[])
    assert calendar.is_business_day(date(2026, 5, 6))


def test_custom_closure_every_year() -> None:
    calendar = hours(closed=["06-15"])
    assert not calendar.is_business_day(date(2026, 6, 15))  # a Monday
    assert not calendar.is_business_day(date(2027, 6, 15))  # a Tuesday
    assert calendar.add(jst("2026-06-12T17:00"), 2 * H) == jst("2026-06-16T11:00")


# --- is_open / next_open -------------------------------------------------------------------------


def test_open_is_half_open_interval() -> None:
    assert not TOKYO.is_open(jst("2026-11-13T09:59:59"))
    assert TOKYO.is_open(jst("2026-11-13T10:00"))
    assert TOKYO.is_open(jst("2026-11-13T17:59:59.999999"))
    assert not TOKYO.is_open(jst("2026-11-13T18:00"))


def test_next_open() -> None:
    assert TOKYO.next_open(jst("2026-11-13T12:00")) == jst("2026-11-13T12:00")
    assert TOKYO.next_open(jst("2026-11-13T12:00")).tzinfo is UTC
    assert TOKYO.next_open(jst("2026-11-13T18:00")) == jst("2026-11-16T10:00")
    assert TOKYO.next_open(jst("2026-11-16T06:00")) == jst("2026-11-16T10:00")
    assert TOKYO.next_open(jst("2026-12-28T18:00")) == jst("2027-01-04T10:00")


# --- add -----------------------------------------------------------------------------------------


def test_friday_17_medium_due_monday_15() -> None:
    assert TOKYO.add(jst("2026-11-13T17:00"), 6 * H) == jst("2026-11-16T15:00")


def test_friday_17_medium_skips_monday_holiday() -> None:
    assert TOKYO.add(jst("2026-11-20T17:00"), 6 * H) == jst("2026-11-24T15:00")


def test_opened_outside_hours_starts_at_next_opening() -> None:
    assert TOKYO.add(jst("2026-11-14T03:00"), 6 * H) == jst("2026-11-16T16:00")
    assert TOKYO.add(jst("2026-11-13T07:00"), 6 * H) == jst("2026-11-13T16:00")


def test_golden_week_2026() -> None:
    # Fri 5/1 17:00: 1 h that day, then 5/2-5/6 closed (5/6 振替休日), 7 h on Thu 5/7.
    assert TOKYO.add(jst("2026-05-01T17:00"), 8 * H) == jst("2026-05-07T17:00")
    assert TOKYO.add(jst("2026-04-28T17:00"), 2 * H) == jst("2026-04-30T11:00")


def test_silver_week_2026() -> None:
    assert TOKYO.add(jst("2026-09-18T16:00"), 6 * H) == jst("2026-09-24T14:00")


def test_year_end_closure_and_new_year() -> None:
    assert TOKYO.add(jst("2026-12-28T17:00"), 6 * H) == jst("2027-01-04T15:00")
    assert TOKYO.elapsed(jst("2026-12-28T17:00"), jst("2027-01-04T15:00")) == 6 * H


def test_landing_exactly_at_closing_stays_at_closing() -> None:
    assert TOKYO.add(jst("2026-11-13T10:00"), 8 * H) == jst("2026-11-13T18:00")
    assert TOKYO.add(jst("2026-11-13T17:59"), timedelta(minutes=1)) == jst("2026-11-13T18:00")
    assert TOKYO.add(jst("2026-11-13T17:59"), timedelta(minutes=2)) == jst("2026-11-16T10:01")


def test_started_exactly_at_opening_and_closing() -> None:
    assert TOKYO.add(jst("2026-11-13T10:00"), H) == jst("2026-11-13T11:00")
    assert TOKYO.add(jst("2026-11-13T18:00"), H) == jst("2026-11-16T11:00")


def test_zero_duration_is_next_opening() -> None:
    assert TOKYO.add(jst("2026-11-13T12:00"), timedelta(0)) == jst("2026-11-13T12:00")
    assert TOKYO.add(jst("2026-11-13T18:00"), timedelta(0)) == jst("2026-11-16T10:00")


def test_long_duration_spans_weeks() -> None:
    # 10 business days of 8 h from Monday 10:00 (no holidays 11/30-12/11 2026) → two weeks later.
    assert TOKYO.add(jst("2026-11-30T10:00"), 80 * H) == jst("2026-12-11T18:00")


def test_results_are_utc() -> None:
    result = TOKYO.add(jst("2026-11-13T17:00"), 6 * H)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 11, 16, 6, 0, tzinfo=UTC)


def test_naive_and_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TOKYO.add(datetime(2026, 11, 13, 17), H)
    with pytest.raises(ValueError, match="timezone-aware"):
        TOKYO.is_open(datetime(2026, 11, 13, 17))
    with pytest.raises(ValueError, match="timezone-aware"):
        TOKYO.elapsed(jst("2026-11-13T17:00"), datetime(2026, 11, 13, 18))
    with pytest.raises(ValueError, match="timezone-aware"):
        TwentyFourSeven().add(datetime(2026, 11, 13, 17), H)
    with pytest.raises(ValueError, match="negative"):
        TOKYO.add(jst("2026-11-13T17:00"), -H)


def test_calendar_that_never_opens_raises() -> None:
    leap_year = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]
    everything = [f"{d:%m-%d}" for d in leap_year]
    calendar = hours(closed=everything)
    with pytest.raises(ValueError, match="no business hours"):
        calendar.add(jst("2026-11-13T17:00"), H)
    with pytest.raises(ValueError, match="no business hours"):
        calendar.next_open(jst("2026-11-13T17:00"))
    assert calendar.elapsed(jst("2026-01-01T00:00"), jst("2027-01-01T00:00")) == timedelta(0)


def test_end_24_00_means_midnight() -> None:
    calendar = hours(start="00:00", end="24:00", holidays="none", closed=[])
    assert calendar.add(jst("2026-11-13T23:00"), H) == jst("2026-11-14T00:00")
    assert calendar.add(jst("2026-11-13T23:00"), 2 * H) == jst("2026-11-16T01:00")
    assert calendar.elapsed(jst("2026-11-13T00:00"), jst("2026-11-14T00:00")) == 24 * H


# --- elapsed -------------------------------------------------------------------------------------


def test_elapsed() -> None:
    assert TOKYO.elapsed(jst("2026-11-13T17:00"), jst("2026-11-16T15:00")) == 6 * H
    assert TOKYO.elapsed(jst("2026-11-14T00:00"), jst("2026-11-15T23:59")) == timedelta(0)
    assert TOKYO.elapsed(jst("2026-11-16T15:00"), jst("2026-11-13T17:00")) == timedelta(0)
    assert TOKYO.elapsed(jst("2026-11-13T12:00"), jst("2026-11-13T12:00")) == timedelta(0)


# --- DST -----------------------------------------------------------------------------------------


def test_dst_weekend_shifts_utc_but_not_local_hours() -> None:
    # Fri 2026-03-06 16:00 EST + 2 h → Mon 2026-03-09 10:00 EDT.
    assert NEW_YORK.add(ny("2026-03-06T16:00"), 2 * H) == ny("2026-03-09T10:00")
    assert NEW_YORK.add(ny("2026-03-06T16:00"), 2 * H) == datetime(2026, 3, 9, 14, tzinfo=UTC)
    assert NEW_YORK.add(ny("2026-10-30T16:00"), 2 * H) == datetime(2026, 11, 2, 15, tzinfo=UTC)
    assert NEW_YORK.elapsed(ny("2026-03-06T09:00"), ny("2026-03-09T17:00")) == 16 * H


def test_spring_forward_day_is_one_hour_shorter() -> None:
    # 01:00-05:00 on 2026-03-08: 02:00-03:00 does not exist.
    assert NIGHT_NY.elapsed(ny("2026-03-08T00:00"), ny("2026-03-08T06:00")) == 3 * H
    assert NIGHT_NY.add(ny("2026-03-08T01:00"), 3 * H) == ny("2026-03-08T05:00")


def test_fall_back_day_is_one_hour_longer() -> None:
    # 01:00-05:00 on 2026-11-01: 01:00-02:00 happens twice.
    assert NIGHT_NY.elapsed(ny("2026-11-01T00:00"), ny("2026-11-01T06:00")) == 5 * H
    assert NIGHT_NY.add(ny("2026-11-01T01:00"), H) == ny("2026-11-01T01:00", fold=1)
    assert NIGHT_NY.add(ny("2026-11-01T01:00"), 5 * H) == ny("2026-11-01T05:00")


def test_opening_in_dst_gap_opens_at_end_of_gap() -> None:
    calendar = hours(timezone="America/New_York", days=["sun"], start="02:30", end="04:00", holidays="none", closed=[])
    assert calendar.next_open(ny("2026-03-08T00:00")) == ny("2026-03-08T03:00")
    assert calendar.elapsed(ny("2026-03-08T00:00"), ny("2026-03-08T06:00")) == H
    assert calendar.next_open(ny("2026-03-15T00:00")) == ny("2026-03-15T02:30")


def test_closing_in_dst_overlap_closes_at_first_occurrence() -> None:
    calendar = hours(timezone="America/New_York", days=["sun"], start="00:00", end="01:30", holidays="none", closed=[])
    assert calendar.add(ny("2026-11-01T00:00"), 90 * timedelta(minutes=1)) == ny("2026-11-01T01:30")
    assert not calendar.is_open(ny("2026-11-01T01:10", fold=1))


def test_hours_entirely_inside_a_gap_mean_closed() -> None:
    calendar = hours(timezone="America/New_York", days=["sun"], start="02:10", end="02:50", holidays="none", closed=[])
    assert calendar.open_interval(date(2026, 3, 8)) is None
    assert calendar.next_open(ny("2026-03-08T00:00")) == ny("2026-03-15T02:10")


def test_local_instant_rules() -> None:
    assert local_instant(date(2026, 3, 8), time(2, 30), NY) == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert local_instant(date(2026, 11, 1), time(1, 30), NY) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert local_instant(date(2026, 11, 13), time(10), JST) == datetime(2026, 11, 13, 1, tzinfo=UTC)


# --- 24x7 ----------------------------------------------------------------------------------------


def test_twenty_four_seven() -> None:
    always = TwentyFourSeven()
    start = jst("2026-11-14T03:00")
    assert always.is_open(start)
    assert always.add(start, 2 * H) == start + 2 * H
    assert always.elapsed(start, start + 5 * H) == 5 * H
    assert always.elapsed(start + 5 * H, start) == timedelta(0)


# --- properties ----------------------------------------------------------------------------------

CALENDARS = st.sampled_from([TOKYO, NEW_YORK, NIGHT_NY])
INSTANTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC))
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=60))
POSITIVE = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(hours=60))
PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(CALENDARS, INSTANTS, DURATIONS)
def test_due_is_never_before_creation(calendar: BusinessCalendar, t: datetime, d: timedelta) -> None:
    assert calendar.add(t, d) >= t


@PROPERTY
@given(CALENDARS, INSTANTS, DURATIONS, POSITIVE)
def test_adding_in_two_steps_equals_adding_once(
    calendar: BusinessCalendar, t: datetime, a: timedelta, b: timedelta
) -> None:
    # b must be positive: add(x, 0) moves a closing time x on to the next opening.
    assert calendar.add(calendar.add(t, a), b) == calendar.add(t, a + b)


@PROPERTY
@given(CALENDARS, INSTANTS, DURATIONS)
def test_elapsed_undoes_add(calendar: BusinessCalendar, t: datetime, d: timedelta) -> None:
    assert calendar.elapsed(t, calendar.add(t, d)) == d


@PROPERTY
@given(CALENDARS, INSTANTS, DURATIONS)
def test_result_is_open_or_exactly_closing(calendar: BusinessCalendar, t: datetime, d: timedelta) -> None:
    result = calendar.add(t, d)
    just_before = result - timedelta(microseconds=1)
    assert calendar.is_open(result) or (d > timedelta(0) and calendar.is_open(just_before))


@PROPERTY
@given(CALENDARS, INSTANTS)
def test_next_open_is_open(calendar: BusinessCalendar, t: datetime) -> None:
    opening = calendar.next_open(t)
    assert opening >= t
    assert calendar.is_open(opening)
    assert calendar.elapsed(t, opening) == timedelta(0)


@PROPERTY
@given(INSTANTS, DURATIONS)
def test_twenty_four_seven_is_plain_addition(t: datetime, d: timedelta) -> None:
    always = TwentyFourSeven()
    assert always.add(t, d) == t + d
    assert always.elapsed(t, t + d) == d
