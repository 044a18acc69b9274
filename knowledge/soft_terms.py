"""Soft terms: a question's plain words expanded, more weakly, to indexed synonyms (optional).

A team's own FAQ has no vocabulary files of its own, so a user who writes 届け先 misses the entry
that says 配送先. Sudachi's synonym dictionary (SudachiDict `synonyms.txt`, Apache-2.0, shipped as
`knowledge/data/sudachi_synonyms.tsv.gz`, built by `tools/build_soft_terms.py`) groups such words.
At query time each plain word of the question (not a vocabulary concept, not a stopword) adds the
indexed words of its groups: the same lexeme spelled otherwise (宛先 / あて先, summary / サマリー) at
`SAME_LEXEME_WEIGHT`, another lexeme of the group (宛先 / 送付先) at `NEAR_WEIGHT`, times the
word's own weight. Only terms the index holds are added, at most `MAX_TARGETS` per word; the cost
is a few dictionary lookups per word. Off by default (`[faq] soft_terms`): measured, see docs/faq-measurements.md.

This module is the only one that reads the data file; `tests/knowledge/test_soft_terms.py` pins
its format.
"""

from __future__ import annotations

import gzip
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from knowledge.asks import Ask
from knowledge.normalize import matching_key
from knowledge.repairs import Lexicon
from knowledge.scoring import Query
from knowledge.tokens import CONTENT_KINDS, Token

DATA_FILE = Path(__file__).resolve().parent / "data" / "sudachi_synonyms.tsv.gz"
ENVIRONMENT = "SUPPORTBOT_FAQ_SOFT_TERMS"  # benchmarks and tests switch it without a config file
SAME_LEXEME_WEIGHT = 0.8
NEAR_WEIGHT = 0.5
MAX_TARGETS = 3  # per question word: a word in a big group must not flood the question


class SoftMode(StrEnum):
    """Which question words are expanded."""

    OFF = "off"
    UNKNOWN = "unknown"  # words no entry uses (after repairs)
    ALL = "all"  # every plain content word


@dataclass(frozen=True)
class SynonymTable:
    """Sudachi's synonym groups: word key -> (group, lexeme) it may expand from; group -> members."""

    triggers: Mapping[str, tuple[tuple[int, int], ...]]
    members: Mapping[int, tuple[tuple[str, int], ...]]

    def __len__(self) -> int:
        return len(self.members)


def parse(lines: Iterable[str]) -> SynonymTable:
    """Read the data file's lines: `group<TAB>lexeme<TAB>trigger<TAB>word`, `#` comments."""
    triggers: dict[str, list[tuple[int, int]]] = defaultdict(list)
    members: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        group, lexeme, trigger, word = line.rstrip("\n").split("\t")
        key = matching_key(word)
        if not key:
            continue
        members[int(group)].append((key, int(lexeme)))
        if trigger == "1":
            triggers[key].append((int(group), int(lexeme)))
    return SynonymTable(
        {k: tuple(v) for k, v in triggers.items()},
        {g: tuple(dict.fromkeys(v)) for g, v in members.items()},
    )


_table: SynonymTable | None = None
_lock = threading.Lock()
_mode: SoftMode | None = None


def table() -> SynonymTable:
    """The shipped synonym table, read once per process (about 1 s and 30 MB: why it is off unless asked)."""
    global _table
    with _lock:
        if _table is None:
            with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
                _table = parse(handle)
        return _table


def configure(mode: SoftMode | str | None) -> None:
    """Set the process's mode (`[faq] soft_terms`; None = $SUPPORTBOT_FAQ_SOFT_TERMS, else off)."""
    global _mode
    _mode = None if mode is None else SoftMode(mode)
    if _mode not in (None, SoftMode.OFF):
        table()  # read at start-up, not on the first question


def mode() -> SoftMode:
    if _mode is not None:
        return _mode
    return SoftMode(os.environ.get(ENVIRONMENT, "off") or "off")


class Holds(Protocol):
    """What the index holds (`knowledge.postings.Postings`): only terms it holds are added."""

    def __contains__(self, term: str, /) -> bool: ...


Targets = Callable[[str], tuple[str, ...]]  # a member word's key -> the index terms it is


def expand(tokens: list[Token], terms: dict[str, float], indexed: Holds, targets: Targets) -> dict[str, str]:
    """Add soft terms to `terms` in place; return each added term with the key of the word it came from."""
    current = mode()
    if current is SoftMode.OFF:
        return {}
    synonyms = table()
    added: dict[str, str] = {}
    for token in tokens:
        weight = terms.get(token.key)
        if token.kind not in CONTENT_KINDS or not weight:
            continue  # grammar, stopwords and words the vocabulary already turned into concepts
        if current is SoftMode.UNKNOWN and token.key in indexed:
            continue
        for term, factor in _neighbours(token, synonyms, indexed, targets):
            value = weight * factor
            if value > terms.get(term, 0.0):
                terms[term] = value
                added[term] = token.key
    return added


def _neighbours(token: Token, synonyms: SynonymTable, indexed: Holds, targets: Targets) -> list[tuple[str, float]]:
    """The indexed terms of the word's groups, best first, at most MAX_TARGETS."""
    own = {token.key, matching_key(token.surface)}
    found: dict[str, float] = {}
    for group, lexeme in synonyms.triggers.get(matching_key(token.surface), ()) or synonyms.triggers.get(token.key, ()):
        for member, member_lexeme in synonyms.members.get(group, ()):
            if member in own:
                continue
            factor = SAME_LEXEME_WEIGHT if member_lexeme == lexeme else NEAR_WEIGHT
            for term in targets(member):
                if term not in own and term in indexed and factor > found.get(term, 0.0):
                    found[term] = factor
    return sorted(found.items(), key=lambda item: -item[1])[:MAX_TARGETS]


def lexicon_targets(
    forms: Mapping[str, tuple[tuple[str, str], ...]], phrases: Mapping[tuple[str, ...], set[str]]
) -> Targets:
    """Member words resolved through what the index learned: a word as written (its form) -> its
    key, or the vocabulary concepts it is a phrase of (ログオン -> #ログイン)."""

    def resolve(member: str) -> tuple[str, ...]:
        keys = forms.get(member)
        if not keys:
            return ()
        words = tuple(key for key, _ in keys)
        concepts = phrases.get(words)
        if concepts:
            return tuple(sorted(concepts))
        return words if len(words) == 1 else ()

    return resolve


def expanded(
    tokens: list[Token], terms: dict[str, float], indexed: Holds, lexicon: Lexicon
) -> tuple[dict[str, float], dict[str, str]]:
    """A question's terms with its soft terms (the index's hook); nothing is read while off."""
    if mode() is SoftMode.OFF:
        return terms, {}
    return terms, expand(tokens, terms, indexed, lexicon_targets(lexicon.forms, lexicon.analyzer.phrases))


def applied(found: Query, tokens: list[Token], indexed: Holds, lexicon: Lexicon) -> Query:
    """A question's query with its soft terms and the asks they widen (the index's hook)."""
    terms, soft = expanded(tokens, dict(found.terms), indexed, lexicon)
    if not soft:
        return found
    return replace(found, terms=terms, asks=widen(list(found.asks), soft), expansions=soft)


def widen(asks: list[Ask], soft: Mapping[str, str]) -> list[Ask]:
    """An ask word's soft terms cover its ask too: 送付先 answers an ask about 宛先, more weakly in the
    score but not as a missing ask."""
    if not soft:
        return asks
    widened = []
    for terms, weight in asks:
        extra = {term for term, source in soft.items() if source in terms}
        widened.append((terms | extra, weight) if extra else (terms, weight))
    return widened
