"""Which texts of an entry are indexed: phrasings to be covered, answer sentences that explain."""

from __future__ import annotations

from knowledge.entry_texts import answer_sentences, phrasings_of, split_brackets
from knowledge.loader import Entry, Link


def _entry(**fields: object) -> Entry:
    values: dict[str, object] = {"id": "x", "question": "Q", "category": "C", "answer": "A"}
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


def test_brackets_split_a_question_into_its_parts() -> None:
    assert split_brackets("ログインできない (パスワードを忘れた)") == ("ログインできない", ["パスワードを忘れた"])
    assert split_brackets("請求書（PDF）を再発行") == ("請求書を再発行", ["PDF"])
    assert split_brackets("外 (中 (奥) 中) 外") == ("外  外", ["中 奥 中"])  # nested: one part, brackets dropped
    assert split_brackets("閉じない (括弧") == ("閉じない", ["括弧"])


def test_phrasings_are_the_question_its_parts_and_the_alternatives() -> None:
    entry = _entry(question="ログインできない (パスワードを忘れた)", alternatives=("サインインできない",))
    assert phrasings_of(entry) == [
        "ログインできない (パスワードを忘れた)",
        "ログインできない",
        "パスワードを忘れた",
        "サインインできない",
    ]
    assert phrasings_of(_entry(question="解約方法は？")) == ["解約方法は？"]


def test_answers_are_cut_into_sentences_with_the_other_explaining_texts() -> None:
    entry = _entry(
        answer="設定画面から変更できます。反映に5分かかります！\nご注意ください",
        category="アカウント",
        sections=(("手順", "1. 開く\n2. 保存する"),),
        links=(Link("ヘルプ: パスワード", "https://example.com"),),
    )
    assert answer_sentences(entry) == [
        "設定画面から変更できます。",
        "反映に5分かかります！",
        "ご注意ください",
        "アカウント",
        "1. 開く",
        "2. 保存する",
        "ヘルプ: パスワード",
    ]
