"""Scoring: which entries a question's terms are about, and how well each one covers it.

An entry's coverage has two parts, each term weighted by how rare it is (IDF): how much of one
of the entry's phrasings (its question or an alternative) the question covers, and how much of
the question the entry explains (question and alternatives fully, answer text by half).
Both must be high to answer: an out-of-scope question that shares a word with an entry covers
only part of it and brings words the entry cannot explain. A tenth of the score is how alike
the wording is character by character, so that only a question asked exactly as written scores
1.0.

Candidates come from an inverted index over questions and alternatives, so that a query never
scores every entry of a large knowledge base; the selection is exact (the entries scored are
the ones that could rank), only cheaper than scoring everything.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from rapidfuzz import fuzz

from knowledge.candidates import Postings, Terms, Weighted
from knowledge.entry_texts import phrasings_of
from knowledge.loader import Entry
from knowledge.normalize import compact

OOV_FACTOR = 0.6  # a question word no entry contains, relative to the rarest indexed word
MIN_MASS_FACTOR = 1.0  # a phrasing needs at least one rare word's worth of evidence to be covered
PHRASING_WEIGHT = 0.6  # share of phrasing coverage in the score (the rest: question coverage)
WORDING_WEIGHT = 0.1  # share of character similarity to the closest phrasing in the score

MIN_CANDIDATE_SCORE = 0.3  # query terms that together cannot lift an entry this high find no candidates

Coverage = tuple[float, int, float, float]  # coverage, entry, phrasing coverage, question coverage


@dataclass(frozen=True)
class Scored:
    index: int
    score: float
    phrasing: float  # best coverage of one of the entry's phrasings
    question: float  # share of the question the entry explains


def idf(count: int, df: int) -> float:
    """BM25's idf: always positive, highest for terms in one entry."""
    return math.log(1.0 + (count - df + 0.5) / (df + 0.5))


class Scorer:
    """The entries' terms arranged for scoring: IDF, postings, phrasing masses. Immutable once built."""

    def __init__(
        self,
        entries: Sequence[Entry],
        phrasings: list[list[Terms]],
        questions: list[Terms],
        fields: list[Terms],
    ) -> None:
        """`phrasings`: per entry, the terms of each phrasing; `questions`: per entry, those terms
        merged; `fields`: per entry, all its terms (answer text weakened)."""
        self._entries = entries
        self._fields = fields
        count = len(entries)
        document_frequency = Counter(chain.from_iterable(fields))
        self.idf = {term: idf(count, n) for term, n in document_frequency.items()}
        self._rare = idf(count, 1)
        self._oov = OOV_FACTOR * self._rare
        self._min_mass = MIN_MASS_FACTOR * self._rare
        # Only question fields find candidates: an entry that matches by its answer text alone
        # cannot reach a useful score.
        self._postings = Postings(questions, self.idf)
        term_idf = self.idf
        # Phrasings repeat across entries (the same dict for the same text): each mass summed once.
        masses: dict[int, float] = {}
        self._phrasings: list[tuple[tuple[Terms, float], ...]] = []  # per entry: (terms, mass) of each phrasing
        for entry_phrasings in phrasings:
            entry_masses = []
            for terms in entry_phrasings:
                mass = masses.get(id(terms))
                if mass is None:
                    mass = masses[id(terms)] = max(sum(w * term_idf[t] for t, w in terms.items()), self._min_mass)
                entry_masses.append((terms, mass))
            self._phrasings.append(tuple(entry_masses))
        self._compact: dict[int, tuple[str, ...]] = {}  # phrasings for `_wording`, filled when first needed

    def rank(self, terms: Terms, query: str, keep: int, shown: float = 0.0) -> list[Scored]:
        """The `keep` best entries for a question (`query`, as typed) and its terms.

        Below the top two, only entries scoring at least `shown` are guaranteed to be exact.
        """
        weighted: Weighted = []
        total = 0.0
        for term, weight in terms.items():
            term_idf = self.idf.get(term)
            if term_idf is None:
                # A vocabulary concept no entry mentions is a topic we do not cover; an unknown
                # word may just be context ("稟議", "来週"), so it counts for less.
                total += weight * (self._rare if term.startswith("#") else self._oov)
            else:
                total += weight * term_idf
                weighted.append((term, weight, term_idf))
        if not weighted or keep <= 0:
            return []
        coverages = self._coverages(weighted, total, keep, shown)
        coverages.sort(key=lambda c: (-c[0], c[1]))
        wording = compact(query)
        best: list[Scored] = []
        for coverage, index, phrasing, question in coverages:
            if len(best) >= keep and best[keep - 1].score >= (1.0 - WORDING_WEIGHT) * coverage + WORDING_WEIGHT:
                break  # even identical wording could not lift this one (or any after it) into the top
            score = (1.0 - WORDING_WEIGHT) * coverage + WORDING_WEIGHT * self._wording(index, wording)
            best.append(Scored(index, score, phrasing, question))
            best.sort(key=lambda s: (-s.score, s.index))
        return best[:keep]

    def _coverages(self, weighted: Weighted, total: float, keep: int, shown: float) -> list[Coverage]:
        """(coverage, entry, phrasing coverage, question coverage) of the entries worth scoring.

        A few entries that hold the query's rarest terms together (the seed) are scored first,
        to learn the bar the others must pass. Entries are then met through the query's terms,
        strongest first, but only through those that, with all weaker ones, could still lift an
        entry to that bar (MaxScore); of the entries met, the ones whose question fields hold the
        most of the query are scored exactly (`knowledge.candidates`).
        """
        terms = sorted(weighted, key=lambda w: -w[1] * w[2])
        reach = [  # the most each term can add to an entry's coverage
            PHRASING_WEIGHT * min(w * idf / self._min_mass, 1.0) + (1.0 - PHRASING_WEIGHT) * w * idf / total
            for _, w, idf in terms
        ]
        results: dict[int, Coverage] = {}
        seed = self._postings.seed(terms)
        for index in seed:
            results[index] = self._coverage(index, weighted, total)
        found = sorted((r[0] for r in results.values()), reverse=True) + [0.0] * keep
        # An entry not found yet matters only if it could enter the top two (which decide), or the
        # top `keep` at or above the suggest threshold (which are shown).
        bar = min(found[1], max(found[keep - 1], (shown - WORDING_WEIGHT) / (1.0 - WORDING_WEIGHT)))
        # Wording adds at most WORDING_WEIGHT, so coverage `rest` can never beat coverage `bar` if
        # (1 - w) * rest + w < (1 - w) * bar.
        floor = max(
            (MIN_CANDIDATE_SCORE - WORDING_WEIGHT) / (1.0 - WORDING_WEIGHT),
            bar - WORDING_WEIGHT / (1.0 - WORDING_WEIGHT),
        )
        # New entries are met through a term while this term and all commoner ones could still
        # lift an entry's coverage to the floor.
        meeting = 0
        remaining = sum(reach)
        for term_reach in reach:
            if remaining < floor:
                break
            meeting += 1
            remaining -= term_reach
        for index in self._postings.most_held(terms, meeting):
            if index not in results:
                results[index] = self._coverage(index, weighted, total)
        return [r for r in results.values() if r[0] > 0.0]

    def _coverage(self, index: int, weighted: Weighted, total: float) -> Coverage:
        """(coverage, entry, phrasing coverage, question coverage) of one entry."""
        fields = self._fields[index]
        # Query mass the entry explains: question fields fully, answer text by WEAK_FIELD. Terms
        # the entry lacks add nothing to either part, so they are left out here, once.
        explained = 0.0
        shared = []
        for term, weight, idf in weighted:
            field_weight = fields.get(term)
            if field_weight:
                explained += (weight if weight <= field_weight else field_weight) * idf
                shared.append((term, weight, idf))
        question = explained / total
        if question > 1.0:
            question = 1.0
        # How much of the entry's best-covered phrasing (question or an alternative) the query covers.
        phrasing = 0.0
        for phrase_terms, mass in self._phrasings[index]:
            covered = 0.0
            for term, weight, idf in shared:
                phrase_weight = phrase_terms.get(term)
                if phrase_weight:
                    covered += (weight if weight <= phrase_weight else phrase_weight) * idf
            if covered / mass > phrasing:
                phrasing = covered / mass
        if phrasing > 1.0:
            phrasing = 1.0
        return (PHRASING_WEIGHT * phrasing + (1.0 - PHRASING_WEIGHT) * question, index, phrasing, question)

    def _wording(self, index: int, wording: str) -> float:
        """How alike the question and the entry's closest phrasing are, character by character.

        A small part of the score: it ranks the closer wording first among entries that cover
        a question equally, and keeps 1.0 for a question asked exactly as written.
        """
        phrasings = self._compact.get(index)
        if phrasings is None:
            phrasings = self._compact[index] = tuple(compact(t) for t in phrasings_of(self._entries[index]))
        return max((fuzz.ratio(wording, p) / 100.0 for p in phrasings), default=0.0)
