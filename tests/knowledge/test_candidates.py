"""Candidates: the bitset search chooses exactly the entries an entry-by-entry walk chooses."""

from __future__ import annotations

import heapq
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import knowledge.candidates as candidates
from knowledge.candidates import MAX_EXACT, Postings, Terms, Weighted

WEIGHTS = (1.0, 0.7, 0.6, 0.5, 0.35, 0.3)  # the weights terms really get: many ties


def _walked(postings: Postings, terms: Weighted, meeting: int) -> list[int]:
    """The choice as the matcher first made it: every posting walked, then the most held."""
    covered: dict[int, float] = {}
    for position, (term, weight, idf) in enumerate(terms):
        entries = postings._postings.get(term, {})
        cap = weight * idf
        for index, value in entries.items():
            if position < meeting:
                covered[index] = covered.get(index, 0.0) + (value if value <= cap else cap)
            elif index in covered:
                covered[index] += value if value <= cap else cap
    return heapq.nlargest(MAX_EXACT, covered, key=covered.__getitem__)


def _knowledge_base(rng: random.Random, entries: int, vocabulary: int) -> tuple[list[Terms], dict[str, float]]:
    words = [f"w{i}" for i in range(vocabulary)]
    popularity = [1.0 / (rank + 1) for rank in range(vocabulary)]
    questions = []
    for _ in range(entries):
        chosen = set(rng.choices(words, weights=popularity, k=rng.randint(1, 8)))
        questions.append({word: rng.choice(WEIGHTS) for word in chosen})
    frequency: dict[str, int] = {}
    for terms in questions:
        for term in terms:
            frequency[term] = frequency.get(term, 0) + 1
    idf = {term: math.log(1.0 + (entries - n + 0.5) / (n + 0.5)) for term, n in frequency.items()}
    return questions, idf


def _query(rng: random.Random, idf: dict[str, float], size: int) -> Weighted:
    chosen = rng.sample(sorted(idf), k=min(size, len(idf)))
    weighted = [(term, rng.choice(WEIGHTS), idf[term]) for term in chosen]
    return sorted(weighted, key=lambda w: -w[1] * w[2])


@pytest.fixture(scope="module")
def large() -> tuple[Postings, dict[str, float]]:
    questions, idf = _knowledge_base(random.Random(7), entries=3000, vocabulary=80)
    return Postings(questions, idf), idf


def test_the_search_chooses_as_the_walk_does(large: tuple[Postings, dict[str, float]]) -> None:
    postings, idf = large
    rng = random.Random(11)
    for _ in range(300):
        terms = _query(rng, idf, rng.randint(1, 14))
        meeting = rng.randint(1, len(terms))
        chosen = postings.most_held(terms, meeting)
        assert sorted(chosen) == sorted(_walked(postings, terms, meeting))
        assert sorted(postings._walk(terms, meeting)) == sorted(chosen)


def test_a_search_over_budget_falls_back_to_the_walk(
    large: tuple[Postings, dict[str, float]], monkeypatch: pytest.MonkeyPatch
) -> None:
    postings, idf = large
    monkeypatch.setattr(candidates, "_SEARCH_COST", 10**9)  # a budget of 256 groups
    rng = random.Random(12)
    fell_back = 0
    for _ in range(40):
        terms = _query(rng, idf, 14)
        search = candidates._Search(postings, terms, len(terms), budget=256)
        fell_back += not search.run()
        assert sorted(postings.most_held(terms, len(terms))) == sorted(_walked(postings, terms, len(terms)))
    assert fell_back  # the fallback was exercised


def test_no_meeting_term_means_no_candidates(large: tuple[Postings, dict[str, float]]) -> None:
    postings, idf = large
    assert postings.most_held(_query(random.Random(1), idf, 5), 0) == []


def test_the_seed_is_a_few_entries_holding_the_rarest_term(large: tuple[Postings, dict[str, float]]) -> None:
    postings, idf = large
    terms = _query(random.Random(3), idf, 6)
    rarest = min((term for term, _, _ in terms), key=lambda t: len(postings._postings[t]))
    seed = postings.seed(terms)
    assert seed == sorted(seed) and 0 < len(seed) <= candidates.SEED_ENTRIES
    assert set(seed) <= postings._postings[rarest].keys()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=120))
def test_any_small_knowledge_base(seed: int, entries: int) -> None:
    rng = random.Random(seed)
    questions, idf = _knowledge_base(rng, entries=entries, vocabulary=rng.randint(1, 12))
    postings = Postings(questions, idf)
    terms = _query(rng, idf, rng.randint(1, 8))
    meeting = rng.randint(1, len(terms))
    assert sorted(postings.most_held(terms, meeting)) == sorted(_walked(postings, terms, meeting))
