"""Counting outcomes on labelled questions (`knowledge.evaluation`), as `faq check` and the
benchmarks do: each question lands in exactly one outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from knowledge.evaluation import Labelled, evaluate, read_labelled, same, unknown_headings
from knowledge.loader import Entry
from knowledge.search import Candidate, KnowledgeIndex, SearchResult

ENTRIES = [
    Entry("e1", "請求書の発行方法は？", "請求", "請求 メニューから PDF の請求書をダウンロードできます。"),
    Entry("e2", "解約の手続きは？", "契約", "解約 はプラン設定から申し込めます。"),
    Entry("e3", "支払い方法は？", "請求", "クレジットカードと銀行振込に対応しています。"),
]


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return KnowledgeIndex.build(ENTRIES)


def test_every_outcome_is_counted_once(index: KnowledgeIndex) -> None:
    questions = [
        Labelled("請求書の発行方法は？", "請求書の発行方法は？"),  # answered right
        Labelled("解約の手続きは？", "支払い方法は？"),  # answered, with another entry: wrong
        Labelled("まったく関係のない話題", "解約の手続きは？"),  # nothing shown
        Labelled("解約の手続きは？", None, kind="near_miss"),  # out of scope, yet answered
        Labelled("今日の天気", None),  # out of scope, rightly not answered
    ]
    missed: list[tuple[int, str]] = []
    report = evaluate(index, questions, 0.35, 0.10, on_miss=lambda q, _, miss: missed.append((q.line, miss)))
    assert (report["in_scope"], report["out_of_scope"], report["near_miss"]) == (3, 2, 1)
    assert (report["top1"], report["wrong"], report["shown"], report["silent"]) == (0.3333, 0.3333, 0.3333, 0.3333)
    assert (report["oos_answered"], report["near_miss_answered"], report["oos_silent"]) == (0.5, 1.0, 0.5)
    assert [miss for _, miss in missed] == ["WRONG ANSWER", "NOT SHOWN (none)", "ANSWERED OUT-OF-SCOPE (near miss)"]
    assert report["losses"] == {"first_suggested": 0, "suggested_lower": 0, "wrong": 1, "not_shown": 1}
    assert "losses_by_style" not in report  # no question says its style


class Suggesting:
    """Shows もしかして: 解約 first, then 支払い, then 請求書 (below the suggest threshold) (a stub)."""

    def search(self, text: str, **settings: Any) -> SearchResult:
        ranked = (Candidate(ENTRIES[1], 0.5), Candidate(ENTRIES[2], 0.3), Candidate(ENTRIES[0], 0.05))
        return SearchResult(text, "suggest", ranked, suggest_threshold=settings["suggest_threshold"])


def test_each_question_not_answered_right_is_counted_where_it_went() -> None:
    """`losses`: the right entry first among もしかして, lower among them, not shown (請求書 scores under
    the suggest threshold); answered right and out-of-scope questions are no loss; by style when the
    questions say theirs, most lost first."""
    questions = [
        Labelled("やめたい", "解約の手続きは？", style="enduser"),
        Labelled("はらいかた", "支払い方法は？", style="hiragana"),
        Labelled("せいきゅうしょ", "請求書の発行方法は？", style="hiragana"),
        Labelled("今日の天気", None, style="casual"),
    ]
    report = evaluate(cast(KnowledgeIndex, Suggesting()), questions, 0.35, 0.10)
    assert report["losses"] == {"first_suggested": 1, "suggested_lower": 1, "wrong": 0, "not_shown": 1}
    assert report["losses_by_style"] == {"hiragana": 2, "enduser": 1}
    assert list(report["losses_by_style"]) == ["hiragana", "enduser"]


class UnsureJudge:
    """Answers every question with 解約 at probability 0.8, 支払い next, 請求書 last and below the
    suggest threshold (a stub of the judge)."""

    def search(self, text: str, **settings: Any) -> SearchResult:
        ranked = (Candidate(ENTRIES[1], 0.5), Candidate(ENTRIES[2], 0.3), Candidate(ENTRIES[0], 0.05))
        return SearchResult(text, "answer", ranked, confidence=0.8, offer_others_below=settings["offer_others_below"])


def test_a_wrong_answer_offering_the_right_entry_under_it_is_wrong_and_shown() -> None:
    questions = [Labelled("支払いの手段", "支払い方法は？"), Labelled("請求書がほしい", "請求書の発行方法は？")]
    missed: list[str] = []
    judge = cast(KnowledgeIndex, UnsureJudge())
    report = evaluate(judge, questions, 0.35, 0.10, on_miss=lambda q, _, miss: missed.append(miss))
    assert (report["top1"], report["wrong"], report["shown"]) == (
        0.0,
        1.0,
        0.5,
    )  # 請求書 scores too little to be offered
    assert report["others_offered"] == 1.0  # every answer, being unsure
    assert missed == ["WRONG ANSWER (the right one offered under it)", "WRONG ANSWER"]
    before = evaluate(judge, questions, 0.35, 0.10, offer_others_below=0.0)  # as before round 18
    assert (before["shown"], before["others_offered"]) == (0.0, 0.0)


def test_no_questions_of_a_kind_gives_no_rate(index: KnowledgeIndex) -> None:
    report = evaluate(index, [Labelled("今日の天気", None)], 0.35, 0.10)
    assert report["top1"] is None and report["oos_answered"] == 0.0


def test_headings_are_compared_as_written_but_for_width(index: KnowledgeIndex) -> None:
    assert same("ＳＳＯの設定 ", "SSOの設定")
    questions = [Labelled("請求書", "請求書の発行方法は？ "), Labelled("請求書", "請求書の発行方法", line=7)]
    assert [q.line for q in unknown_headings(index, questions)] == [7]


def test_questions_are_read_from_json_lines_or_a_spreadsheets_tsv(tmp_path: Path) -> None:
    jsonl = tmp_path / "q.jsonl"
    jsonl.write_text(
        '\ufeff{"q": "解約したい", "expected": "解約の手続きは？", "style": "casual"}\n\n'
        '# a comment\n{"q": "宛名を変えたい", "expected": null, "kind": "near_miss"}\n',
        encoding="utf-8",
    )
    assert read_labelled(jsonl) == [
        Labelled("解約したい", "解約の手続きは？", None, "casual", 1),
        Labelled("宛名を変えたい", None, "near_miss", None, 4),
    ]
    tsv = tmp_path / "q.tsv"
    tsv.write_text('question\theading\n解約したい\t解約の手続きは？\tnote\n"今日の天気"\t\n', encoding="utf-8")
    assert [(q.text, q.expected, q.line) for q in read_labelled(tsv)] == [
        ("解約したい", "解約の手続きは？", 2),
        ('"今日の天気"', None, 3),  # a TSV is not quoted: what is written is the question
    ]
    table = tmp_path / "q.csv"
    table.write_text('質問,見出し\n"解約したい、至急\nお願いします",解約の手続きは？\n今日の天気\n', encoding="utf-8")
    assert [(q.text, q.expected, q.line) for q in read_labelled(table)] == [
        ("解約したい、至急\nお願いします", "解約の手続きは？", 3),  # a quoted cell may hold a line break
        ("今日の天気", None, 4),
    ]


@pytest.mark.parametrize(
    ("line", "message"), [("{not json", "not JSON"), ('{"expected": null}', 'a row needs "q"'), ("[1]", 'needs "q"')]
)
def test_a_bad_row_is_named_by_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"q": "解約したい", "expected": null}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"q.jsonl:2: .*{message}"):
        read_labelled(path)
