"""The teaching diagnostic (`benchmarks/faq_teaching.py`) counts each question's move where its docstring says."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faq_teaching  # noqa: E402
from faq_teaching import Seen  # noqa: E402

from knowledge import BUNDLED_KNOWLEDGE  # noqa: E402
from knowledge.search import KnowledgeIndex  # noqa: E402

ROWS = [
    {"q": "請求書は？", "expected": "請求書の発行"},  # right both times
    {"q": "解約したい", "expected": "解約方法"},  # right only after teaching
    {"q": "パスワード忘れた", "expected": "パスワード再設定"},  # right before; after, unsure with it first
    {"q": "SSOは？", "expected": "SSO設定"},  # right before; after, answered wrong
    {"q": "宛名を変えたい", "expected": None, "kind": "near_miss"},  # answered only after teaching
    {"q": "天気は？", "expected": None, "kind": "out_of_scope"},  # answered only before teaching
]
BEFORE = [
    Seen("請求書の発行", "請求書の発行"),
    Seen(None, "解約方法"),
    Seen("パスワード再設定", "パスワード再設定"),
    Seen("SSO設定", "SSO設定"),
    Seen(None, "請求書の発行"),
    Seen("解約方法", "解約方法"),
]
AFTER = [
    Seen("請求書の発行", "請求書の発行"),
    Seen("解約方法", "解約方法"),
    Seen(None, "パスワード再設定"),
    Seen("請求書の発行", "請求書の発行"),
    Seen("請求書の発行", "請求書の発行"),
    Seen(None, "請求書の発行"),
]


def test_each_question_moves_one_way() -> None:
    moved = faq_teaching.moves(ROWS, BEFORE, AFTER)
    assert moved == {
        "kept": 1,
        "gained": 1,
        "lost_kept_first": 1,
        "lost_other": 1,
        "oos_newly_answered": 1,
        "oos_newly_silent": 1,
    }


def test_keeping_the_earlier_answer_only_where_its_entry_is_still_first() -> None:
    kept = [faq_teaching.keep_earlier(was, now) for was, now in zip(BEFORE, AFTER, strict=True)]
    # the unsure password question gets its earlier answer back; the out-of-scope one does not
    # (after teaching another entry is first), and a later answer always wins
    assert kept == ["請求書の発行", "解約方法", "パスワード再設定", "請求書の発行", "請求書の発行", None]
    counted = faq_teaching.tally(ROWS, kept)
    assert faq_teaching.figures("keep_earlier", counted) == {
        "rule": "keep_earlier",
        "in_scope": 4,
        "out_of_scope": 2,
        "top1": 0.75,
        "wrong": 0.25,
        "oos_answered": 0.5,
    }


def test_headings_compare_as_the_benchmark_compares_them() -> None:
    assert faq_teaching.same("ＳＳＯ設定 ", "SSO設定")  # NFKC, trimmed
    assert not faq_teaching.same(None, None)


def test_a_search_is_seen_as_the_bot_answers_it() -> None:
    """`searched` keeps what the benchmark counts: the answer, and the first candidate when unsure."""
    index = KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE)
    rows = [{"q": "解約方法は？", "expected": "解約方法は？"}, {"q": "今日の天気は？", "expected": None}]
    answered, unrelated = faq_teaching.searched(index, rows)
    assert answered == Seen("解約方法は？", "解約方法は？")
    assert unrelated.answer is None


def test_the_evidence_change_is_summed_per_move_where_the_judge_weighed_the_expected_entry() -> None:
    width = len(faq_teaching.FEATURES)
    low, high = tuple([0.0] * width), tuple([1.0] * width)
    before = [
        Seen("解約方法", "解約方法", "解約方法", high),
        Seen(None, "請求書", "請求書", low),
        Seen(None, "SSO", "API", low),
    ]
    after = [
        Seen(None, "解約方法", "解約方法", low),
        Seen("請求書", "請求書", "請求書", high),
        Seen(None, "SSO", "SSO", high),
    ]
    rows = [{"q": "a", "expected": "解約方法"}, {"q": "b", "expected": "請求書"}, {"q": "c", "expected": "SSO"}]
    changes: dict[str, faq_teaching.Change] = {}
    faq_teaching.evidence_change(rows, before, after, changes)
    # the third question did not move (wrong both times), and its judge weighed another entry before
    assert {move: (c.questions, c.total) for move, c in changes.items()} == {
        "lost_kept_first": (1, [-1.0] * width),
        "gained": (1, [1.0] * width),
    }
    faq_teaching.evidence_change(rows[:1], before[:1], after[:1], changes)  # a second set adds to the first
    assert changes["lost_kept_first"].questions == 2
    assert changes["lost_kept_first"].mean() == dict.fromkeys(faq_teaching.FEATURES, -1.0)
