"""The learned judge: how likely the first entry is the right answer, from the evidence of one search.

The rule-based judge (`knowledge.judge`) answers when the lexical best scores high and leads the
next entry clearly. Measured on blind questions, that leaves most right answers as もしかして:
the right entry is first for 0.8–0.9 of in-scope questions, yet only about half are answered,
because near misses (same topic, another ask) score like real questions on the lexical score alone.

Here the evidence of a search — the lexical parts of the first entry (how much of the question it
explains, the ask it misses …), the embeddings' view (its cosine, how far ahead of the others),
whether both agree, how close its answer's best sentence is, how much of the question is words of
another entry or of none, and the question's shape (length, written in English or in hiragana) —
goes into a small gradient-boosted tree model (`knowledge/confidence.json`), fitted by
`benchmarks/faq_fit_judge.py` on the published blind question sets of many knowledge bases, never on
one team's base. The trees weigh each of the first candidates of the search (`judged`; how many is
the model's `depth`) and the likeliest goes first: the right entry is often second by the combined
score and first by the fuller evidence. The bot answers when its probability reaches the team's
`[faq] answer_confidence`.

The model is data: plain trees evaluated here with no ML library, and each answer can say which
evidence weighed how much (`weighed`, per-feature contributions along the trees' paths).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.analysis import EntryTerms
from knowledge.scoring import Scored

Closeness = tuple[np.ndarray, np.ndarray]  # cosines by slot: with the entry's texts, with its best sentence


@dataclass(frozen=True)
class Asked:
    """The question as the learned judge weighs it: its text, and how its words sit with an entry's
    (`other_entries_words`, by slot)."""

    text: str
    words: Callable[[int], tuple[float, float, float, float]] = lambda slot: (0.0, 0.0, 0.0, 0.0)
    read_as: str = ""  # the text the embeddings read (`knowledge.question`); "" = text


MODEL_FILE = Path(__file__).resolve().parent / "confidence.json"
LEXICAL_POOL = 10  # lexical candidates counted (the index ranks this many when the embeddings are on)

FEATURES = (
    "lexical_score",  # the first entry's lexical score (0 when only the embeddings found it)
    "lexical_lead",  # … minus the best other lexical score
    "explained",  # the share of the question the entry explains
    "phrasing",  # the share of its best phrasing the question covers
    "ask_missing",  # the share of the question's ask it does not cover
    "wording",  # character similarity with its closest phrasing
    "cosine_above_median",  # its cosine minus the median entry's
    "cosine_lead",  # its cosine minus the best other entry's
    "closest_by_embedding",  # 1 when it is the entry closest by embedding
    "combined_lead",  # its combined score (lexical + cosine) minus the next entry's
    "lexical_first",  # 1 when it is also the lexical first
    "cosine",  # its cosine
    "question_chars",  # the question's length
    "ascii_share",  # the share of ASCII characters (English, romaji)
    "kana_share",  # the share of hiragana (a question typed without converting: words found by reading)
    "lexical_candidates",  # how many entries share terms with the question (at most LEXICAL_POOL)
    "lexical_second",  # the second lexical score
    "cosine_gap_1_2",  # the closest entry's cosine minus the second closest's
    "cosine_gap_2_3",  # the second closest's minus the third's
    "others_words",  # the share of the question in words it lacks and another entry's question holds
    "others_question_words",  # … in words its question lacks and another entry's question holds
    "others_anywhere",  # … in words it lacks and another entry holds anywhere (its answer, steps …)
    "unknown_words",  # … in words no entry holds
    "sentence_cosine",  # the best cosine of one sentence of its answer (`knowledge.dense.sentence_texts`)
    "sentence_lead",  # … minus the best other entry's
    "sentence_above_median",  # … minus the median entry's
    "closest_by_sentence",  # 1 when it holds the sentence closest to the question
)


def evidence(
    asked: Asked, lexical: Sequence[Scored], closeness: Closeness, order: Sequence[Scored], at: int = 0
) -> list[float]:
    """The features (FEATURES, in order) of the entry at position `at` of `order` (lexical candidates
    and the entries closest by embedding, ordered by the combined score: `knowledge.dense.rerank`);
    "the first" below is that entry, "the next" the best of the others."""
    text, (cosines, sentences) = asked.text, closeness
    first = order[at].slot
    mine = next((s for s in lexical if s.slot == first), None)
    lexical_score = mine.score if mine is not None else 0.0
    other_lexical = max((s.score for s in lexical if s.slot != first), default=0.0)
    top = [*np.sort(cosines)[::-1][:3].tolist(), 0.0, 0.0, 0.0]
    own = float(cosines[first])
    other_cosine = top[1] if own >= top[0] else top[0]
    lexical_scores = [*sorted((s.score for s in lexical), reverse=True), 0.0, 0.0]
    return [
        lexical_score,
        lexical_score - other_lexical,
        mine.explained if mine is not None else 0.0,
        mine.phrasing if mine is not None else 0.0,
        mine.ask_missing if mine is not None else 1.0,
        mine.wording if mine is not None else 0.0,
        own - median_cosine(cosines),
        own - other_cosine,
        float(int(np.argmax(cosines)) == first),
        order[at].score - max((s.score for i, s in enumerate(order) if i != at), default=0.0),
        float(bool(lexical) and lexical[0].slot == first),
        own,
        float(len(text)),
        sum(ch.isascii() for ch in text) / max(1, len(text)),
        sum("ぁ" <= ch <= "ゖ" for ch in text) / max(1, len(text)),
        float(min(len(lexical), LEXICAL_POOL)),
        lexical_scores[1],
        top[0] - top[1],
        top[1] - top[2],
        *asked.words(first),
        *_closest(sentences, first),
    ]


def median_cosine(cosines: np.ndarray) -> float:
    """The median of the known cosines (-1 marks a slot without vectors)."""
    known = cosines[cosines > -1.0]
    return float(np.median(known)) if len(known) else 0.0


def _closest(cosines: np.ndarray, slot: int) -> tuple[float, float, float, float]:
    """A slot's cosine, its lead over the best other slot's, its lead over the median, and whether
    it is the closest."""
    own = float(cosines[slot])
    others = np.delete(cosines, slot)
    other = float(others.max()) if len(others) else 0.0
    return own, own - other, own - median_cosine(cosines), float(int(np.argmax(cosines)) == slot)


def other_entries_words(
    terms: Mapping[str, float],
    own: EntryTerms,
    question_owners: Mapping[str, frozenset[int]],
    slot: int,
    holders: Callable[[str], int] = lambda term: 0,
) -> tuple[float, float, float, float]:
    """How much of the question is words that belong to another entry and not to this one: a near
    miss often names another entry's object or action (スタッフ for 生徒), or one no entry has (返金).
    The shares of the question's weight in words of another entry's question (or 言い換え) that the
    entry lacks altogether, and that its own questions lack; in words it lacks that another entry holds
    anywhere; and in words no entry holds (`holders`: how many entries hold a word, this one included)."""
    total = sum(terms.values()) or 1.0
    own_questions = {term for phrasing in own.phrasings for term in phrasing}
    lacking = lacking_in_questions = elsewhere = unknown = 0.0
    for term, weight in terms.items():
        if term not in own.profile:
            held = holders(term) > 0
            elsewhere += weight if held else 0.0
            unknown += 0.0 if held else weight
        if not question_owners.get(term, frozenset()) - {slot}:
            continue
        lacking += weight if term not in own.profile else 0.0
        lacking_in_questions += weight if term not in own_questions else 0.0
    return lacking / total, lacking_in_questions / total, elsewhere / total, unknown / total


@dataclass(frozen=True)
class TreeModel:
    """Boosted regression trees on the log-odds scale. A tree is a list of nodes
    [feature, threshold, left, right, value]: internal nodes go left when the feature's value is at
    most the threshold; a leaf has feature -1; `value` is a leaf's output, or an internal node's
    expected output (for the contributions)."""

    features: tuple[str, ...]
    trees: tuple[tuple[tuple[int, float, int, int, float], ...], ...]
    # How many candidates of the combined order it weighs: 1, the first only; more, each of them, and
    # the likeliest goes first (trees fitted on every candidate's evidence, `judged`).
    depth: int = 1

    def log_odds(self, values: Sequence[float]) -> float:
        total = 0.0
        for tree in self.trees:
            node = tree[0]
            while node[0] >= 0:
                node = tree[node[2] if values[node[0]] <= node[1] else node[3]]
            total += node[4]
        return total

    def probability(self, values: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.log_odds(values)))

    def weighed(self, values: Sequence[float]) -> dict[str, float]:
        """Each feature's share of the log-odds: the change in the expected output at every split on
        it along the paths taken (they add up to the log-odds minus the trees' expected output)."""
        shares = dict.fromkeys(self.features, 0.0)
        for tree in self.trees:
            node = tree[0]
            while node[0] >= 0:
                child = tree[node[2] if values[node[0]] <= node[1] else node[3]]
                shares[self.features[node[0]]] += child[4] - node[4]
                node = child
        return shares

    def to_json(self) -> dict[str, Any]:
        trees = [[list(node) for node in tree] for tree in self.trees]
        return {"features": list(self.features), "depth": self.depth, "trees": trees}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeModel:
        features = tuple(data["features"])
        if features != FEATURES:
            raise ValueError(f"the model's features {features} are not this version's {FEATURES}")
        trees = tuple(
            tuple((int(n[0]), float(n[1]), int(n[2]), int(n[3]), float(n[4])) for n in tree) for tree in data["trees"]
        )
        return cls(features, trees, int(data.get("depth", 1)))


@cache
def shipped_model() -> TreeModel:
    """The model fitted on the published question sets (`knowledge/confidence.json`)."""
    return TreeModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8"))["model"])


@dataclass(frozen=True)
class Judged:
    """The learned judge's view of one search: the likeliest candidate's position in the order, its
    probability and evidence; every candidate's evidence (for fitting: `benchmarks/faq_fit_judge.py`)
    and the probabilities of those the trees weighed (the first `depth`)."""

    position: int
    probability: float
    evidence: list[float]
    candidates: tuple[list[float], ...]
    probabilities: tuple[float, ...]


def judged(
    asked: Asked, lexical: Sequence[Scored], closeness: Closeness, order: Sequence[Scored], model: TreeModel
) -> Judged:
    """Each candidate's evidence; the probability of the first `model.depth` of them, and which is
    likeliest (the earlier on a tie)."""
    found = tuple(evidence(asked, lexical, closeness, order, at) for at in range(len(order)))
    best, weighed = likeliest(model, found, model.depth)
    return Judged(best, weighed[best], found[best], found, weighed)


def likeliest(model: TreeModel, candidates: Sequence[Sequence[float]], depth: int) -> tuple[int, tuple[float, ...]]:
    """The position of the likeliest of the first `depth` candidates' evidence (the earlier on a tie),
    and their probabilities: the one rule the bot and the fit (`benchmarks/faq_fit_judge.py`) choose by."""
    weighed = tuple(model.probability(values) for values in candidates[: max(1, depth)])
    return max(range(len(weighed)), key=lambda at: (weighed[at], -at)), weighed
