"""Periods as people ask for them, resolved in the desk's time zone, half-open so they never overlap."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.reports.periods import PeriodError, named_period, resolve_period
from tests.bot.reports.conftest import jst

NOW = jst(11, 18, 15, 30)  # Wednesday afternoon in Tokyo
ZONE = "Asia/Tokyo"


def test_default_is_the_last_seven_local_days_including_today() -> None:
    period = resolve_period(NOW, ZONE)
    assert (period.since, period.until) == (jst(11, 12), jst(11, 19))
    assert period.label == "7d"
    assert period.end(NOW) == NOW  # still running: figures as of now
    assert [d for d, _, _ in period.days()] == [date(2026, 11, 12) + timedelta(days=n) for n in range(7)]


@pytest.mark.parametrize(
    ("word", "since", "until"),
    [
        ("30d", jst(10, 20), jst(11, 19)),
        ("today", jst(11, 18), jst(11, 19)),
        ("this-week", jst(11, 16), jst(11, 23)),
        ("last-week", jst(11, 9), jst(11, 16)),
        ("this-month", jst(11, 1), jst(12, 1)),
        ("2026-10", jst(10, 1), jst(11, 1)),
        ("2026-12", jst(12, 1), jst(1, 1, year=2027)),
        (" This-Month ", jst(11, 1), jst(12, 1)),
    ],
)
def test_named_periods(word: str, since: object, until: object) -> None:
    period = named_period(word, NOW, ZONE)
    assert (period.since, period.until) == (since, until)


def test_a_past_period_is_taken_at_its_end() -> None:
    period = named_period("2026-10", NOW, ZONE)
    assert period.end(NOW) == jst(11, 1)
    assert named_period("2027-01", NOW, ZONE).end(NOW) == jst(1, 1, year=2027)  # future: empty, not negative


def test_explicit_dates_include_the_last_day() -> None:
    period = resolve_period(NOW, ZONE, since="2026-11-02", until="2026-11-08")
    assert (period.since, period.until) == (jst(11, 2), jst(11, 9))
    assert (period.first_day(), period.last_day()) == (date(2026, 11, 2), date(2026, 11, 8))
    assert resolve_period(NOW, ZONE, since="2026-11-10").until == jst(11, 19)  # to the end of today
    timed = resolve_period(NOW, ZONE, since="2026-11-10T09:30", until="2026-11-10T12:00+09:00")
    assert (timed.since, timed.until) == (jst(11, 10, 9, 30), jst(11, 10, 12))


def test_adjacent_periods_share_no_instant() -> None:
    october, november = named_period("2026-10", NOW, ZONE), named_period("2026-11", NOW, ZONE)
    assert october.until == november.since  # [since, until): the midnight belongs to November only


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "week"}, "unknown period 'week'"),
        ({"period": "0d"}, "between 1 and"),
        ({"period": "2026-13"}, "not a month"),
        ({"since": "11/02"}, "not a date"),
        ({"since": "2026-11-10", "until": "2026-11-02"}, "ends"),
        ({"period": "7d", "since": "2026-11-01"}, "not both"),
    ],
)
def test_nonsense_is_refused_with_what_works(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        resolve_period(NOW, ZONE, **kwargs)
