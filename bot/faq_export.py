"""`supportbot faq export`: what was taught in Slack, written into the knowledge base's Markdown files, so
the team reviews it (a diff) and commits it.

Learned phrasings become `**言い換え**:` wording under their entry (appended to its 言い換え line, or a
new line under the question); entries written in Slack go under their category's `##` heading (in the
file that has it; else `learned.md`), with their `**ID**:` so they keep their id. A phrasing the entry
already has is never written twice, and exported rows are marked: exporting again adds nothing.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from bot.clock import Clock
from bot.database import Database
from bot.faq import gap_key
from bot.faq_markdown import entry_markdown, links_of, one_line
from bot.faq_vocabulary import LEARNED_SOURCE, DraftStatus, PhrasingStatus
from bot.models import FaqDraft, FaqPhrasing
from knowledge.loader import ALTERNATIVE_LABELS, FIELD_LINE, HEADING_LINE, Entry, markdown_files, parse_markdown

VOCABULARY = "vocabulary"


@dataclass
class ExportReport:
    """What went where: phrasings and entries written per file, and what could not be placed."""

    phrasings: dict[str, int] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)
    already: int = 0  # learned phrasings the files had already
    orphans: list[str] = field(default_factory=list)  # phrasings whose entry is in no file (kept for later)

    @property
    def written(self) -> int:
        return sum(self.phrasings.values()) + sum(self.entries.values())


@dataclass
class _File:
    """One Markdown file being edited: its lines, its entries, and the insertions to make."""

    source: str
    lines: list[str]
    entries: list[Entry]
    inserts: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))  # before line index
    appends: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))  # to line index

    def text(self) -> str:
        out: list[str] = []
        for index, line in enumerate(self.lines):
            out.extend(self.inserts.get(index, []))
            added = self.appends.get(index)
            out.append(f"{line} / {' / '.join(added)}" if added else line)
        out.extend(self.inserts.get(len(self.lines), []))
        return "\n".join(out)


def export_taught(
    db: Database, clock: Clock, knowledge: Path, out: Path | None = None, *, again: bool = False
) -> ExportReport:
    """Write what was taught into the files under `out` (default: the knowledge folder itself). With
    `again`, rows exported before are written again where the files lack them."""
    root = knowledge if knowledge.is_dir() else knowledge.parent
    out = out or root
    files = _read(root, knowledge, out)
    report = ExportReport()
    with db.transaction() as session:
        phrasings, drafts = _taught(session, again)
        pending = _place_entries(files, drafts, phrasings, out, report)
        _place_phrasings(files, pending, report)
        _write(files, root, out)
        now = clock.now()
        for draft in drafts:
            draft.exported_at = now
        for phrasing in phrasings:
            if phrasing.entry_id not in report.orphans:
                phrasing.exported_at = now
    return report


def _taught(session: Session, again: bool) -> tuple[list[FaqPhrasing], list[FaqDraft]]:
    phrasings = select(FaqPhrasing).where(col(FaqPhrasing.status) == PhrasingStatus.LEARNED)
    drafts = select(FaqDraft).where(col(FaqDraft.status) == DraftStatus.LIVE)
    if not again:
        phrasings = phrasings.where(col(FaqPhrasing.exported_at).is_(None))
        drafts = drafts.where(col(FaqDraft.exported_at).is_(None))
    return (
        list(session.execute(phrasings.order_by(col(FaqPhrasing.id))).scalars()),
        list(session.execute(drafts.order_by(col(FaqDraft.id))).scalars()),
    )


def _read(root: Path, knowledge: Path, out: Path) -> dict[str, _File]:
    """The files to edit: those under `out` when it holds them already (a second export), else the originals."""
    sources = {path.relative_to(root).as_posix() for path in markdown_files(knowledge)}
    if out.is_dir() and out.resolve() != root.resolve():
        sources |= {path.relative_to(out).as_posix() for path in markdown_files(out)}
    files = {}
    for source in sorted(sources):
        path = out / source if (out / source).is_file() else root / source
        text = path.read_text(encoding="utf-8")
        files[source] = _File(source, text.split("\n"), parse_markdown(text, source))
    return files


def _place_entries(
    files: dict[str, _File],
    drafts: Sequence[FaqDraft],
    phrasings: Sequence[FaqPhrasing],
    out: Path,
    report: ExportReport,
) -> list[FaqPhrasing]:
    """New entries under their category (with their learned phrasings); returns the phrasings left to place."""
    known = {entry.id for file in files.values() for entry in file.entries}
    by_entry: dict[str, list[str]] = defaultdict(list)
    for row in phrasings:
        by_entry[row.entry_id].append(row.text)
    placed: set[str] = set()
    for draft in drafts:
        if draft.entry_id in known:
            continue  # exported before (and committed): the files have it
        file, index = _category_end(files, draft.category)
        alternatives = [text for text in by_entry.get(draft.entry_id, []) if gap_key(text) != gap_key(draft.question)]
        markdown = entry_markdown(
            draft.entry_id, draft.question, draft.answer, escalation=draft.escalation, links=links_of(draft.links)
        )
        lines = markdown.rstrip("\n").split("\n")
        if alternatives:
            lines[1:1] = ["", "**言い換え**: " + " / ".join(one_line(text) for text in alternatives)]
        file.inserts[index] += ["", *lines, ""]
        report.entries[file.source] = report.entries.get(file.source, 0) + 1
        placed.add(draft.entry_id)
    return [row for row in phrasings if row.entry_id not in placed]


def _category_end(files: dict[str, _File], category: str) -> tuple[_File, int]:
    """Where a new entry of `category` goes: the end of that `##` section, in the first file that has it;
    else under a new heading in learned.md (category-less entries before its first heading)."""
    for file in files.values():
        start = next((i for i, line in enumerate(file.lines) if _heading(line) == (2, category)), None)
        if start is not None and category:
            end = next((i for i in range(start + 1, len(file.lines)) if _heading(file.lines[i])[0] in (1, 2)), None)
            return file, _before_blank_tail(file.lines, len(file.lines) if end is None else end)
    learned = files.get(LEARNED_SOURCE)
    if learned is None:
        learned = files[LEARNED_SOURCE] = _File(LEARNED_SOURCE, ["# FAQ (taught in Slack)", ""], [])
    if not category:
        first = next((i for i, line in enumerate(learned.lines) if _heading(line)[0] == 2), len(learned.lines))
        return learned, first
    if all(_heading(line) != (2, category) for line in learned.lines):
        learned.inserts[len(learned.lines)] += ["", f"## {category}"]
    return learned, len(learned.lines)


def _heading(line: str) -> tuple[int, str]:
    match = HEADING_LINE.match(line)
    return (len(match.group("hashes")), match.group("text")) if match else (0, "")


def _before_blank_tail(lines: list[str], end: int) -> int:
    """Insert after the section's last text line, not after its trailing blank lines."""
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return end


def _place_phrasings(files: dict[str, _File], phrasings: Sequence[FaqPhrasing], report: ExportReport) -> None:
    """Each phrasing under its entry, unless the entry has it already."""
    where = {entry.id: (file, entry) for file in files.values() for entry in file.entries}
    new: dict[str, list[str]] = defaultdict(list)
    for row in phrasings:
        found = where.get(row.entry_id)
        if found is None:
            report.orphans.append(row.entry_id)
            continue
        _file, entry = found
        have = {gap_key(text) for text in (entry.question, *entry.alternatives, *new[entry.id])}
        if gap_key(row.text) in have:
            report.already += 1
            continue
        new[entry.id].append(one_line(row.text))
    for entry_id, texts in new.items():
        if texts:
            file, entry = where[entry_id]
            _add_alternatives(file, entry, texts)
            report.phrasings[file.source] = report.phrasings.get(file.source, 0) + len(texts)


def _add_alternatives(file: _File, entry: Entry, texts: list[str]) -> None:
    """Append to the entry's one-line 言い換え; add list items to a list; or a new line under the question."""
    heading = entry.line - 1
    end = next(
        (
            i
            for i in range(heading + 1, len(file.lines))
            if _heading(file.lines[i])[0] or file.lines[i].strip() == "---"
        ),
        len(file.lines),
    )
    for index in range(heading + 1, end):
        match = FIELD_LINE.match(file.lines[index].strip())
        if match is None or match.group("label").strip().lower() not in ALTERNATIVE_LABELS:
            continue
        if match.group("value").strip():
            file.appends[index] += texts
        else:
            last = _field_end(file.lines, index, end)
            file.inserts[last] += [f"- {text}" for text in texts]
        return
    file.inserts[heading + 1] += ["", "**言い換え**: " + " / ".join(texts)]


def _field_end(lines: list[str], start: int, end: int) -> int:
    """The line after a list-form field's last item."""
    last = start
    for index in range(start + 1, end):
        if FIELD_LINE.match(lines[index].strip()):
            break
        if lines[index].strip():
            last = index
    return last + 1


def _write(files: dict[str, _File], root: Path, out: Path) -> None:
    """Every file into `out` (a folder of its own gets the unchanged ones and the vocabulary too, so it
    loads as a whole knowledge base)."""
    separate = out.resolve() != root.resolve()
    for source, file in files.items():
        changed = bool(file.inserts or file.appends)
        if changed or separate:
            target = out / source
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(file.text(), encoding="utf-8")
    vocabulary = root / VOCABULARY
    if separate and vocabulary.is_dir() and not (out / VOCABULARY).exists():
        shutil.copytree(vocabulary, out / VOCABULARY)
