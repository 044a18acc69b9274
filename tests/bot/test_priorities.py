"""Priority words (issue 9, defect 2): a bare letter is never a priority, so an English title is a title."""

from __future__ import annotations

import pytest

from bot.priorities import parse_priority, split_priority


@pytest.mark.parametrize(
    ("word", "priority"),
    [
        ("高", "high"),
        ("中", "medium"),
        ("低", "low"),
        ("high", "high"),
        ("HIGH", "high"),
        ("ＨＩＧＨ", "high"),
        ("Medium", "medium"),
        ("ｌｏｗ", "low"),
        (" low ", "low"),
        ("重大度A", "high"),
        ("重大度Ｂ", "medium"),
        ("重大度c", "low"),
        ("sevA", "high"),
        ("SEVB", "medium"),
        ("sev-A", "high"),
        ("Sev-C", "low"),
        ("ｓｅｖ－Ｂ", "medium"),
        ("A:", "high"),
        ("b:", "medium"),
        ("Ｃ：", "low"),
    ],
)
def test_priority_words(word: str, priority: str) -> None:
    assert parse_priority(word) == priority


@pytest.mark.parametrize(
    "word",
    [
        "A",
        "a",
        "Ａ",
        "B",
        "c",
        "h",
        "m",
        "l",
        "med",
        "緊急",
        "urgent",
        "D:",
        "sevD",
        "sev",
        "重大度",
        "A:B",
        "",
        "高速",
    ],
)
def test_bare_letters_abbreviations_and_other_words_are_not_priorities(word: str) -> None:
    assert parse_priority(word) is None


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("高 全ユーザーがログインできない", ("高", "全ユーザーがログインできない")),
        ("high　VPN 接続が切れる", ("high", "VPN 接続が切れる")),
        ("sev-A API returns 500", ("sev-A", "API returns 500")),
        ("A: API returns 500", ("A:", "API returns 500")),
        ("低", ("低", "")),
        ("高\n件名\n詳細", ("高", "件名\n詳細")),
        ("A customer cannot export CSV", (None, "A customer cannot export CSV")),
        ("B2B SSO fails", (None, "B2B SSO fails")),
        ("c'est cassé", (None, "c'est cassé")),
        ("高速化の要望", (None, "高速化の要望")),
        ("A:全停止", (None, "A:全停止")),  # the word must stand alone
        ("  ", (None, "")),
    ],
)
def test_a_leading_priority_is_split_from_the_text(text: str, split: tuple[str | None, str]) -> None:
    assert split_priority(text) == split
