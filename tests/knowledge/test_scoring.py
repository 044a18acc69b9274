"""Scoring: shares that mean the same on any knowledge base."""

from __future__ import annotations

import pytest

from knowledge.loader import parse_markdown
from knowledge.scoring import idf
from knowledge.search import KnowledgeIndex

KB = """### Q: 会議室の予約を取り消したい

**A**: 予約一覧から取り消せます。

### Q: 会議室の定員は？

**A**: 部屋ごとに表示しています。プロジェクターは大会議室にあります。
"""


@pytest.fixture(scope="module")
def rooms() -> KnowledgeIndex:
    return KnowledgeIndex.build(parse_markdown(KB, "rooms.md"))


def test_idf_is_positive_and_highest_for_the_rarest_terms() -> None:
    assert idf(100, 1) > idf(100, 10) > idf(100, 100) > 0.0


def test_a_question_asked_as_written_covers_its_entry_whole(rooms: KnowledgeIndex) -> None:
    best = rooms.explain("会議室の予約を取り消したい")["candidates"][0]
    assert best["explained"] == best["phrasing"] == best["wording"] == 1.0 and best["score"] == 1.0


def test_words_found_only_in_the_answer_still_find_the_entry(rooms: KnowledgeIndex) -> None:
    result = rooms.search("プロジェクターがある部屋は？")
    assert result.best is not None and result.best.entry.question == "会議室の定員は？"
    best = rooms.explain("プロジェクターがある部屋は？")["candidates"][0]
    assert set(best["matched"].values()) == {"answer"} and best["phrasing"] < best["explained"] < 1.0


def test_words_no_entry_holds_lower_every_score(rooms: KnowledgeIndex) -> None:
    plain = rooms.search("会議室の予約を取り消したい").candidates[0].score
    with_context = rooms.search("来週の会議室の予約を取り消したい").candidates[0].score
    assert with_context < plain


def test_nothing_known_ranks_nothing(rooms: KnowledgeIndex) -> None:
    assert rooms.search("稟議").candidates == ()
    assert rooms.search("会議室", limit=0).candidates == ()


def test_background_words_dilute_a_long_question_less(rooms: KnowledgeIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    long = "来週の部長会議で使う予定で、先週から準備しているのですが、会議室の予約を取り消したいです。"
    focused = rooms.search(long).candidates[0]
    monkeypatch.setattr("knowledge.scoring.ASK_FOCUS", 0.0)  # the whole message counts alike
    diluted = rooms.search(long).candidates[0]
    assert focused.entry.question == diluted.entry.question == "会議室の予約を取り消したい"
    assert focused.score > diluted.score
