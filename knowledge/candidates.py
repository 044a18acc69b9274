"""Candidates: the entries worth scoring exactly, found through an inverted index.

A query is scored exactly against a few dozen entries only: a seed of entries that hold the
rarest query terms together, and the MAX_EXACT entries whose question fields hold the most of
the query ("held" mass: for each query term, the smaller of the entry's and the query's weight,
× idf, summed in the query's term order; ties go to the entry met first).

Walking the postings of common terms entry by entry is slow in Python, so the most held entries
are found on bitsets instead (one Python int per term and weight, a bit per entry): entries
that hold the same terms at the same weights hold the same mass, so a search over which terms an
entry holds visits groups of entries, largest mass first, and leaves out every group that can
no longer rank (branch and bound). The choice is exactly the one an entry-by-entry walk makes.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from operator import itemgetter

Terms = dict[str, float]  # term -> weight
Weighted = list[tuple[str, float, float]]  # (term, query weight, idf) of the query's indexed terms
Groups = tuple[tuple[float, int], ...]  # (value, bitset of the entries holding the term at that value)

MAX_EXACT = 24  # entries chosen by held mass
SEED_ENTRIES = 32  # entries holding the rarest query terms together …
SEED_TERMS = 4  # … found by intersecting the entries of up to this many of the rarest terms

_SLACK = 1e-9  # relative margin that keeps bounds safe from floating-point rounding
_EAGER_BITSETS = 64  # terms in at least this many entries get their bitsets when the index is built
_SEARCH_TERMS = 16  # queries with more terms are walked entry by entry: the search would branch too much
_SEARCH_COST = 8  # a group visited costs about as much as this many postings walked
_held_mass = itemgetter(1)


class Postings:
    """term -> {entry: weight in its question fields × idf}, entries in ascending order; and the
    same as bitsets, for finding the most held entries."""

    def __init__(self, questions: list[Terms], idf: dict[str, float]) -> None:
        postings: dict[str, dict[int, float]] = {}
        for index, terms in enumerate(questions):
            for term, weight in terms.items():
                entries = postings.get(term)
                if entries is None:
                    entries = postings[term] = {}
                entries[index] = weight * idf[term]
        self._postings = postings
        self._everyone = (1 << len(questions)) - 1
        self._bytes = (len(questions) + 7) // 8
        # Common terms are in most queries' way: their bitsets are made now. Rare ones are cheap
        # to make when a query first needs them.
        self._bitsets: dict[str, tuple[Groups, int]] = {
            term: self._bitsets_of(entries) for term, entries in postings.items() if len(entries) >= _EAGER_BITSETS
        }

    def seed(self, terms: Weighted) -> list[int]:
        """A few entries that hold the query's rarest terms together: likely the best ones."""
        postings = self._postings
        ordered = sorted((t for t, _, _ in terms if t in postings), key=lambda t: len(postings[t]))
        if not ordered:
            return []
        seed = set(postings[ordered[0]])
        for term in ordered[1:SEED_TERMS]:
            if len(seed) <= SEED_ENTRIES:
                break
            narrower = seed & postings[term].keys()
            if narrower:
                seed = narrower
        return sorted(seed)[:SEED_ENTRIES]

    def most_held(self, terms: Weighted, meeting: int) -> list[int]:
        """The MAX_EXACT entries that hold the most, among those holding one of the first
        `meeting` terms (in any order)."""
        if meeting <= 0:
            return []
        if len(terms) <= _SEARCH_TERMS:
            # Searching pays while it visits fewer groups than walking would touch postings.
            walked = sum(len(self._postings.get(term, ())) for term, _, _ in terms)
            search = _Search(self, terms, meeting, budget=max(256, walked // _SEARCH_COST))
            if search.run():
                return search.chosen()
        return self._walk(terms, meeting)

    def _walk(self, terms: Weighted, meeting: int) -> list[int]:
        """The same choice, entry by entry (for the rare query with too many terms to search)."""
        held: dict[int, float] = {}  # in the order entries are met, which breaks ties
        for position, (term, weight, idf) in enumerate(terms):
            entries = self._postings.get(term)
            if not entries:
                continue
            cap = weight * idf
            if position < meeting:
                get = held.get
                for index, value in entries.items():
                    held[index] = get(index, 0.0) + (value if value <= cap else cap)
            else:
                for index in held.keys() & entries.keys():
                    value = entries[index]
                    held[index] += value if value <= cap else cap
        ranked = sorted(held.items(), key=_held_mass, reverse=True)  # stable: ties stay in order met
        return [index for index, _ in ranked[:MAX_EXACT]]

    def groups(self, term: str) -> tuple[Groups, int] | None:
        """The term's entries by value, largest first, as bitsets; and all of them."""
        found = self._bitsets.get(term)
        if found is None:
            entries = self._postings.get(term)
            if not entries:
                return None
            found = self._bitsets[term] = self._bitsets_of(entries)
        return found

    @property
    def everyone(self) -> int:
        return self._everyone

    def _bitsets_of(self, entries: dict[int, float]) -> tuple[Groups, int]:
        by_value: dict[float, list[int]] = {}
        for index, value in entries.items():
            by_value.setdefault(value, []).append(index)
        groups = []
        union = 0
        for value in sorted(by_value, reverse=True):
            groups.append((value, _bitset(by_value[value], self._bytes)))
            union |= groups[-1][1]
        return tuple(groups), union


def _bitset(indexes: Iterable[int], size: int) -> int:
    raw = bytearray(size)
    for index in indexes:
        raw[index >> 3] |= 1 << (index & 7)
    return int.from_bytes(raw, "little")


class _Search:
    """Branch and bound over which query terms an entry holds, and at which weight.

    A branch is a group of entries (a bitset) that hold the same terms so far, so that they hold
    the same mass; it is left out once that mass plus the most the remaining terms can add falls
    below what MAX_EXACT entries found already hold. Terms that hold more are tried first, so
    the bar rises early.
    """

    def __init__(self, postings: Postings, terms: Weighted, meeting: int, budget: int) -> None:
        self._meeting = meeting
        self._options: list[tuple[tuple[float, int], ...]] = []  # per term: (mass added, entries), largest first
        self._holders: list[int | None] = []  # per term: the entries that hold it
        for term, weight, idf in terms:
            found = postings.groups(term)
            if found is None:
                self._options.append(())
                self._holders.append(None)
                continue
            cap = weight * idf
            added: dict[float, int] = {}
            for value, bits in found[0]:
                gain = value if value <= cap else cap  # as the walk adds it: the same float
                added[gain] = added.get(gain, 0) | bits
            self._options.append(tuple(added.items()))
            self._holders.append(found[1])
        # bounds[p]: the most the terms from position p on can add to one entry's mass.
        self._bounds = [0.0] * (len(terms) + 1)
        for position in range(len(terms) - 1, -1, -1):
            options = self._options[position]
            self._bounds[position] = self._bounds[position + 1] + (options[0][0] if options else 0.0)
        self._everyone = postings.everyone
        self._leaves: list[tuple[float, int, int]] = []  # (mass, first term held, entries)
        self._best: list[tuple[float, int]] = []  # heap of (mass, entry count): the leaves that set `least`
        self._best_count = 0
        self._least = 0.0  # what MAX_EXACT entries found so far hold at least
        self._budget = budget  # groups left to visit

    def run(self) -> bool:
        """Search; False when the budget ran out (the result is then incomplete)."""
        return self._visit(0, self._everyone, 0.0, -1)

    def chosen(self) -> list[int]:
        """The most held entries; ties go to the entry met first: by first term held, then entry."""
        leaves = sorted((leaf for leaf in self._leaves if leaf[0] >= self._least), key=lambda leaf: (-leaf[0], leaf[1]))
        chosen: list[int] = []
        start = 0
        while start < len(leaves) and len(chosen) < MAX_EXACT:
            mass, first, bits = leaves[start]
            end = start + 1
            while end < len(leaves) and leaves[end][0] == mass and leaves[end][1] == first:
                bits |= leaves[end][2]
                end += 1
            while bits and len(chosen) < MAX_EXACT:
                lowest = bits & -bits
                chosen.append(lowest.bit_length() - 1)
                bits ^= lowest
            start = end
        return chosen

    def _visit(self, position: int, bits: int, mass: float, first: int) -> bool:
        self._budget -= 1
        if self._budget < 0:
            return False
        if position == self._meeting and first < 0:
            return True  # entries holding none of the meeting terms are not candidates
        if position == len(self._options):
            self._found(bits, mass, first)
            return True
        if (mass + self._bounds[position]) * (1.0 + _SLACK) < self._least:
            return True  # cannot rank among the most held, however many later terms they hold
        met = position if first < 0 and position < self._meeting else first
        for gain, group in self._options[position]:
            narrowed = bits & group
            if narrowed and not self._visit(position + 1, narrowed, mass + gain, met):
                return False
        holders = self._holders[position]
        rest = bits if holders is None else bits ^ (bits & holders)
        return not rest or self._visit(position + 1, rest, mass, first)

    def _found(self, bits: int, mass: float, first: int) -> None:
        if mass < self._least:
            return
        count = bits.bit_count()
        self._leaves.append((mass, first, bits))
        heapq.heappush(self._best, (mass, count))
        self._best_count += count
        while self._best_count - self._best[0][1] >= MAX_EXACT:
            self._best_count -= heapq.heappop(self._best)[1]
        if self._best_count >= MAX_EXACT:
            self._least = self._best[0][0]
