"""The `/case` grammar: what each line asks for, and which lines get the usage text or an error."""

from __future__ import annotations

import pytest

from bot.case_commands import CaseCommand, parse_case_command, parse_case_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("42", 42),
        ("#42", 42),
        ("＃４２", 42),
        (" 7 ", 7),
        ("#", None),
        ("42a", None),
        ("x", None),
        ("1234567890", None),
    ],
)
def test_case_numbers(text: str, number: int | None) -> None:
    assert parse_case_number(text) == number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", CaseCommand("form")),
        ("   ", CaseCommand("form")),
        ("高 ログインできない", CaseCommand("open", word="高", text="ログインできない")),
        ("high  VPN 接続が切れる ", CaseCommand("open", word="high", text="VPN 接続が切れる")),
        (
            "ｓｅｖ－Ａ　全ユーザーが　ログインできない",
            CaseCommand("open", word="ｓｅｖ－Ａ", text="全ユーザーが　ログインできない"),
        ),
        ("C: 請求書の宛名", CaseCommand("open", word="C:", text="請求書の宛名")),
        ("低", CaseCommand("open", word="低", text="")),
        ("高 全停止\n10時から\nAPI も", CaseCommand("open", word="高", text="全停止", description="10時から\nAPI も")),
        ("高\n全停止", CaseCommand("open", word="高", text="全停止")),
        # No priority word: the form opens with the text filled in (issue 9, defect 2).
        ("A customer cannot export CSV", CaseCommand("form", text="A customer cannot export CSV")),
        ("a customer cannot export CSV", CaseCommand("form", text="a customer cannot export CSV")),
        ("h ログインできない", CaseCommand("form", text="h ログインできない")),
        ("緊急 ログインできない", CaseCommand("form", text="緊急 ログインできない")),
        ("urgent ログインできない", CaseCommand("form", text="urgent ログインできない")),
        (
            "CSV が文字化けする\n顧客: サンプル社",
            CaseCommand("form", text="CSV が文字化けする", description="顧客: サンプル社"),
        ),
        # A single ASCII word is a mistyped command, not a title (issue 9): Japanese or several words are titles.
        ("hello", CaseCommand("invalid", word="hello", error="case.error.unknown_command")),
        ("lsit", CaseCommand("invalid", word="lsit", error="case.error.unknown_command")),
        ("A", CaseCommand("invalid", word="A", error="case.error.unknown_command")),
        ("hello world", CaseCommand("form", text="hello world")),
        ("文字化け", CaseCommand("form", text="文字化け")),
        ("assign 42 <@U0SATO|sato>", CaseCommand("assign", number=42, word="U0SATO")),
        ("担当 #42 U0SATO", CaseCommand("assign", number=42, word="U0SATO")),
        ("help", CaseCommand("help")),
        ("HELP", CaseCommand("help")),
        ("ヘルプ", CaseCommand("help")),
        ("list", CaseCommand("list", word="open")),
        ("list open", CaseCommand("list", word="open")),
        ("list Mine", CaseCommand("list", word="mine")),
        ("LIST all", CaseCommand("list", word="all")),
        ("一覧 すべて", CaseCommand("list", word="all")),
        ("show 42", CaseCommand("show", number=42)),
        ("show #42", CaseCommand("show", number=42)),
        ("ack ＃7", CaseCommand("ack", number=7)),
        ("priority 42 中 回避策を案内済み", CaseCommand("priority", number=42, word="中", text="回避策を案内済み")),
        ("priority #42 low", CaseCommand("priority", number=42, word="low")),
        ("escalate 3 L2", CaseCommand("escalate", number=3, word="L2")),
        ("escalate #3 l3 DB の調査が必要", CaseCommand("escalate", number=3, word="l3", text="DB の調査が必要")),
        ("resolve 5", CaseCommand("resolve", number=5)),
        ("resolve 5 設定変更で解消", CaseCommand("resolve", number=5, text="設定変更で解消")),
        ("reopen #5", CaseCommand("reopen", number=5)),
        ("reopen 5 再発しました", CaseCommand("reopen", number=5, text="再発しました")),
    ],
)
def test_commands(text: str, expected: CaseCommand) -> None:
    assert parse_case_command(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("list later", "case.usage"),
        ("show", "case.error.number"),
        ("ack abc", "case.error.number"),
        ("resolve", "case.error.number"),
        ("priority 42", "case.error.priority_missing"),
        ("escalate 42", "case.error.level_missing"),  # `/case escalate 2`: which levels there are
        ("assign 42", "case.error.assignee"),
        ("assign 42 sato", "case.error.assignee"),
        ("assign 42 <!channel>", "case.error.assignee"),
    ],
)
def test_anything_else_is_invalid_with_a_message(text: str, error: str) -> None:
    assert parse_case_command(text) == CaseCommand("invalid", error=error)
