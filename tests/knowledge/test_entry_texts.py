"""Which texts of an entry are searched, as fields: phrasings to be covered, the rest to explain."""

from __future__ import annotations

from knowledge.entry_texts import FIELD_STRENGTH, field_texts, phrasings_of, split_brackets
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


def test_learned_phrasings_are_phrasings_too() -> None:
    entry = _entry(question="解約方法は？", alternatives=("やめたい",))
    assert phrasings_of(entry, ["退会したい"]) == ["解約方法は？", "やめたい", "退会したい"]


def test_every_text_of_an_entry_is_a_field_answers_cut_into_sentences() -> None:
    entry = _entry(
        answer="設定画面から変更できます。反映に5分かかります！\nご注意ください",
        category="アカウント",
        sections=(("手順", "1. 開く\n2. 保存する"),),
        links=(Link("ヘルプ: パスワード", "https://example.com"),),
        escalation="CS Lead",
    )
    assert field_texts(entry) == [
        ("question", "Q"),
        ("answer", "設定画面から変更できます。"),
        ("answer", "反映に5分かかります！"),
        ("answer", "ご注意ください"),
        ("section", "1. 開く"),
        ("section", "2. 保存する"),
        ("section", "ヘルプ: パスワード"),
        ("category", "アカウント"),
        ("escalation", "CS Lead"),
    ]


def test_written_phrasings_count_fully_learned_ones_and_other_fields_less() -> None:
    assert FIELD_STRENGTH["question"] == FIELD_STRENGTH["alternative"] == 1.0 > FIELD_STRENGTH["learned"]
    assert 1.0 > FIELD_STRENGTH["answer"] > FIELD_STRENGTH["section"] > FIELD_STRENGTH["escalation"] > 0.0


def test_phrasings_are_the_phrasing_fields_of_field_texts() -> None:
    from knowledge import BUNDLED_KNOWLEDGE
    from knowledge.entry_texts import PHRASING_FIELDS, field_texts, phrasings_of
    from knowledge.loader import load_entries

    for entry in load_entries(BUNDLED_KNOWLEDGE):
        learned = ("ログインできない", "パスワード忘れた")
        expected = [text for name, text in field_texts(entry, learned) if name in PHRASING_FIELDS]
        assert phrasings_of(entry, learned) == expected
