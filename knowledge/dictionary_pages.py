"""Sudachi's dictionary pages handed back to the page cache once an analysis is done, so that
they do not stay counted as this process's memory.

Sudachi maps its 200 MB dictionary file read-only and shared. Every page a tokenisation reads stays
mapped in the process, with the kernel's fault-around neighbours (64 KB a fault): loading the
dictionary leaves about 75 MB of the file resident in the process, analysing a 10,000-entry base
(some 30,000 distinct words, spread over the whole file) about 170 MB more, though the pages are
the file's, clean and shared. `release` unmaps them (madvise MADV_DONTNEED): they stay in the page
cache, and a later read maps them again (a minor fault, no disk read). Releasing while a build runs
does not pay: its working set is most of the file, and re-faulting it doubled the build's CPU time.
Only read-only mappings of dictionary files are touched, so no data can be lost; where there is no
/proc or madvise, nothing happens.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from typing import Any

MADV_DONTNEED = 4  # Linux
_MAPS = "/proc/self/maps"
_lock = threading.Lock()
_madvise: list[Any] = []  # libc's madvise once found; [None] when unavailable
log = logging.getLogger(__name__)


def mappings() -> list[tuple[int, int]]:
    """(start, end) of each read-only mapping of a Sudachi dictionary file (*.dic) in this process."""
    found = []
    try:
        with open(_MAPS, encoding="utf-8", errors="replace") as maps:
            for line in maps:
                fields = line.split(maxsplit=5)
                path = fields[5].rstrip() if len(fields) == 6 else ""
                if _is_sudachi_dictionary(path) and "w" not in fields[1]:
                    start, end = fields[0].split("-")
                    found.append((int(start, 16), int(end, 16)))
    except OSError:
        return []
    return found


def _is_sudachi_dictionary(path: str) -> bool:
    """Sudachi's, not another library's (Mozc's, mapped by `knowledge.kana_kanji`'s converter)."""
    return path.endswith(".dic") and "sudachi" in path.lower()


def release() -> int:
    """Unmap the dictionary's resident pages (they stay in the page cache); the bytes released
    from the mappings (0 where this cannot be done)."""
    madvise = _libc_madvise()
    if madvise is None:
        return 0
    released = 0
    with _lock:
        for start, end in mappings():
            if madvise(start, end - start, MADV_DONTNEED) == 0:
                released += end - start
    return released


def _libc_madvise() -> Any:
    if not _madvise:
        function = None
        if sys.platform.startswith("linux"):
            try:
                function = ctypes.CDLL(None, use_errno=True).madvise
                function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
                function.restype = ctypes.c_int
            except (OSError, AttributeError) as error:
                log.debug("madvise unavailable: %s", error)
                function = None
        _madvise.append(function)
    return _madvise[0]
