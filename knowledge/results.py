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
# Round 11: 0.70 (was 0.80), as the trees are now fitted with near misses weighing double. Round 22:
# 0.75, as the trees fitted on all 117 published sets answer more eagerly: the most right answers with
# out of scope answered within 0.10 leaving one base out (docs/faq-measurements.md, round 22). Round 35:
# 0.65, with trees refitted on the 126 sets searched as the bot searches them, which are surer of a right
# answer and less of a near miss: the most right answers minus out of scope answered leaving one batch out,
# and more than round 22's trees at 0.75 on a batch sealed until then (README, "Measured figures").
DEFAULT_ANSWER_CONFIDENCE = 0.65
# An answer the learned judge is less sure of than this also offers the next candidates (`others`):
# when it is the wrong one, the right one is a click away. Chosen in round 18 on the published sets the
# trees were not fitted on (docs/faq-measurements.md, round 18): 0.85 offers them under about one answer
# in five; 0.90 under more answers for few more right entries shown. 0 offers none.
DEFAULT_OFFER_OTHERS_BELOW = 0.85
MAX_OTHERS = 2  # candidates an unsure answer offers
# … each only when it scores at least this share of the answer's combined score: a candidate far behind
# is rarely the right one and clutters a good answer (0.3–0.6 compared on the same sets in a scratch
# run: 0.4 offered noticeably fewer candidates and about as many right ones as none).
OTHERS_MIN_SHARE = 0.4

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
    offer_others_below: float = 0.0  # an answer less sure than this offers the next candidates (`others`)

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

    @property
    def others(self) -> tuple[Entry, ...]:
        """With an answer the learned judge is less sure of than `offer_others_below`: the next
        candidates (at most MAX_OTHERS) at or above the suggest threshold and OTHERS_MIN_SHARE of the
        answer's score, offered under the answer."""
        if self.answer is None or self.confidence is None or self.confidence >= self.offer_others_below:
            return ()
        floor = max(self.suggest_threshold, OTHERS_MIN_SHARE * self.candidates[0].score)
        return tuple(c.entry for c in self.candidates[1 : 1 + MAX_OTHERS] if c.score >= floor)
