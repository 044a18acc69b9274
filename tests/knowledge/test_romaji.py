"""Romaji left over from an input method, and whole messages typed in romaji, read back as kana."""

from __future__ import annotations

import pytest

from knowledge.loader import Entry
from knowledge.romaji import convert_leftover_romaji, convert_romaji_words, is_romaji_message, kana_of, romaji_message
from knowledge.search import KnowledgeIndex


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


def test_more_syllables_people_type() -> None:
    assert kana_of("me-ru") == "めーる"  # "-" for ー
    assert (
        kana_of("kenngen") == "けんげん" and kana_of("konnichiwa") == "こんにちわ"
    )  # ん typed twice, or before a vowel
    assert kana_of("syain") == "しゃいん" and kana_of("tyousei") == "ちょうせい" and kana_of("zyunban") == "じゅんばん"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("yu-za- tsuika sitai", "ゆーざー ついか したい"),
        ("kenngen no henkou houhou", "けんげん の へんこう ほうほう"),
        ("Seikyuusyo no daunro-do basyo", "せいきゅうしょ の だうんろーど ばしょ"),  # a capital to start with
        ("kyuujin wo hikoukai ni sitai desu, どこで", "きゅうじん を ひこうかい に したい です, どこで"),
    ],
)
def test_a_message_typed_in_romaji_is_read_as_kana(typed: str, meant: str) -> None:
    assert romaji_message(typed) == meant and is_romaji_message(typed)


@pytest.mark.parametrize(
    "text",
    [
        "The same candidate shows up twice. Can I merge the two records?",
        "do you have an api",  # short English words read as romaji, but are not counted
        "How do I add a user?",
        "API rate limit?",
        "login error 500",
        "sakujo",  # one word is not a message
        "パスワード reset",
    ],
)
def test_english_and_keywords_are_not_romaji(text: str) -> None:
    assert romaji_message(text) == text and not is_romaji_message(text)


def test_the_knowledge_bases_own_latin_words_stay() -> None:
    assert romaji_message("csv no daunro-do houhou", lambda word: word == "csv") == "csv の だうんろーど ほうほう"
    assert romaji_message("CSV no daunro-do houhou") == "CSV の だうんろーど ほうほう"  # capitals: an acronym


def index_of(*entries: tuple[str, str, str]) -> KnowledgeIndex:
    """An index of entries given as (question, category, answer), with ids e1, e2 …"""
    return KnowledgeIndex.build([Entry(f"e{at}", *entry) for at, entry in enumerate(entries, start=1)])


def test_a_question_typed_in_romaji_finds_its_entry() -> None:
    index = index_of(
        ("ユーザーの追加方法", "アカウント", "設定 > ユーザー管理 の「招待」からメールアドレスを入力します。"),
        ("請求書のダウンロード", "請求", "請求 > 請求書一覧 から PDF をダウンロードできます。"),
    )
    assert index.search("yu-za- wo tsuika sitai desu").best.entry.id == "e1"  # type: ignore[union-attr]
    found = index.search("seikyuusyo no daunro-do houhou")
    assert found.decision == "answer" and found.best.entry.id == "e2"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("いちにちの りふとけん nedan いくら？", "いちにちの りふとけん ねだん いくら？"),
        ("ゆきのじょうたい dokode みれる?", "ゆきのじょうたい どこで みれる?"),
        ("pasuwa-do忘れてろぐいんできなくなりました", "ぱすわーど忘れてろぐいんできなくなりました"),
        ("`/case` の nedan いくら", "`/case` の ねだん いくら"),  # after the code, not in it
        (
            "カード以外のお支払い種段ってありますか？furikomi でもいけます？",
            "カード以外のお支払い種段ってありますか？ふりこみ でもいけます？",
        ),
    ],
)
def test_romaji_words_in_a_japanese_message_are_read_as_kana(typed: str, meant: str) -> None:
    """The input method off for a word or two, the rest of the message in Japanese."""
    assert convert_romaji_words(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "CSVでexportしたい",  # no romaji: ex…
        "loginできない",
        "APIのrate制限",  # rate reads as romaji, but the knowledge base knows it (below)
        "Notionと連携したい",  # capitalised: a name
        "@here 本日のリリースは完了しました",  # a mention
        "`/case reopen` は解決後何日まで使えますか？",  # a command
        "通知メールの送信元（info@〜）を変えたい",  # an address
        "「test123.misenowa.site」になってて恥ずかしい",  # a domain
        "sakujo sitai",  # no Japanese: `romaji_message` decides
        "no wo ga",  # short words: particles or English
    ],
)
def test_other_latin_words_in_a_japanese_message_stay(text: str) -> None:
    assert convert_romaji_words(text, lambda word: word == "rate") == text


def test_a_japanese_question_with_a_romaji_word_finds_its_entry() -> None:
    index = index_of(
        ("料金はいくらですか？", "料金", "1日券は大人6,000円、子ども3,000円です。値段は季節で変わりません。"),
        ("営業時間を教えてください", "営業", "8時30分から16時30分まで営業しています。"),
    )
    found = index.explain("いちにちの nedan おしえて", limit=2)
    assert "ねだん" in (found["read_as"] or "") or "値段" in found["terms"]
    assert index.search("いちにちの nedan おしえて").best.entry.id == "e1"  # type: ignore[union-attr]


def test_english_words_in_a_japanese_question_stay_english() -> None:
    """demo, menu and site read as romaji, but Sudachi's dictionary holds them: English, not でも."""
    index = index_of(("デモの申し込み方法", "営業", "サイトのフォームから申し込めます。メニューの「デモ」を選びます。"))
    for question in ("demoを申し込みたい", "menuが見つからない", "siteのURLを変えたい"):
        assert "read_as" not in index.explain(question, limit=1), question
