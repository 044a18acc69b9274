"""Weekly on-call rotation: who is on call at an instant, exactly at and around each handoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import OncallConfig
from bot.rotation import OncallRotation, Shift

JST = ZoneInfo("Asia/Tokyo")
NY = ZoneInfo("America/New_York")
SECOND = timedelta(seconds=1)
PEOPLE = ["U0000AAA", "U0000BBB", "U0000CCC"]
BACKUP = ["U0000XXX", "U0000YYY"]


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY).astimezone(UTC)


DEFAULT = OncallRotation(OncallConfig(rotation=PEOPLE, secondary=BACKUP))


def test_default_anchor_is_2024_01_01_at_handoff() -> None:
    shift = DEFAULT.shift_at(jst("2024-01-01T10:00"))
    assert shift == Shift(
        primary="U0000AAA", secondary="U0000XXX", start=jst("2024-01-01T10:00"), end=jst("2024-01-08T10:00")
    )
    assert shift.start.tzinfo is UTC


def test_exactly_at_handoff_the_new_person_is_on_call() -> None:
    handoff = jst("2024-01-08T10:00")
    assert DEFAULT.shift_at(handoff).primary == "U0000BBB"
    assert DEFAULT.shift_at(handoff).secondary == "U0000YYY"
    assert DEFAULT.shift_at(handoff - SECOND).primary == "U0000AAA"
    assert DEFAULT.shift_at(handoff - SECOND).secondary == "U0000XXX"


def test_rotation_wraps_around_years_later() -> None:
    # 2024-01-01 → 2026-11-16 is 1050 days = 150 weeks; 150 % 3 == 0 and 150 % 2 == 0.
    shift = DEFAULT.shift_at(jst("2026-11-16T10:00"))
    assert (shift.primary, shift.secondary) == ("U0000AAA", "U0000XXX")
    before = DEFAULT.shift_at(jst("2026-11-16T09:59:59"))
    assert (before.primary, before.secondary) == ("U0000CCC", "U0000YYY")
    assert DEFAULT.shift_number(jst("2026-11-16T10:00")) == 150


def test_before_the_anchor_counts_backwards() -> None:
    shift = DEFAULT.shift_at(jst("2024-01-01T09:59:59"))
    assert shift.primary == "U0000CCC"
    assert shift.end == jst("2024-01-01T10:00")


def test_start_date_is_aligned_back_to_the_handoff_weekday() -> None:
    rotation = OncallRotation(OncallConfig(rotation=PEOPLE, handoff="fri 17:00", start_date="2026-11-18"))
    assert rotation.anchor.isoformat() == "2026-11-13"
    assert rotation.shift_at(jst("2026-11-18T12:00")).primary == "U0000AAA"
    assert rotation.shift_at(jst("2026-11-13T17:00")).primary == "U0000AAA"
    assert rotation.shift_at(jst("2026-11-13T16:59:59")).primary == "U0000CCC"
    assert rotation.shift_at(jst("2026-11-20T17:00")).primary == "U0000BBB"


def test_start_date_on_handoff_weekday_is_the_anchor() -> None:
    rotation = OncallRotation(OncallConfig(rotation=PEOPLE, start_date="2026-11-16"))
    assert rotation.shift_at(jst("2026-11-16T10:00")).primary == "U0000AAA"


def test_next_shift() -> None:
    upcoming = DEFAULT.next_shift(jst("2024-01-03T12:00"))
    assert upcoming.primary == "U0000BBB"
    assert upcoming.start == jst("2024-01-08T10:00")
    assert DEFAULT.next_shift(jst("2024-01-08T10:00")).primary == "U0000CCC"
    assert DEFAULT.next_shift(jst("2024-01-08T09:59:59")).primary == "U0000BBB"


def test_empty_rotations_give_none() -> None:
    shift = OncallRotation(OncallConfig()).shift_at(jst("2026-11-16T10:00"))
    assert shift.primary is None
    assert shift.secondary is None
    only_primary = OncallRotation(OncallConfig(rotation=PEOPLE)).shift_at(jst("2026-11-16T10:00"))
    assert only_primary.secondary is None


def test_handoff_in_another_time_zone_across_dst() -> None:
    rotation = OncallRotation(OncallConfig(rotation=PEOPLE, handoff="mon 09:00", timezone="America/New_York"))
    shift = rotation.shift_at(ny("2026-03-04T12:00"))
    assert shift.start == ny("2026-03-02T09:00")
    assert shift.end == ny("2026-03-09T09:00")
    assert shift.end - shift.start == timedelta(hours=167)
    assert rotation.shift_at(ny("2026-03-09T09:00")).start == ny("2026-03-09T09:00")
    assert rotation.shift_at(ny("2026-03-09T08:59:59")).start == ny("2026-03-02T09:00")


def test_handoff_in_dst_gap_happens_at_end_of_gap() -> None:
    rotation = OncallRotation(OncallConfig(rotation=PEOPLE, handoff="sun 02:30", timezone="America/New_York"))
    assert rotation.shift_at(ny("2026-03-08T03:30")).start == datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert rotation.shift_at(datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC)).end == datetime(2026, 3, 8, 7, tzinfo=UTC)


def test_invalid_start_date_and_naive_time_are_refused() -> None:
    with pytest.raises(ValueError, match="start_date"):
        OncallRotation(OncallConfig(rotation=PEOPLE, start_date="2024-02-30"))
    with pytest.raises(ValueError, match="timezone-aware"):
        DEFAULT.shift_at(datetime(2026, 11, 16, 10))


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    st.sampled_from(["Asia/Tokyo", "America/New_York", "Europe/London"]),
)
def test_shift_contains_the_instant_and_chains(t: datetime, timezone: str) -> None:
    rotation = OncallRotation(OncallConfig(rotation=PEOPLE, secondary=BACKUP, timezone=timezone))
    shift = rotation.shift_at(t)
    assert shift.start <= t < shift.end
    upcoming = rotation.next_shift(t)
    assert upcoming.start == shift.end
    assert rotation.shift_at(shift.end) == upcoming
    assert rotation.shift_at(shift.end - timedelta(microseconds=1)) == shift
    assert upcoming.primary == PEOPLE[(PEOPLE.index(shift.primary or "") + 1) % len(PEOPLE)]
