"""Postings: for each term, the entries that hold it and how strongly, as arrays.

A query's candidates are the entries whose fields explain the most of it: for each query term,
the smaller of the query's weight and the entry's (its best field's strength × the word's weight),
times the term's idf, summed over the terms. Summing whole arrays with numpy keeps a query on a
10,000-entry base to a few dozen microseconds, whatever the terms.

Postings are immutable: changing an entry makes a new `Postings` that shares every untouched
term's arrays, so that readers on other threads keep a consistent view (`knowledge.index`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Terms = dict[str, float]
Array = tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]  # entry slots (ascending), strengths

_EMPTY: Array = (np.zeros(0, np.int32), np.zeros(0, np.float32))
DENSE_SHARE = 16  # a term in more than 1/16 of the entries is common: its shares are kept as a row …
DENSE_MIN = 256  # … on a base large enough for it to matter
DENSE_ROWS = 256  # rows kept per version of the postings (at most 256 × 4 bytes × entries)


class Postings:
    """term -> (entry slots, strengths), and each term's document frequency."""

    def __init__(self, arrays: Mapping[str, Array], size: int) -> None:
        self._arrays = dict(arrays)
        self.size = size  # slots: entries ever placed (removed ones stay as empty slots)
        self._rows: dict[tuple[str, float, float], npt.NDArray[np.float32]] = {}  # common terms' shares

    @classmethod
    def build(cls, profiles: list[Terms | None]) -> Postings:
        slots: dict[str, list[int]] = {}
        values: dict[str, list[float]] = {}
        for slot, profile in enumerate(profiles):
            if not profile:
                continue
            for term, strength in profile.items():
                found = slots.get(term)
                if found is None:
                    slots[term] = [slot]
                    values[term] = [strength]
                else:
                    found.append(slot)
                    values[term].append(strength)
        arrays = {
            term: (np.array(found, np.int32), np.array(values[term], np.float32)) for term, found in slots.items()
        }
        return cls(arrays, len(profiles))

    @classmethod
    def from_arrays(cls, names: Sequence[str], counts: Any, ids: Any, weights: Any) -> Postings:
        """Postings from every entry's profile as flat arrays (entry by entry: how many terms,
        their numbers in `names`, their strengths), grouped by term with numpy."""
        slots = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
        order = np.lexsort((slots, ids))
        ids, slots, strengths = ids[order], slots[order], np.asarray(weights, np.float32)[order]
        starts = np.flatnonzero(np.diff(ids, prepend=-1))
        ends = [*starts[1:].tolist(), len(ids)]
        arrays = {names[int(ids[a])]: (slots[a:b], strengths[a:b]) for a, b in zip(starts.tolist(), ends, strict=True)}
        return cls(arrays, len(counts))

    def df(self, term: str) -> int:
        found = self._arrays.get(term)
        return 0 if found is None else len(found[0])

    def __contains__(self, term: str) -> bool:
        return term in self._arrays

    def __len__(self) -> int:
        return len(self._arrays)

    def held(self, weighted: Iterable[tuple[str, float, float]]) -> npt.NDArray[np.float32]:
        """Per slot, the query mass its entry explains: Σ idf × min(query weight, strength).

        A common term's share is kept as a whole row per (term, weight, idf) and added in one
        contiguous step: the same float32 sums (a slot without the term adds 0.0, exactly), without
        recomputing and scattering thousands of values on every question that has the word."""
        total = np.zeros(self.size, np.float32)
        arrays = self._arrays
        rows = self._rows
        dense_from = max(DENSE_MIN, self.size // DENSE_SHARE)
        for term, weight, idf in weighted:
            found = arrays.get(term)
            if found is None:
                continue
            slots, strengths = found
            if len(slots) < dense_from:
                total[slots] += np.minimum(strengths, weight) * idf
                continue
            row = rows.get((term, weight, idf))
            if row is None:
                row = np.zeros(self.size, np.float32)
                row[slots] = np.minimum(strengths, weight) * idf
                if len(rows) < DENSE_ROWS:
                    rows[(term, weight, idf)] = row
            total += row
        return total

    def changed(self, slot: int, old: Terms | None, new: Terms | None, size: int) -> Postings:
        """A copy with one slot's profile replaced (`None`: the slot is empty)."""
        arrays = dict(self._arrays)
        old = old or {}
        new = new or {}
        for term in old.keys() | new.keys():
            slots, strengths = arrays.get(term, _EMPTY)
            keep = slots != slot
            slots, strengths = slots[keep], strengths[keep]
            if term in new:
                at = int(np.searchsorted(slots, slot))
                slots = np.insert(slots, at, slot)
                strengths = np.insert(strengths, at, np.float32(new[term]))
            if len(slots):
                arrays[term] = (slots, strengths)
            else:
                arrays.pop(term, None)
        return Postings(arrays, size)
