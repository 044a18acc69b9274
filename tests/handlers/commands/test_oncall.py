"""`/oncall`, called directly: status in the ack, overrides through the on-call service, mistakes explained."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.models import OncallOverride
from bot.oncall import OnCall
from handlers.commands.oncall import on_oncall_command
from tests.handlers.listeners import NOW, ack, context, respond, said

ROTATION = OnCall("U0ONCALL1", None, "rotation", NOW - timedelta(days=1), NOW + timedelta(days=6))
NEXT = OnCall("U0ONCALL2", None, "rotation", NOW + timedelta(days=6), NOW + timedelta(days=13))


def run(text: str) -> tuple[Any, Any, Any]:
    ctx = context()
    ctx["oncall"].at.return_value, ctx["oncall"].next.return_value = ROTATION, NEXT
    ctx["oncall"].set_override.return_value = OncallOverride(
        user_id="U0COVER", starts_at=NOW, ends_at=NOW + timedelta(hours=8), created_by="U0AGENT", created_at=NOW
    )
    acked, responded = ack(), respond()
    on_oncall_command(ack=acked, command={"text": text, "user_id": "U0AGENT"}, respond=responded, context=ctx)
    return acked, responded, ctx["oncall"]


def test_status_is_the_ack() -> None:
    acked, responded, _ = run("")
    assert said(acked).startswith("*現在のオンコール*: <@U0ONCALL1>")
    assert "*次のオンコール*: <@U0ONCALL2>" in said(acked)
    responded.assert_not_called()


def test_set_with_an_end_in_the_oncall_time_zone() -> None:
    acked, _, oncall = run("set <@U0COVER|cover> until 2026-11-20 18:00")
    until = datetime(2026, 11, 20, 18, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert oncall.set_override.call_args.args == ("U0COVER", until, "U0AGENT")
    acked.assert_called_once_with()


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        ("+8h", NOW + timedelta(hours=8)),
        ("18:00", datetime(2026, 11, 16, 18, 0, tzinfo=ZoneInfo("Asia/Tokyo"))),
        ("月曜 10:00", datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))),  # now is Monday 10:30
    ],
)
def test_set_until_relative_and_local_forms(until: str, expected: datetime) -> None:
    _, _, oncall = run(f"set <@U0COVER> until {until}")
    assert oncall.set_override.call_args.args == ("U0COVER", expected, "U0AGENT")


def test_set_says_whom_and_until_when() -> None:
    ctx = context()
    ctx["oncall"].set_override.return_value = OncallOverride(
        user_id="U0COVER", starts_at=NOW, ends_at=NOW + timedelta(hours=8), created_by="U0AGENT", created_at=NOW
    )
    responded = respond()
    on_oncall_command(
        ack=ack(), command={"text": "set <@U0COVER>", "user_id": "U0AGENT"}, respond=responded, context=ctx
    )
    assert said(responded) == "<@U0COVER> さんを 11/16(月) 18:30 までオンコールに設定しました。"


def test_mistakes_are_answered_in_the_ack_and_change_nothing() -> None:
    for text, answer in [
        ("set sato", "@メンションで指定してください"),
        ("set <@U0COVER> until tomorrow", "`until 2026-12-01 10:00` のように指定"),
        ("swap", "使い方"),
    ]:
        acked, responded, oncall = run(text)
        assert answer in said(acked)
        oncall.set_override.assert_not_called()
        responded.assert_not_called()
