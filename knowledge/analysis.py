"""An entry's texts reduced to terms, field by field.

Each entry keeps the terms of each phrasing (its question and the parts of it, each 言い換え,
each learned phrasing: what a question may cover whole), the terms of each field merged, and its
*profile*: for each term, the strongest evidence any field gives (field strength × the word's
weight). The profile is what finds and ranks entries; the rest explains and refines the ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from knowledge.entry_texts import FIELD_STRENGTH, PHRASING_FIELDS, field_texts
from knowledge.loader import Entry
from knowledge.terms import put

Terms = dict[str, float]
Analyse = Callable[[str], Terms]  # a text to its weighted terms (knowledge.index caches it)


@dataclass(frozen=True)
class EntryTerms:
    """What searching needs of an entry (kept for every entry, so kept small)."""

    phrasings: tuple[Terms, ...]  # question (and its parts), 言い換え, learned phrasings
    profile: Terms  # term -> strongest field strength × word weight


def analyse_entry(entry: Entry, learned: Sequence[str], analyse: Analyse) -> EntryTerms:
    phrasings: list[Terms] = []
    profile: Terms = {}
    for name, text in field_texts(entry, learned):
        terms = analyse(text)
        if not terms:
            continue
        if name in PHRASING_FIELDS:
            phrasings.append(terms)
        strength = FIELD_STRENGTH[name]
        for term, weight in terms.items():
            put(profile, term, strength * weight)
    return EntryTerms(tuple(phrasings), profile)


def field_terms(entry: Entry, learned: Sequence[str], analyse: Analyse) -> dict[str, Terms]:
    """The terms of each field of an entry (for explaining a match: analysed again when asked)."""
    fields: dict[str, Terms] = {}
    for name, text in field_texts(entry, learned):
        merged = fields.setdefault(name, {})
        for term, weight in analyse(text).items():
            put(merged, term, weight)
    return fields


def field_of(fields: Mapping[str, Terms], term: str) -> str | None:
    """The field that gives a term its strength."""
    best, strongest = None, 0.0
    for name, terms in fields.items():
        strength = FIELD_STRENGTH[name] * terms.get(term, 0.0)
        if strength > strongest:
            best, strongest = name, strength
    return best
