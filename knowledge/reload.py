"""Reloading one changed knowledge file into a live index, entry by entry.

Only the entries of that file change (added, replaced, removed: each an incremental update, see
`knowledge.index`); learned phrasings stay with their entries. A file that cannot be read, or
whose markers the loader cannot place, changes nothing: the last good entries keep being served
and the errors say which file and line to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.index import KnowledgeIndex
from knowledge.lint import Finding, lint_text


@dataclass(frozen=True)
class ReloadResult:
    source: str
    added: tuple[str, ...] = ()  # entry ids
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    errors: tuple[Finding, ...] = field(default_factory=tuple)  # non-empty: nothing was changed

    @property
    def ok(self) -> bool:
        return not self.errors


def reload_file(index: KnowledgeIndex, path: Path) -> ReloadResult:
    """Bring the index in line with one Markdown file (a deleted file removes its entries)."""
    path = Path(path)
    root = index.root or path.parent
    source = path.resolve().relative_to(root.resolve()).as_posix() if path.is_absolute() else path.as_posix()
    file = path if path.is_absolute() else root / path
    if file.exists():
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return ReloadResult(source, errors=(Finding("error", source, 0, f"cannot read the file: {error}"),))
        entries, findings = lint_text(text, source)
        blocking = tuple(f for f in findings if f.blocking)
        if blocking:
            return ReloadResult(source, errors=blocking)
    else:
        entries = []
    old = {e.id: e for e in index.entries if e.source == source}
    new: dict[str, object] = {}
    added, changed = [], []
    for entry in entries:
        if entry.id in new:
            continue  # a duplicate id: the first one wins, as when the index is built
        new[entry.id] = entry
        if entry.id not in old:
            if index.get(entry.id) is not None:
                continue  # the id belongs to another file's entry
            index.add_entry(entry)
            added.append(entry.id)
        elif old[entry.id] != entry:
            index.replace_entry(entry.id, entry)
            changed.append(entry.id)
    removed = [entry_id for entry_id in old if entry_id not in new]
    for entry_id in removed:
        index.remove_entry(entry_id)
    return ReloadResult(source, tuple(added), tuple(changed), tuple(removed))
