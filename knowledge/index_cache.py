"""Index cache: an index's analysis kept on disk, so that a restart with unchanged knowledge
files skips the analysis (tokenising every text is most of a build's time).

Opt-in: pass `cache_dir` to `KnowledgeIndex.build` / `from_path` (the bot passes the
SUPPORTBOT_FAQ_INDEX_CACHE setting). A file is used only when its key matches:
a hash of the entries, the vocabulary, this package's code and the Sudachi versions, so a stale
file is never read (and is replaced by the next build). Files are JSON, so that whatever is found
in the directory is at worst ignored, never executed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from knowledge.analysis import EntryTerms
from knowledge.loader import Entry
from knowledge.repairs import LexiconTables
from knowledge.vocabulary import Vocabulary

Terms = dict[str, float]
FORMAT = 2  # bumped when the file layout changes
KEEP_FILES = 4  # cache files kept per directory (one per knowledge base in use, most recent first)

# The modules whose code decides what an analysis contains.
_ANALYSIS_MODULES = (
    "analysis.py",
    "entry_texts.py",
    "index.py",
    "index_cache.py",
    "normalize.py",
    "repairs.py",
    "terms.py",
    "tokens.py",
    "vocabulary.py",
)
_PREFIX = "faq-index-"

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    """What building an index learns from its entries, before any scoring tables are made."""

    entries: list[EntryTerms]
    lexicon: LexiconTables


def cache_key(entries: Sequence[Entry], vocabulary: Vocabulary, learned: Any = None) -> str:
    """A hash of everything an analysis depends on."""
    digest = hashlib.sha256()
    digest.update(_code_version().encode())
    digest.update(repr((vocabulary.groups, sorted(vocabulary.stopwords.items()))).encode())
    # Pickled only to be hashed (never unpickled): far quicker than repr for thousands of entries.
    digest.update(pickle.dumps(list(entries), protocol=4))
    digest.update(repr(sorted((learned or {}).items())).encode())
    return digest.hexdigest()


def load(directory: Path, key: str, entry_count: int) -> Analysis | None:
    """The analysis saved under `key`, or None when there is none (or it cannot be read)."""
    path = Path(directory) / f"{_PREFIX}{key[:32]}.json"
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
        if data.get("format") != FORMAT or data.get("key") != key:
            return None
        analysis = _from_data(data)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        if not isinstance(error, FileNotFoundError):
            log.warning("ignoring unreadable index cache %s: %s", path, error)
        return None
    if len(analysis.entries) != entry_count:
        return None
    return analysis


def save(directory: Path, key: str, analysis: Analysis) -> None:
    """Save an analysis under `key` (atomically); a cache that cannot be written is only logged."""
    directory = Path(directory)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = _to_data(key, analysis)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))  # one shot: quicker
            os.replace(temporary, directory / f"{_PREFIX}{key[:32]}.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _remove_old_files(directory)
    except (OSError, ValueError, TypeError) as error:
        log.warning("could not write the index cache in %s: %s", directory, error)


def _to_data(key: str, analysis: Analysis) -> dict[str, Any]:
    # Texts that repeat across entries share one terms dict: each is stored once.
    table: list[Terms] = []
    numbers: dict[int, int] = {}

    def number(terms: Terms) -> int:
        found = numbers.get(id(terms))
        if found is None:
            found = numbers[id(terms)] = len(table)
            table.append(terms)
        return found

    rows = [
        [[number(t) for t in e.phrasings], e.profile] for e in analysis.entries
    ]
    lexicon = analysis.lexicon
    return {
        "format": FORMAT,
        "key": key,
        "terms": table,
        "entries": rows,
        "known": sorted(lexicon.known),
        "forms": list(lexicon.forms.items()),
        "readings": list(lexicon.readings.items()),
        "synonyms": list(lexicon.synonyms.items()),
    }


def _from_data(data: dict[str, Any]) -> Analysis:
    table: list[Terms] = data["terms"]
    lexicon = LexiconTables(
        known=set(data["known"]),
        forms={form: _keys(keys) for form, keys in data["forms"]},
        readings={reading: _keys(keys) for reading, keys in data["readings"]},
        synonyms={group: (word[0], word[1]) for group, word in data["synonyms"]},
    )
    entries = []
    for phrasings, profile in data["entries"]:
        entries.append(EntryTerms(tuple(table[number] for number in phrasings), profile))
    return Analysis(entries, lexicon)


def _keys(keys: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((key, kind) for key, kind in keys)


def _remove_old_files(directory: Path) -> None:
    dated = []
    for path in directory.glob(f"{_PREFIX}*.json"):
        try:
            dated.append((path.stat().st_mtime, path))
        except OSError:
            continue  # removed meanwhile by another process
    for _, old in sorted(dated, reverse=True)[KEEP_FILES:]:
        old.unlink(missing_ok=True)


@lru_cache(maxsize=1)
def _code_version() -> str:
    """This package's analysis code and the Sudachi versions: a change to any of them changes keys."""
    digest = hashlib.sha256(str(FORMAT).encode())
    package = Path(__file__).resolve().parent
    for name in _ANALYSIS_MODULES:
        digest.update((package / name).read_bytes())
    for distribution in ("sudachipy", "sudachidict-core"):
        try:
            digest.update(f"{distribution}={metadata.version(distribution)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{distribution}=?".encode())
    return digest.hexdigest()
