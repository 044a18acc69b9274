from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("90m", timedelta(minutes=90)),
        ("3s", timedelta(seconds=3)),
        ("14d", timedelta(days=14)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("0", timedelta(0)),
        (0, timedelta(0)),
        ("0.5h", timedelta(minutes=30)),
        ("2H", timedelta(hours=2)),
    ],
)
def test_parses_written_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2", "h", "2 hours", "2h-", "-2h", "1w", 5, True])
def test_rejects_unclear_durations_with_an_example(text: object) -> None:
    with pytest.raises(ValueError, match=r"2h|unit|duration"):
        parse_duration(text)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10_000), st.sampled_from(["s", "m", "h", "d"]))
def test_round_trips_whole_units(amount: int, unit: str) -> None:
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    assert parse_duration(f"{amount}{unit}") == timedelta(seconds=amount * seconds)


def test_formats_for_people() -> None:
    assert format_duration(timedelta(hours=1, minutes=30)) == "1時間30分"
    assert format_duration(timedelta(hours=1, minutes=30), "en") == "1h 30m"
    assert format_duration(timedelta(seconds=42)) == "42秒"
    assert format_duration(timedelta(days=2, hours=3), "en") == "2d 3h"
