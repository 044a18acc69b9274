"""Scoring: coverage of an entry's phrasing and of the question, weighted by rarity."""

from __future__ import annotations

import pytest

from knowledge.loader import Entry
from knowledge.scoring import Scorer, Terms, idf

QUESTIONS = ["解約方法は？", "請求書の発行は？", "請求書の送付先は？"]
PHRASINGS: list[list[Terms]] = [[{"#解約": 1.0}], [{"#請求書": 1.0, "#発行": 1.0}], [{"#請求書": 1.0, "送付先": 1.0}]]


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    entries = [Entry(f"e{i}", question, "C", "A") for i, question in enumerate(QUESTIONS)]
    questions = [dict(phrasings[0]) for phrasings in PHRASINGS]
    fields = [dict(terms) for terms in questions]
    return Scorer(entries, PHRASINGS, questions, fields)


def test_idf_is_positive_and_highest_for_the_rarest_terms() -> None:
    assert idf(100, 1) > idf(100, 10) > idf(100, 100) > 0.0


def test_a_question_asked_as_written_scores_one(scorer: Scorer) -> None:
    (best,) = scorer.rank({"#解約": 1.0}, "解約方法は？", keep=1)
    assert best.index == 0 and best.score == 1.0 and best.phrasing == best.question == 1.0


def test_the_entry_covering_more_of_the_question_ranks_first(scorer: Scorer) -> None:
    best, runner_up = scorer.rank({"#請求書": 1.0, "#発行": 1.0}, "請求書を発行したい", keep=2)
    assert (best.index, runner_up.index) == (1, 2) and best.score > runner_up.score


def test_words_no_entry_holds_lower_the_score(scorer: Scorer) -> None:
    plain = scorer.rank({"#解約": 1.0}, "解約したい", keep=1)[0].score
    with_context = scorer.rank({"#解約": 1.0, "稟議": 1.0}, "解約したい", keep=1)[0].score
    with_unknown_topic = scorer.rank({"#解約": 1.0, "#稟議": 1.0}, "解約したい", keep=1)[0].score
    assert plain > with_context > with_unknown_topic


def test_nothing_known_ranks_nothing(scorer: Scorer) -> None:
    assert scorer.rank({"稟議": 1.0}, "稟議", keep=3) == []
    assert scorer.rank({"#解約": 1.0}, "解約", keep=0) == []
