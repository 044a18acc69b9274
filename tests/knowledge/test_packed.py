"""Packed arrays: strings and entries come back from the index cache's arrays exactly as they were."""

from __future__ import annotations

import pytest

from knowledge import BUNDLED_KNOWLEDGE
from knowledge.loader import Audience, Entry, Link, load_entries
from knowledge.packed import pack_entries, pack_keys, strings, unpack_entries, unpack_keys, unstrings


def test_strings_come_back_as_written() -> None:
    texts = ["", "請求書", "a b\nc", "", "ユーザー"]
    assert unstrings(strings(texts)) == texts
    assert unstrings(strings([])) == []


def test_a_text_holding_nul_is_refused() -> None:
    with pytest.raises(ValueError):
        strings(["a\x00b"])


def test_word_tables_keep_their_order_and_words() -> None:
    table = {"ダウングレード": (("ダウン", "noun"), ("グレード", "noun")), "請求書": (("請求書", "noun"),)}
    assert list(unpack_keys("forms", pack_keys("forms", table)).items()) == list(table.items())


def test_entries_come_back_equal() -> None:
    written = Entry(
        id="kb-1",
        question="ログインできない (パスワードを忘れた)",
        category="アカウント",
        answer="再設定してください。\n\n二段落目。",
        alternatives=("パスワード忘れた", "ログイン不可"),
        escalation="情シスへ",
        links=(Link("再設定の手順", "https://example.com/reset", "関連ドキュメント"),),
        sections=(("手順", "設定 > セキュリティ"), ("備考", "")),
        source="sub/faq.md",
        line=12,
        audience=Audience.CUSTOMER,
    )
    entries = [*load_entries(BUNDLED_KNOWLEDGE), written, Entry(id="kb-2", question="Q", category="", answer="")]
    assert unpack_entries(pack_entries(entries)) == entries
