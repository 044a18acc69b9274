"""The index: building from entries or a knowledge folder, and what it tells about a question."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import BUNDLED_KNOWLEDGE
from knowledge.loader import parse_markdown
from knowledge.search import KnowledgeIndex
from tests.knowledge.bundled_faq import answer as _answer

DATA = Path(__file__).parent / "data"


def test_get_and_entries(index: KnowledgeIndex) -> None:
    entry = index.entries[0]
    assert index.get(entry.id) is entry
    assert index.get("no-such-entry") is None
    assert len(index.entries) == len({e.id for e in index.entries})


def test_empty_knowledge_base() -> None:
    empty = KnowledgeIndex.build([])
    result = empty.search("解約したい")
    assert result.decision == "none" and result.candidates == () and result.best is None


def test_very_long_input_is_handled(index: KnowledgeIndex) -> None:
    result = index.search("解約方法を教えてください。" + "あ" * 20_000)
    assert result.decision in ("answer", "suggest", "none")


def test_a_team_vocabulary_folder_teaches_its_own_words(tmp_path: Path) -> None:
    shutil.copy(DATA / "expense" / "faq.md", tmp_path / "faq.md")
    query = "Suicaの履歴を読み込める？"
    before = KnowledgeIndex.from_path(tmp_path).search(query)
    assert before.decision != "answer"
    (tmp_path / "vocabulary").mkdir()
    (tmp_path / "vocabulary" / "expense.tsv").write_text(
        "# 交通系ICカード\nICカード\tSuica\tPASMO\tICOCA\t交通系IC\n", encoding="utf-8"
    )
    after = KnowledgeIndex.from_path(tmp_path).search(query)
    assert after.answer is not None and after.answer.question == "交通費の申請方法は？"


def test_build_accepts_a_vocabulary_and_any_entries() -> None:
    entries = parse_markdown(
        "## 会議室\n\n### Q: 会議室の予約を取り消したい\n\n**A**: 予約一覧から取り消せます。\n\n"
        "### Q: 会議室の定員は？\n\n**A**: 部屋ごとに表示しています。\n",
        "rooms.md",
    )
    rooms = KnowledgeIndex.build(entries)
    assert _answer(rooms, "会議室の予約をキャンセルするには") == "会議室の予約を取り消したい"
    assert rooms.search("経費精算の締め日は？").decision != "answer"


def test_a_question_asked_exactly_as_written_is_answered_with_its_entry(index: KnowledgeIndex) -> None:
    for entry in index.entries:
        result = index.search(entry.question)
        assert result.best is not None and result.best.entry is entry
        assert result.decision == "answer", entry.question


def test_explain_says_which_terms_matched_which_field_and_why(index: KnowledgeIndex) -> None:
    query = "請求書を再発行してほしい"
    explained = index.explain(query)
    assert explained["terms"] and all(isinstance(t["weight"], float) for t in explained["terms"].values())
    assert explained["decision"] == index.search(query).decision and explained["why"]
    (best, *_) = explained["candidates"]
    assert best["question"] == index.search(query).candidates[0].entry.question
    assert abs(best["score"] - index.search(query).candidates[0].score) < 0.001
    assert 0.0 <= best["explained"] <= 1.0 and 0.0 <= best["phrasing"] <= 1.0 and best["ask_missing"] == 0.0
    assert best["matched"]["#請求書"] in ("question", "alternative")
    assert explained["asks"] and all(a["covered_in"] for a in best["asks"])


def test_explain_shows_an_ask_the_entry_does_not_cover(index: KnowledgeIndex) -> None:
    explained = index.explain("請求書の宛名を変更したい")
    best = explained["candidates"][0]
    assert best["question"] == "請求書の発行は可能ですか？" and best["ask_missing"] > 0.5
    assert explained["decision"] != "answer"


def test_limit_bounds_the_candidates_not_the_decision(index: KnowledgeIndex) -> None:
    query = "請求書はどこからダウンロードできますか"
    assert index.search(query, limit=0).decision == index.search(query, limit=3).decision
    assert index.search(query, limit=0).candidates == ()
    assert len(index.search(query, limit=1).candidates) == 1


def test_the_whole_knowledge_folder_indexes_every_file() -> None:
    folder = KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE)
    sources = {entry.source for entry in folder.entries}
    assert len(sources) >= 2 and folder.term_count > 0


@pytest.mark.parametrize("query", ["", "   ", "？？？", "。、！"])
def test_questions_without_words_find_nothing(index: KnowledgeIndex, query: str) -> None:
    assert index.query_terms(query) == {} and index.search(query).candidates == ()
