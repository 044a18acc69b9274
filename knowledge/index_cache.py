"""Index cache: an index's analysis kept on disk, so that a restart with unchanged knowledge
files skips the analysis (tokenising every text is most of a build's time).

Opt-in: pass `cache_dir` to `KnowledgeIndex.build` / `from_path` (the bot passes the
SUPPORTBOT_FAQ_INDEX_CACHE setting). A file is used only when its key matches:
a hash of the entries, the vocabulary, this package's code and the Sudachi versions, so a stale
file is never read (and is replaced by the next build). Files are JSON, so that whatever is found
in the directory is at worst ignored, never executed.
"""

from __future__ import annotations

import base64
import binascii
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

import numpy as np

from knowledge.analysis import EntryTerms
from knowledge.loader import Entry
from knowledge.postings import Postings
from knowledge.repairs import LexiconTables
from knowledge.vocabulary import Vocabulary

Terms = dict[str, float]
FORMAT = 3  # bumped when the file layout changes
KEEP_FILES = 4  # cache files kept per directory (one per knowledge base in use, most recent first)

# The modules whose code decides what an analysis contains.
_ANALYSIS_MODULES = (
    "analysis.py",
    "entry_texts.py",
    "index.py",
    "index_cache.py",
    "normalize.py",
    "parallel.py",
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
    postings: Postings | None = None  # made straight from the stored arrays when read from a file


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
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, binascii.Error) as error:
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
    # Terms are numbered once; each entry's profile and the (shared) phrasings are stored as
    # arrays of term numbers and weights, which load far faster than as JSON objects.
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
    return {
        "format": FORMAT,
        "key": key,
        "profiles": _encode([e.profile for e in analysis.entries], term_numbers),
        "phrasings": _encode(table, term_numbers),
        "references": _array(np.array([n for row in references for n in row], np.int32)),
        "reference_counts": _array(np.array([len(row) for row in references], np.int32)),
        "terms": list(term_numbers),
        "known": sorted(lexicon.known),
        "forms": list(lexicon.forms.items()),
        "readings": list(lexicon.readings.items()),
        "synonyms": list(lexicon.synonyms.items()),
    }


def _from_data(data: dict[str, Any]) -> Analysis:
    names = np.array(data["terms"], dtype=object)
    lexicon = LexiconTables(
        known=set(data["known"]),
        forms={form: _keys(keys) for form, keys in data["forms"]},
        readings={reading: _keys(keys) for reading, keys in data["readings"]},
        synonyms={group: (word[0], word[1]) for group, word in data["synonyms"]},
    )
    table = _decode(data["phrasings"], names)
    profiles = _decode(data["profiles"], names)
    stored = data["profiles"]
    postings = Postings.from_arrays(
        data["terms"],
        _from_array(stored["counts"], np.int32),
        _from_array(stored["ids"], np.int32),
        _from_array(stored["weights"], np.float64),
    )
    references = _from_array(data["references"], np.int32).tolist()
    counts = _from_array(data["reference_counts"], np.int32).tolist()
    if len(counts) != len(profiles) or sum(counts) != len(references):
        raise ValueError("inconsistent phrasing references")
    entries = []
    position = 0
    for profile, count in zip(profiles, counts, strict=True):
        entries.append(EntryTerms(tuple(table[n] for n in references[position : position + count]), profile))
        position += count
    return Analysis(entries, lexicon, postings)


def _encode(dicts: list[Terms], term_numbers: dict[str, int]) -> dict[str, str]:
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
        "counts": _array(np.array(counts, np.int32)),
        "ids": _array(np.array(ids, np.int32)),
        "weights": _array(np.array(weights, np.float64)),  # float64: the weights exactly as analysed
    }


def _decode(data: dict[str, str], names: Any) -> list[Terms]:
    counts = _from_array(data["counts"], np.int32)
    ids = _from_array(data["ids"], np.int32)
    weights = _from_array(data["weights"], np.float64).tolist()
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


def _array(values: Any) -> str:
    return base64.b64encode(values.tobytes()).decode("ascii")


def _from_array(text: str, dtype: Any) -> Any:
    return np.frombuffer(base64.b64decode(text, validate=True), dtype=dtype)


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
