"""A large base analysed in worker processes gives the same index as one analysed in-process."""

from __future__ import annotations

import pytest

from knowledge import BUNDLED_KNOWLEDGE, parallel
from knowledge.search import KnowledgeIndex


def test_workers_build_the_same_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_TEXTS", 1)
    in_workers = KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_TEXTS", 10**9)
    in_process = KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE)

    assert in_workers._state.terms == in_process._state.terms
    mine, theirs = in_workers._lexicon.tables(), in_process._lexicon.tables()
    assert mine.known == theirs.known
    assert list(mine.forms.items()) == list(theirs.forms.items())
    assert list(mine.readings.items()) == list(theirs.readings.items())
    assert list(mine.synonyms.items()) == list(theirs.synonyms.items())
    for question in ("パスワードを忘れた", "請求書を再発行したい", "ろぐいんできない"):
        assert in_workers.search(question) == in_process.search(question)


def test_small_bases_are_analysed_in_process() -> None:
    assert parallel.analyse_in_workers(["a"] * 10, None, None) is None  # type: ignore[arg-type]
