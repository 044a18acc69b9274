"""One consistent version of the index (`knowledge.index`): what every search reads, replaced
whole when the index changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from knowledge.analysis import EntryTerms
from knowledge.confidence import other_entries_words
from knowledge.dense import DenseMatrix
from knowledge.entry_texts import phrasings_of
from knowledge.loader import Entry
from knowledge.normalize import compact
from knowledge.postings import Postings
from knowledge.scoring import Scorer


@dataclass(frozen=True)
class State:
    """One consistent version of the index: what every search reads."""

    entries: tuple[Entry | None, ...]  # by slot; None = removed
    terms: tuple[EntryTerms | None, ...]
    learned: Mapping[str, tuple[str, ...]]  # entry id -> learned phrasings
    slots: Mapping[str, int]  # entry id -> slot
    postings: Postings
    wordings: dict[int, tuple[str, ...]] = field(default_factory=dict, compare=False)  # filled lazily
    scorers: list[Scorer] = field(default_factory=list, compare=False)  # the one scorer of this state
    dense: list[DenseMatrix] = field(default_factory=list, compare=False)  # its entry vectors, when any
    owners: list[dict[str, frozenset[int]]] = field(default_factory=list, compare=False)  # filled lazily

    @property
    def count(self) -> int:
        return len(self.slots)

    def wording(self, slot: int) -> tuple[str, ...]:
        found = self.wordings.get(slot)
        if found is None:
            entry = self.entries[slot]
            assert entry is not None
            found = tuple(compact(t) for t in phrasings_of(entry, self.learned.get(entry.id, ())))
            self.wordings[slot] = found
        return found

    def question_owners(self) -> dict[str, frozenset[int]]:
        """Each term of an entry's question, 言い換え or learned phrasing: the slots that hold it."""
        if not self.owners:
            found: dict[str, set[int]] = {}
            for slot, terms in enumerate(self.terms):
                for phrasing in terms.phrasings if terms is not None else ():
                    for term in phrasing:
                        found.setdefault(term, set()).add(slot)
            self.owners.append({term: frozenset(slots) for term, slots in found.items()})
        return self.owners[0]

    def words(self, terms: Mapping[str, float]) -> Callable[[int], tuple[float, float, float, float]]:
        """How a question's terms sit with an entry's (`knowledge.confidence.other_entries_words`)."""

        def of(slot: int) -> tuple[float, float, float, float]:
            own = self.terms[slot]
            if own is None:
                return (1.0, 1.0, 1.0, 0.0)
            return other_entries_words(terms, own, self.question_owners(), slot, self.postings.df)

        return of


def entry_at(state: State, slot: int) -> Entry:
    entry = state.entries[slot]
    assert entry is not None
    return entry


def empty_state() -> State:
    return State((), (), {}, {}, Postings({}, 0))


def state_of(
    entries: Sequence[Entry],
    terms: Sequence[EntryTerms],
    learned: Mapping[str, tuple[str, ...]],
    postings: Postings | None = None,
) -> State:
    slots: dict[str, int] = {}
    for slot, entry in enumerate(entries):
        slots.setdefault(entry.id, slot)
    if postings is None:
        postings = Postings.build([t.profile for t in terms])
    return State(tuple(entries), tuple(terms), dict(learned), slots, postings)
