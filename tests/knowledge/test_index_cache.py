"""Index cache: a restart reads the analysis from disk, and gets exactly the index a build makes."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import knowledge.index as index_module
import knowledge.index_cache as index_cache
from knowledge import BUNDLED_KNOWLEDGE
from knowledge.loader import Entry, load_entries
from knowledge.packed import strings
from knowledge.search import KnowledgeIndex
from knowledge.vocabulary import load_vocabulary

QUERIES = [
    "請求書を再発行してほしい",
    "ぱすわーど りせっと",
    "ダウングレド したい",
    "支払い方砲を知りたい",
    "How do I reset my password?",
    "有料プランにアップグレードしたい",
    "お疲れさまです",
]


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load_entries(BUNDLED_KNOWLEDGE)


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("faq-index-*.npz"))


def _observed(index: KnowledgeIndex) -> list[object]:
    return [(index.search(q), index.explain(q), list(index.query_terms(q).items()), index.term_count) for q in QUERIES]


def test_a_cached_index_is_the_index_a_build_makes(entries: list[Entry], tmp_path: Path) -> None:
    built = KnowledgeIndex.build(entries)
    first = KnowledgeIndex.build(entries, cache_dir=tmp_path)  # analyses, then saves
    assert len(_files(tmp_path)) == 1
    second = KnowledgeIndex.build(entries, cache_dir=tmp_path)  # reads
    assert _observed(first) == _observed(built) == _observed(second)


def test_the_cache_is_read_instead_of_analysing(
    entries: list[Entry], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysed: list[str] = []
    real = index_module.analyse_entry

    def counting(entry: Entry, *args: Any) -> Any:
        analysed.append(entry.question)
        return real(entry, *args)

    monkeypatch.setattr(index_module, "analyse_entry", counting)
    first = KnowledgeIndex.build(entries, cache_dir=tmp_path)
    assert len(analysed) == len(entries)  # the cold build goes through what is watched
    again = KnowledgeIndex.build(entries, cache_dir=tmp_path)
    assert len(analysed) == len(entries)  # nothing analysed a second time
    question = entries[0].question
    assert [c.entry.question for c in again.search(question).candidates] == [
        c.entry.question for c in first.search(question).candidates
    ]


def test_changed_entries_are_analysed_again(entries: list[Entry], tmp_path: Path) -> None:
    KnowledgeIndex.build(entries, cache_dir=tmp_path)
    changed = [dataclasses.replace(entries[0], question="経費の精算方法は？"), *entries[1:]]
    index = KnowledgeIndex.build(changed, cache_dir=tmp_path)
    assert len(_files(tmp_path)) == 2
    best = index.search("経費の精算方法は？").best
    assert best is not None and best.entry.question == "経費の精算方法は？"


def test_the_key_covers_entries_and_vocabulary(entries: list[Entry]) -> None:
    vocabulary = load_vocabulary()
    key = index_cache.cache_key(entries, vocabulary)
    assert key == index_cache.cache_key(list(entries), load_vocabulary())
    assert key != index_cache.cache_key(entries[1:], vocabulary)
    assert key != index_cache.cache_key(entries, dataclasses.replace(vocabulary, groups=vocabulary.groups[1:]))


def test_an_unreadable_or_foreign_file_is_ignored_and_replaced(entries: list[Entry], tmp_path: Path) -> None:
    KnowledgeIndex.build(entries, cache_dir=tmp_path)
    (path,) = _files(tmp_path)
    path.write_text("{not numpy", encoding="utf-8")
    assert _observed(KnowledgeIndex.build(entries, cache_dir=tmp_path)) == _observed(KnowledgeIndex.build(entries))
    with np.load(path) as stored:  # rewritten
        data = {name: stored[name] for name in stored.files}
    data["key"] = strings(["another knowledge base"])
    with open(path, "wb") as file:
        np.savez(file, **data)
    key = index_cache.cache_key(entries, load_vocabulary())
    assert index_cache.load(tmp_path, key, len(entries)) is None


def test_the_cache_is_opt_in(entries: list[Entry], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    KnowledgeIndex.build(entries)
    assert list(tmp_path.iterdir()) == []
    KnowledgeIndex.build(entries, cache_dir=tmp_path / "cache")
    assert len(_files(tmp_path / "cache")) == 1
    assert (tmp_path / "cache").stat().st_mode & 0o077 == 0  # private to its user


def test_only_the_most_recent_files_are_kept(entries: list[Entry], tmp_path: Path) -> None:
    for number in range(index_cache.KEEP_FILES + 2):
        KnowledgeIndex.build(entries[number:], cache_dir=tmp_path)
    assert len(_files(tmp_path)) == index_cache.KEEP_FILES


def test_a_directory_that_cannot_be_written_only_costs_the_cache(entries: list[Entry], tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    index = KnowledgeIndex.build(entries, cache_dir=blocked / "cache")
    assert index.search(QUERIES[0]).decision == "answer"


@pytest.mark.parametrize("content", ["[]", '{"format": 1}', "null", "\udcff"])
def test_any_content_of_a_cache_file_is_at_worst_ignored(entries: list[Entry], tmp_path: Path, content: str) -> None:
    KnowledgeIndex.build(entries, cache_dir=tmp_path)
    (path,) = _files(tmp_path)
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    assert index_cache.load(tmp_path, index_cache.cache_key(entries, load_vocabulary()), len(entries)) is None


def _copy_of_bundled(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    for file in sorted(BUNDLED_KNOWLEDGE.glob("*.md")):
        (folder / file.name).write_bytes(file.read_bytes())
    return folder


def test_from_a_folder_unchanged_files_are_neither_parsed_nor_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy_of_bundled(tmp_path)
    built = KnowledgeIndex.from_path(folder)
    KnowledgeIndex.from_path(folder, cache_dir=tmp_path / "cache")
    monkeypatch.setattr("knowledge.index.parse_markdown", lambda *_: pytest.fail("parsed again"))
    monkeypatch.setattr("knowledge.index.analyse_entry", lambda *_: pytest.fail("analysed again"))
    cached = KnowledgeIndex.from_path(folder, cache_dir=tmp_path / "cache")
    assert cached.entries == built.entries
    assert _observed(cached) == _observed(built)


def test_from_a_folder_a_changed_file_is_parsed_and_analysed_again(tmp_path: Path) -> None:
    folder = _copy_of_bundled(tmp_path)
    KnowledgeIndex.from_path(folder, cache_dir=tmp_path / "cache")
    file = sorted(folder.glob("*.md"))[0]
    file.write_text(
        file.read_text(encoding="utf-8") + "\n### Q: 経費の精算方法は？\n\n**A**: 経費精算システムから申請します。\n"
    )
    index = KnowledgeIndex.from_path(folder, cache_dir=tmp_path / "cache")
    assert index.entries == KnowledgeIndex.from_path(folder).entries
    best = index.search("経費の精算方法は？").best
    assert best is not None and best.entry.question == "経費の精算方法は？"


def test_the_key_covers_every_module_an_analysis_reads() -> None:
    """A module the analysis imports (kana_kanji reads 言い換え and learned phrasings) changes the key
    when it changes; one left out would let a cache built by older code be read as current."""
    package = Path(index_cache.__file__).resolve().parent
    readers = ("analysis.py", "entry_texts.py", "parallel.py", "repairs.py", "terms.py", "tokens.py")
    imported = {
        f"{node.module.removeprefix('knowledge.')}.py"
        for name in readers
        for node in ast.walk(ast.parse((package / name).read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("knowledge.")
    }
    assert "kana_kanji.py" in imported
    assert imported <= set(index_cache._ANALYSIS_MODULES)
