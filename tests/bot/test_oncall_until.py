"""`/oncall set @x until …`: relative and local forms, read in the on-call time zone — and every example
the README, the manifest and the usage text show parses (so none of them goes stale)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserFacingError
from bot.i18n import MESSAGES
from bot.oncall_until import parse_until

ROOT = Path(__file__).resolve().parents[2]
TZ = "Asia/Tokyo"
JST = ZoneInfo(TZ)
NOW = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)  # Monday 10:30 in Tokyo


def jst(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=JST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+8h", NOW + timedelta(hours=8)),
        ("+90m", NOW + timedelta(minutes=90)),
        ("+1h30m", NOW + timedelta(hours=1, minutes=30)),
        ("+2d", NOW + timedelta(days=2)),
        ("18:00", jst(16, 18)),  # later today
        ("09:00", jst(17, 9)),  # already past today: tomorrow
        ("10:30", jst(17, 10, 30)),  # exactly now is not "until now"
        ("１８：００", jst(16, 18)),  # full-width
        ("月曜 10:00", jst(23, 10)),  # Monday, but 10:00 has passed: next Monday
        ("月曜 11:00", jst(16, 11)),  # Monday, later today
        ("月曜日 09:00", jst(23, 9)),
        ("火 18:00", jst(17, 18)),
        ("金曜 18:00", jst(20, 18)),
        ("mon 10:00", jst(23, 10)),
        ("Friday 18:00", jst(20, 18)),
        ("明日 10:00", jst(17, 10)),
        ("tomorrow 9:30", jst(17, 9, 30)),
        ("2026-12-01 10:00", jst(1, 10, month=12)),
        ("2026/12/01 10:00", jst(1, 10, month=12)),
    ],
)
def test_until(text: str, expected: datetime) -> None:
    assert parse_until(text, NOW, TZ) == expected


@pytest.mark.parametrize(
    "text",
    ["", "tomorrow", "+8", "+8x", "25:00", "18:60", "someday 10:00", "2026-13-01 10:00", "mon", "月曜 10:00 JST"],
)
def test_anything_else_is_a_polite_error(text: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        parse_until(text, NOW, TZ)
    assert caught.value.key == "oncall.error.until"


def test_the_time_zone_is_the_on_call_one() -> None:
    assert parse_until("18:00", NOW, "UTC") == datetime(2026, 11, 16, 18, 0, tzinfo=UTC)


CODE = re.compile(r"`([^`\n]+)`")
UNTIL = re.compile(r"(?<![-\w])until ([^\]|`]+)")


def documented_examples() -> list[str]:
    """Every `until …` shown as code in the README, in the manifest's usage hint, and in the bot's own
    usage and error texts."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    manifest = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    hints = [line.split(":", 1)[1] for line in manifest.splitlines() if "usage_hint" in line and "until" in line]
    spans = CODE.findall(readme) + hints
    spans += [
        span
        for key in ("oncall.usage", "oncall.error.until")
        for text in MESSAGES[key].values()
        for span in CODE.findall(text)
    ]
    commands = [span for span in spans if "/oncall" in span or span.strip().startswith("until ")]
    return sorted({match.strip() for span in commands for match in UNTIL.findall(span)})


def test_every_documented_example_parses() -> None:
    examples = documented_examples()
    assert {"+8h", "18:00", "月曜 10:00", "2026-12-01 10:00"} <= set(examples), examples
    for example in examples:
        assert parse_until(example, NOW, TZ) > NOW, example
