"""Search results: what the bot may answer with and what it may suggest, decided once."""

from __future__ import annotations

from knowledge.loader import Entry
from knowledge.results import Candidate, SearchResult


def _candidates(*scores: float) -> tuple[Candidate, ...]:
    return tuple(Candidate(Entry(f"e{i}", f"Q{i}", "C", "A"), score) for i, score in enumerate(scores))


def test_only_an_answer_decision_answers() -> None:
    candidates = _candidates(0.9, 0.5)
    assert SearchResult("q", "answer", candidates).answer is candidates[0].entry
    assert SearchResult("q", "suggest", candidates).answer is None
    assert SearchResult("q", "none", candidates).answer is None


def test_suggestions_are_the_candidates_at_or_above_the_suggest_threshold() -> None:
    candidates = _candidates(0.45, 0.40, 0.39)
    result = SearchResult("q", "suggest", candidates, suggest_threshold=0.40)
    assert result.suggestions == (candidates[0].entry, candidates[1].entry)
    assert SearchResult("q", "answer", candidates).suggestions == ()


def test_an_empty_result_has_no_best() -> None:
    empty = SearchResult("q", "none", ())
    assert empty.best is None and empty.answer is None and empty.suggestions == ()


def test_an_unsure_answer_offers_the_next_candidates_a_sure_one_and_a_suggestion_do_not() -> None:
    candidates = _candidates(0.9, 0.5, 0.4, 0.05, 0.6)
    unsure = SearchResult("q", "answer", candidates, confidence=0.75, offer_others_below=0.85)
    assert unsure.others == (candidates[1].entry, candidates[2].entry)  # at most two, after the answer
    assert SearchResult("q", "answer", candidates, confidence=0.85, offer_others_below=0.85).others == ()
    assert SearchResult("q", "answer", candidates, confidence=0.75).others == ()  # 0: never
    assert SearchResult("q", "answer", candidates, offer_others_below=0.85).others == ()  # no judge, no doubt
    assert SearchResult("q", "suggest", candidates, confidence=0.4, offer_others_below=0.85).others == ()
    weak = _candidates(0.9, 0.05, 0.4, 0.35)  # under 0.4 of the answer's score (0.36): not offered
    assert SearchResult("q", "answer", weak, confidence=0.75, offer_others_below=0.85).others == (weak[2].entry,)
    low = _candidates(0.2, 0.12, 0.05)  # a low answer: the suggest threshold is the floor
    assert SearchResult("q", "answer", low, confidence=0.75, offer_others_below=0.85).others == (low[1].entry,)
