"""What a search returns: the ranked candidates and the decision the bot acts on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.loader import Entry

# Tuned with benchmarks/faq_quality.py on the development set and on check sets of our own.
DEFAULT_ANSWER_THRESHOLD = 0.35
DEFAULT_SUGGEST_THRESHOLD = 0.10
# With `[faq] dense = "judge"`: the learned judge's probability from which the bot answers
# (`knowledge.confidence`), chosen on the tuning sets with `benchmarks/faq_fit_judge.py`.
# Round 11: 0.70 (was 0.80), as the trees are now fitted with near misses weighing double.
DEFAULT_ANSWER_CONFIDENCE = 0.7

Decision = Literal["answer", "suggest", "none"]


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float  # 0..1, comparable with the thresholds


@dataclass(frozen=True)
class SearchResult:
    query: str
    decision: Decision
    candidates: tuple[Candidate, ...]  # ranked best first (at most `limit`)
    suggest_threshold: float = DEFAULT_SUGGEST_THRESHOLD
    confirmed: bool = False  # answered because the embeddings confirmed the judge's close call (knowledge.dense)
    confidence: float | None = None  # the learned judge's probability that the first is right (knowledge.confidence)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def answer(self) -> Entry | None:
        """The entry to answer with, only when the decision is "answer"."""
        return self.candidates[0].entry if self.decision == "answer" and self.candidates else None

    @property
    def suggestions(self) -> tuple[Entry, ...]:
        """Candidates at or above the suggest threshold, only when the decision is "suggest"."""
        if self.decision != "suggest":
            return ()
        return tuple(c.entry for c in self.candidates if c.score >= self.suggest_threshold)
