"""Repairs: questions typed by sound, with typos or with the wrong kanji still find their words."""

from __future__ import annotations

import pytest

from knowledge.normalize import normalize_text
from knowledge.repairs import Lexicon
from knowledge.search import KnowledgeIndex
from knowledge.terms import analyzer_for
from knowledge.tokens import tokenize
from tests.knowledge.bundled_faq import API, BACKUP, DOWNGRADE, INVOICE, LOGIN, PAYMENT, SSO, TRIAL
from tests.knowledge.bundled_faq import answer as _answer


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    lexicon = Lexicon(analyzer_for(None))
    for text in ("cancel", "candel", "データのバックアップは取れますか？", "請求書の発行", "ダウングレード"):
        lexicon.learn(tokenize(normalize_text(text)))
    lexicon.freeze()
    return lexicon


def _repaired(lexicon: Lexicon, query: str) -> list[str]:
    return [t.key for t in lexicon.repair(tokenize(normalize_text(query))) if t.kind not in ("space", "func")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ぱすわーど りせっと", LOGIN),  # kana only, spaces between words
        ("しようきかん えんちょう", TRIAL),
        ("りすとあ ひよう", BACKUP),
        ("せいきゅうしょ はっこう", INVOICE),
        ("ろぐいん できない", LOGIN),
        ("ﾊﾟｽﾜｰﾄﾞ ﾘｾｯﾄ", LOGIN),  # half-width katakana
        ("ｲﾝﾎﾞｲｽ 発行", INVOICE),
        ("パスワ-ドを忘れた", LOGIN),  # a hyphen for the long vowel
        ("ダウングレド したい", DOWNGRADE),  # one letter missing
        ("バックップから戻したい", BACKUP),
        ("Pasword reset", LOGIN),
        ("invocie download", INVOICE),  # letters swapped
        ("支払い方砲を知りたい", PAYMENT),  # wrong kanji, same reading
        ("How do I reset my password?", LOGIN),  # English against Japanese entries
        ("Do you support SAML single sign-on?", SSO),
        ("Can I pay by credit card?", PAYMENT),
        ("APIの呼び出し回数の上限", API),
    ],
)
def test_spelling_variants_and_typos_are_answered(index: KnowledgeIndex, query: str, expected: str) -> None:
    assert _answer(index, query) == expected


def test_a_typo_is_fixed_when_one_known_word_is_one_edit_away(lexicon: Lexicon) -> None:
    assert lexicon.correct("バックアプ") == (("バックアップ", "noun"),)
    assert lexicon.correct("cancl") == (("キャンセル", "ascii"),)


def test_no_repair_beats_a_wrong_one(lexicon: Lexicon) -> None:
    assert lexicon.correct("canbel") is None  # one edit from cancel and from candel
    assert lexicon.correct("バク") is None  # too short to tell from other words


def test_a_word_learned_after_the_build_is_repaired_too() -> None:
    """A learned phrasing's new word joins the typo table (`freeze_more`), beside the vocabulary's table
    that every index built with this vocabulary shares."""
    lexicon = Lexicon(analyzer_for(None))
    lexicon.freeze()
    assert lexicon.correct("コンシェルジエ") is None and lexicon.correct("バックアプ") is not None
    lexicon.learn(tokenize(normalize_text("コンシェルジュに相談したい")))
    lexicon.freeze_more()
    assert lexicon.correct("コンシェルジエ") == (("コンシェルジュ", "noun"),)


def test_kana_typed_words_are_read(lexicon: Lexicon) -> None:
    assert _repaired(lexicon, "せいきゅうしょ はっこう") == ["請求書", "発行"]


def test_a_wrong_kanji_is_found_by_its_reading(lexicon: Lexicon) -> None:
    assert _repaired(lexicon, "請求所を発行")[0] == "請求書"


def test_a_lexicon_rebuilt_from_its_tables_repairs_alike(lexicon: Lexicon) -> None:
    copy = Lexicon.from_tables(lexicon.analyzer, lexicon.tables())
    for query in ("せいきゅうしょ はっこう", "請求所を発行", "バックアプ", "canbel", "ダウン グレド"):
        assert _repaired(copy, query) == _repaired(lexicon, query)
