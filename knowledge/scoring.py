"""Scoring: how well each entry answers a question, on a scale that means the same on any base.

Every part of the score is a share, so that thresholds carry over between knowledge bases:

- *explained*: the share of the question's mass (each term's weight × idf) that the entry's
  fields explain, each field counting by its strength (`knowledge.entry_texts.FIELD_STRENGTH`):
  a word in the question or a 言い換え explains fully, one in the answer three quarters …
  Words no entry holds count against every entry.
- *phrasing*: the share of the entry's best-covered phrasing (its question, a 言い換え or a
  learned phrasing) that the question covers: a question asked as written covers all of it.
- *ask missing*: the share of the question's ask (`knowledge.asks`: 宛名を変更, 返金, 削除) that
  the entry does not cover anywhere. Same topic, different ask: the entry may be suggested but
  never answers confidently.
- *wording*: how alike the question and the closest phrasing are, character by character (a
  tenth of the score), so that only a question asked exactly as written scores 1.0.

Candidates are the entries that explain the most of the question (`knowledge.postings`);
only those are scored in full.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from knowledge.analysis import EntryTerms
from knowledge.asks import Ask
from knowledge.postings import Postings

Terms = dict[str, float]

EXPLAINED_WEIGHT = 0.8  # share of `explained` in the coverage (the rest: `phrasing`)
WORDING_WEIGHT = 0.1  # share of character similarity in the score
ASK_PENALTY = 0.5  # how much a wholly uncovered ask lowers the coverage
OOV_FACTOR = 0.6  # a question word no entry holds, relative to the rarest indexed word
MIN_MASS_FACTOR = 1.0  # a phrasing needs at least one rare word's worth of evidence to be covered
CANDIDATES = 16  # entries scored in full
ASK_FOCUS = 0.5  # share of `explained` measured on the ask of a long message (`knowledge.ask_clause`)
SAMPLE_STRIDE = 8  # every 8th slot's sum sets the floor the candidates are sought above


@dataclass(frozen=True)
class Query:
    text: str
    terms: Terms
    asks: Sequence[Ask]
    wording: str  # the question compacted, for `wording`
    ask: str = ""  # the clause(s) that ask, when a long message has background (`knowledge.ask_clause`)
    focus: Terms | None = None  # then: the terms with the background's down-weighted
    expansions: Mapping[str, str] = field(default_factory=dict)  # soft term -> the word it came from
    read_as: str = ""  # the text the embeddings read, its words repaired (`knowledge.question`); "" = text

    @property
    def embedded(self) -> str:
        """The text the embeddings read."""
        return self.read_as or self.text


@dataclass(frozen=True)
class Scored:
    slot: int
    score: float
    explained: float
    phrasing: float
    ask_missing: float
    wording: float


def _candidates(held: npt.NDArray[np.float32]) -> npt.NDArray[np.intp]:
    """The slots that hold anything, or the CANDIDATES that hold most when more do. The
    CANDIDATES-th largest value of a strided sample is a floor for the whole array's (its top values
    are values of the array): only the few slots at or above it are sorted, not the thousands a
    common word reaches."""
    sample = np.sort(held[::SAMPLE_STRIDE])
    if len(sample) >= CANDIDATES and sample[-CANDIDATES] > 0.0:
        slots = np.flatnonzero(held >= sample[-CANDIDATES])
    else:
        slots = np.flatnonzero(held)
    return _best(slots, held[slots]) if len(slots) > CANDIDATES else slots


def _best(slots: npt.NDArray[np.intp], held: npt.NDArray[np.float32]) -> npt.NDArray[np.intp]:
    """The CANDIDATES slots that hold most, ties taken by the lowest slot. A sort, not
    argpartition: common words give thousands of equal values, on which introselect crawls."""
    threshold = np.sort(held)[-CANDIDATES]
    above = slots[held > threshold]
    return np.concatenate((above, slots[held == threshold][: CANDIDATES - len(above)]))


def idf(count: int, df: int) -> float:
    """BM25's idf: always positive, highest for terms in one entry."""
    return math.log(1.0 + (count - df + 0.5) / (df + 0.5))


class Scorer:
    """Scores questions against one consistent state of the index; caches what it works out
    (idf, phrasing masses), so one scorer serves every search of that state."""

    def __init__(
        self,
        postings: Postings,
        entries: Sequence[EntryTerms | None],
        count: int,
        wordings: Callable[[int], Sequence[str]],
    ) -> None:
        self._postings = postings
        self._entries = entries
        self._count = max(count, 1)
        self._rare = idf(self._count, 1)
        self._floor = MIN_MASS_FACTOR * self._rare
        self._wordings = wordings
        self._idf: dict[str, float] = {}
        self._masses: dict[int, float] = {}  # id of a phrasing's terms -> its mass

    def idf(self, term: str) -> float | None:
        """The term's idf, or None when no entry holds it."""
        value = self._idf.get(term)
        if value is None:
            df = self._postings.df(term)
            if df == 0:
                return None
            value = self._idf[term] = idf(self._count, df)
        return value

    def unknown_idf(self, term: str) -> float:
        """What a term no entry holds weighs: a vocabulary concept no entry mentions is a topic we do
        not cover (as rare as it gets); an unknown word may be context (「稟議」, 「来週」)."""
        return self._rare if term.startswith("#") else OOV_FACTOR * self._rare

    def _weighted(self, terms: Terms) -> tuple[list[tuple[str, float, float]], float]:
        """The known terms with their weight and idf, and the question's whole mass."""
        weighted: list[tuple[str, float, float]] = []
        total = 0.0
        for term, weight in terms.items():
            term_idf = self.idf(term)
            if term_idf is None:
                total += weight * self.unknown_idf(term)
            else:
                total += weight * term_idf
                weighted.append((term, weight, term_idf))
        return weighted, total

    def _explained(self, query: Query) -> npt.NDArray[np.float32] | None:
        """Per slot, the share of the question explained: of the whole message, blended with the
        share of its ask (the background down-weighted) when it has one (`knowledge.ask_clause`)."""
        weighted, total = self._weighted(query.terms)
        if not weighted:
            return None
        explained = self._postings.held(weighted) / np.float32(total)
        if query.focus is not None:
            focused, focus_total = self._weighted(query.focus)
            if focused and focus_total > 0.0:
                on_ask = self._postings.held(focused) / np.float32(focus_total)
                explained = (1.0 - ASK_FOCUS) * explained + ASK_FOCUS * on_ask
        return explained

    def rank(self, query: Query, keep: int) -> list[Scored]:
        shares = self._explained(query)
        if shares is None or keep <= 0:
            return []
        slots = _candidates(shares)
        covered = sorted(
            (self._coverage(int(slot), query, float(shares[slot])) for slot in slots),
            key=lambda c: (-c[0], c[1]),
        )
        # Wording is a tenth of the score: worked out for the few that are shown (and the next one).
        scored: list[Scored] = []
        for coverage, slot, explained, phrasing, missing in covered[: keep + 1]:
            wording = max((fuzz.ratio(query.wording, w) / 100.0 for w in self._wordings(slot)), default=0.0)
            score = (1.0 - WORDING_WEIGHT) * coverage + WORDING_WEIGHT * wording
            scored.append(Scored(slot, score, explained, phrasing, missing, wording))
            scored.sort(key=lambda s: (-s.score, s.slot))
        return scored[:keep]

    def _coverage(self, slot: int, query: Query, explained: float) -> tuple[float, int, float, float, float]:
        entry = self._entries[slot]
        assert entry is not None
        explained = min(explained, 1.0)
        phrasing = self._phrasing(entry, query.terms)
        missing = self._ask_missing(entry, query.asks)
        coverage = EXPLAINED_WEIGHT * explained + (1.0 - EXPLAINED_WEIGHT) * phrasing
        return coverage * (1.0 - ASK_PENALTY * missing), slot, explained, phrasing, missing

    def _phrasing(self, entry: EntryTerms, terms: Terms) -> float:
        """How much of the entry's best-covered phrasing the question covers."""
        best = 0.0
        for phrasing in entry.phrasings:
            covered = 0.0
            for term, weight in phrasing.items():
                asked = terms.get(term)
                if asked:
                    covered += (weight if weight <= asked else asked) * (self.idf(term) or self._rare)
            if covered:
                share = covered / self._mass(phrasing)
                if share > best:
                    best = share
        return min(best, 1.0)

    def _mass(self, phrasing: Terms) -> float:
        mass = self._masses.get(id(phrasing))
        if mass is None:
            total = sum(weight * (self.idf(term) or self._rare) for term, weight in phrasing.items())
            mass = self._masses[id(phrasing)] = max(total, self._floor)
        return mass

    def _ask_missing(self, entry: EntryTerms, asks: Sequence[Ask]) -> float:
        """The share of the question's ask mass the entry covers nowhere."""
        if not asks:
            return 0.0
        profile = entry.profile
        total = missing = 0.0
        for terms, weight in asks:
            mass = weight * max(self.idf(t) or self.unknown_idf(t) for t in terms)
            covered = max(min(profile.get(t, 0.0) / weight, 1.0) for t in terms)
            total += mass
            missing += mass * (1.0 - covered)
        return missing / total if total else 0.0
