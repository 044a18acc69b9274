"""A large knowledge base's texts analysed in worker processes.

Tokenising with Sudachi is most of a cold build, and each process can only use one core. Above
`PARALLEL_MIN_TEXTS` distinct texts, and when a core is spare (`workers`), the texts are cut into
chunks (in the order a build in one process meets them) and analysed by a pool of spawned
processes, each returning the terms of its texts and what its texts teach the lexicon; the chunks'
lessons are replayed in order, so the index is the same as one built in a single process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import MappingProxyType
from typing import Any

from knowledge.entry_texts import field_texts
from knowledge.loader import Entry
from knowledge.normalize import normalize_text
from knowledge.repairs import Lexicon, lessons
from knowledge.terms import Keys, analyzer_for
from knowledge.tokens import Token, tokenize
from knowledge.vocabulary import TermGroup, Vocabulary

Terms = dict[str, float]
PARALLEL_MIN_TEXTS = 20_000  # fewer distinct texts are analysed in the process itself
CHUNKS_PER_WORKER = 4
_worker: dict[str, Any] = {}
log = logging.getLogger(__name__)


def distinct_texts(entries: Sequence[Entry], learned: Mapping[str, Sequence[str]]) -> list[str]:
    """Every searched text of the entries once, in the order a build meets them."""
    seen: dict[str, None] = {}
    for entry in entries:
        for _, text in field_texts(entry, learned.get(entry.id, ())):
            seen.setdefault(text)
    return list(seen)


def workers() -> int:
    """How many processes analyse a large base: the cores this process may use, less those other
    work keeps busy (the load average counts this process too). On a busy machine the pool's
    start (about 2 s) and its results' transfer cost more than a second core gives back."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    idle = cores + 1 - os.getloadavg()[0]
    return max(1, min(cores, int(idle)))


def analyse_in_workers(texts: list[str], vocabulary: Vocabulary, lexicon: Lexicon) -> dict[str, Terms] | None:
    """Each text's terms, with `lexicon` taught what the texts teach; None when the texts are too
    few (or no spare core) and a build in this process is quicker."""
    count = workers()
    if len(texts) < PARALLEL_MIN_TEXTS or count < 2:
        return None
    size = -(-len(texts) // (count * CHUNKS_PER_WORKER))
    chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
    context = multiprocessing.get_context("spawn")  # no fork of a process that may run threads
    initargs = (vocabulary.groups, dict(vocabulary.stopwords))
    try:
        with ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=initargs) as pool:
            results = list(pool.map(_analyse_chunk, chunks))
    except (OSError, BrokenProcessPool) as error:  # e.g. a main module that cannot be re-imported
        log.warning("analysing in this process only: the worker processes failed (%s)", error)
        return None
    analysed: dict[str, Terms] = {}
    for chunk, (terms, chunk_lessons) in zip(chunks, results, strict=True):
        analysed.update(zip(chunk, terms, strict=True))
        for words, runs in chunk_lessons:  # in the order one process would learn them
            lexicon.learn_lessons(words, runs)
    return analysed


def _start(groups: tuple[TermGroup, ...], stopwords: dict[str, float]) -> None:
    _worker["analyzer"] = analyzer_for(Vocabulary(groups, MappingProxyType(stopwords)))


def _analyse_chunk(texts: list[str]) -> tuple[list[Terms], list[tuple[list[Token], list[tuple[str, Keys]]]]]:
    """The chunk's terms, and its lessons for the lexicon without the words met before in it."""
    analyzer = _worker["analyzer"]
    analysed = []
    taught = []
    seen: set[tuple[str, str]] = set()
    for text in texts:
        tokens = tokenize(normalize_text(text))
        analysed.append(analyzer.terms(tokens))
        words, runs = lessons(tokens)
        new = [t for t in words if (t.surface, t.key) not in seen]
        seen.update((t.surface, t.key) for t in new)
        taught.append((new, runs))
    return analysed, taught
