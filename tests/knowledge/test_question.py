"""The text the embeddings read (`knowledge.question`): a message typed without kanji as converted,
the nouns the repairs found in what was typed in kana, written as those words; anything else as typed."""

from __future__ import annotations

import pytest

from knowledge import BUNDLED_KNOWLEDGE
from knowledge import dense as dense_module
from knowledge.dense import DenseUse
from knowledge.normalize import normalize_text
from knowledge.question import read_as
from knowledge.search import KnowledgeIndex
from knowledge.tokens import Token
from tests.knowledge.test_dense import ENTRIES, FakeModel


@pytest.fixture(scope="module")
def bundled() -> KnowledgeIndex:
    return KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE)


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("ぱすわーど りせっと", "パスワードリセット"),  # no kanji: converted as an input method would
        ("ろぐいんできnai", "ログインできない"),  # converted, then the romaji left in read as kana
        ("ぱすわーどを忘れた", "パスワードを忘れた"),  # kanji typed: a kana noun found by its reading
        ("ﾊﾟｽﾜｰﾄﾞを忘れた", "パスワードを忘れた"),  # half-width katakana: NFKC
        ("How do I reset my Password?", "How do I reset my Password?"),  # nothing repaired: as typed, case kept
        ("請求書の宛名を変更したい", "請求書の宛名を変更したい"),
    ],
)
def test_the_embeddings_read_the_repaired_words(bundled: KnowledgeIndex, question: str, read: str) -> None:
    assert bundled.query(question).embedded == read


def test_only_nouns_found_in_kana_replace_what_was_typed() -> None:
    """A span typed in kana read as a noun and the words after it (ログイン出来ない, keys written with
    hiragana okurigana) replaces what was typed; grammar read as a word (どのように), a verb on its
    own, a repair of kanji keep what was typed."""
    typed = "ろぐいんできない どのように はいれません ご請求書"
    normalized = normalize_text(typed)
    tokens = [
        Token("ログイン", "ログイン", "", "noun", 0, 8),
        Token("出来", "出来", "", "verb", 0, 8),
        Token("ない", "ない", "", "neg", 0, 8),
        Token("ドノヨウ", "ドノヨウ", "", "other", 9, 14),
        Token("入レ", "入レ", "", "verb", 15, 21),
        Token("ご", "ご", "", "affix", 22, 23),
        Token("請求", "請求", "", "noun", 23, 26),  # a repair of a word typed in kanji: kept
    ]
    assert read_as(typed, normalized, tokens) == "ログイン出来ない どのように はいれません ご請求書"
    assert read_as(typed, normalized, tokens[3:]) == typed  # nothing replaced: as typed


def test_the_search_asks_the_embeddings_about_the_repaired_question(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    class Recording(FakeModel):
        def query(self, text: str):  # type: ignore[no-untyped-def]
            asked.append(text)
            return super().query(text)

    monkeypatch.setattr(dense_module, "load_model", Recording)
    index = KnowledgeIndex.build(ENTRIES, dense=DenseUse.JUDGE)
    assert index.wait_dense(5)
    index.search("せいきゅうしょ の はっこう")
    assert asked and all("請求書" in text and "発行" in text for text in asked)
    explained = index.explain("せいきゅうしょ の はっこう")
    assert explained["read_as"] == asked[-1] and explained["query"] == "せいきゅうしょ の はっこう"
    assert "read_as" not in index.explain("請求書の発行")  # read as typed: nothing to show


def test_the_judge_still_reads_what_was_typed(bundled: KnowledgeIndex) -> None:
    """The conversion is the search's: the learned judge's evidence (its share of hiragana) reads the
    message as typed, as its trees were fitted."""
    query = bundled.query("でんわばんごうが かわった")
    assert query.text == "でんわばんごうが かわった" and query.embedded == "電話番号が変わった"
