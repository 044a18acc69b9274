"""Vocabulary data for the FAQ search: synonym groups and stopwords, kept in TSV files.

The matcher knows no words of its own: what counts as "the same thing" (解約 / キャンセル /
cancel), which words carry no topic (教えて, 確認, please) and which are more specific kinds of
a broader concept (クレカ → 支払い方法) all live in `knowledge/vocabulary/*.tsv`, so a CS team
can extend it without touching code. A team puts extra `*.tsv` files in a `vocabulary/` folder
next to its own Markdown files:

- a file with the same name as a bundled one (e.g. `synonyms.tsv`) replaces it;
- any other file adds to the bundled ones;
- a line `-word` (in any file) removes that word from every group and from the stopwords.

Group files (every file except `stopwords*.tsv`), one concept a line, tab-separated::

    解約<TAB>キャンセル<TAB>退会<TAB>cancel subscription<TAB>契約+やめる<TAB>>契約

The first column names the concept, the others are words or phrases that mean it. `a+b` means
"a and b both occur in the question" (in any order). A column starting with `>` names a broader
concept that the question is also, more weakly, about. Lines with the same first column merge.

Stopword files: a word a line, optionally followed by a weight between 0 and 1 (default 0 =
ignore the word entirely; 0.3 = keep it but let it count for little).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from knowledge.normalize import matching_key, normalize_text

BUNDLED_VOCABULARY = Path(__file__).resolve().parent / "vocabulary"
STOPWORD_PREFIX = "stopwords"


@dataclass(frozen=True)
class TermGroup:
    """One concept: its name, the words and phrases that express it, and broader concepts."""

    canonical: str
    variants: tuple[str, ...]
    broader: tuple[str, ...] = ()
    source: str = ""

    @property
    def key(self) -> str:
        return matching_key(self.canonical)


@dataclass(frozen=True)
class Vocabulary:
    """Synonym groups and weighted stopwords, merged from one or more folders."""

    groups: tuple[TermGroup, ...] = ()
    stopwords: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def stopword_weight(self, word: str) -> float | None:
        """The weight of a stopword (0 = ignore), or None when the word is not a stopword."""
        return self.stopwords.get(normalize_text(word))

    @classmethod
    def bundled(cls) -> Vocabulary:
        return load_vocabulary()


@dataclass
class _Builder:
    groups: dict[str, TermGroup] = field(default_factory=dict)
    stopwords: dict[str, float] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)

    def add_group(self, group: TermGroup) -> None:
        old = self.groups.get(group.key)
        if old is None:
            self.groups[group.key] = group
            return
        variants = tuple(dict.fromkeys(old.variants + group.variants))
        broader = tuple(dict.fromkeys(old.broader + group.broader))
        self.groups[group.key] = TermGroup(old.canonical, variants, broader, old.source)

    def build(self) -> Vocabulary:
        groups = []
        for group in self.groups.values():
            if group.key in self.removed:
                continue
            variants = tuple(v for v in group.variants if matching_key(v) not in self.removed)
            groups.append(TermGroup(group.canonical, variants, group.broader, group.source))
        stopwords = {w: weight for w, weight in self.stopwords.items() if matching_key(w) not in self.removed}
        return Vocabulary(tuple(groups), MappingProxyType(stopwords))


def _data_lines(text: str) -> Iterable[tuple[int, list[str]]]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        columns = [normalize_text(c) if not c.strip().startswith(">") else c.strip() for c in raw.split("\t")]
        yield number, [c for c in columns if c]


def _parse_weight(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return min(max(value, 0.0), 1.0)


def read_file(path: Path, builder: _Builder) -> None:
    """Add one TSV file to the builder; malformed lines are skipped rather than fatal."""
    text = path.read_text(encoding="utf-8", errors="replace")
    is_stopwords = path.name.startswith(STOPWORD_PREFIX)
    for number, columns in _data_lines(text):
        if columns[0].startswith("-") and len(columns[0]) > 1 and len(columns) == 1:
            builder.removed.add(matching_key(columns[0][1:]))
            continue
        if is_stopwords:
            weight = _parse_weight(columns[1]) if len(columns) > 1 else 0.0
            for word in columns[:1] if len(columns) > 1 and weight is not None else columns:
                builder.stopwords[word] = weight if weight is not None else 0.0
            continue
        canonical = columns[0]
        if canonical.startswith(">"):
            continue  # a broader link without a concept to attach it to
        variants = tuple(c for c in columns if not c.startswith(">"))
        broader = tuple(normalize_text(c[1:]) for c in columns[1:] if c.startswith(">") and len(c) > 1)
        builder.add_group(TermGroup(canonical, variants, broader, f"{path.name}:{number}"))


def vocabulary_files(folders: Iterable[Path]) -> list[Path]:
    """The TSV files to read, in order: later folders replace same-named files of earlier ones."""
    chosen: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.glob("*.tsv")):
                chosen[path.name] = path
    return list(chosen.values())


def load_vocabulary(*extra_folders: Path) -> Vocabulary:
    """The bundled vocabulary extended (or partly replaced) by the given folders' TSV files."""
    builder = _Builder()
    for path in vocabulary_files([BUNDLED_VOCABULARY, *extra_folders]):
        read_file(path, builder)
    return builder.build()


def vocabulary_folder_for(knowledge_path: Path) -> Path:
    """Where a team keeps extra vocabulary for a knowledge folder (or file): its `vocabulary/` folder."""
    knowledge_path = Path(knowledge_path)
    root = knowledge_path if knowledge_path.is_dir() else knowledge_path.parent
    return root / "vocabulary"
