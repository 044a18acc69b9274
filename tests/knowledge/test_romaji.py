"""Romaji left over from an input method, read back as kana."""

from __future__ import annotations

import pytest

from knowledge.romaji import convert_leftover_romaji, kana_of


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("できまsuか", "できますか"),
        ("おわらnai", "おわらない"),
        ("だけdo", "だけど"),
        ("できまsん", "できまん"),  # a consonant that makes no syllable is dropped
        ("なりまsita。", "なりました。"),
        ("きってをかってkitte", "きってをかってきって"),
    ],
)
def test_letters_typed_after_hiragana_are_read_as_romaji(typed: str, meant: str) -> None:
    assert convert_leftover_romaji(typed) == meant


def test_words_are_left_alone() -> None:
    assert convert_leftover_romaji("Slackでしたい") == "Slackでしたい"  # capitalised
    assert convert_leftover_romaji("api連携") == "api連携"  # not after hiragana
    assert convert_leftover_romaji("このapiは", lambda word: word == "api") == "このapiは"  # a known word


def test_syllables() -> None:
    assert kana_of("shachou") == "しゃちょう" and kana_of("kitte") == "きって" and kana_of("tsukau") == "つかう"
