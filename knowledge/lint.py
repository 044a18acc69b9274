"""Checks a knowledge base before it reaches customers: placeholders, duplicates, empty answers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from knowledge.loader import (
    ALTERNATIVE_LABELS,
    ANSWER_LABELS,
    AUDIENCE_LABELS,
    ESCALATION_LABELS,
    FIELD_LINE,
    HEADING_LINE,
    ID_LABELS,
    LINK_LABELS,
    QUESTION_LINE,
    SECTION_LABELS,
    Entry,
    markdown_files,
    parse_markdown,
    strip_comments,
    strip_front_matter,
)

KNOWN_LABELS = (
    AUDIENCE_LABELS | ANSWER_LABELS | ALTERNATIVE_LABELS | ESCALATION_LABELS | LINK_LABELS | ID_LABELS | SECTION_LABELS
)

# "[制限値]" — square brackets that are not a Markdown link and not a task-list box.
_PLACEHOLDER = re.compile(r"(?<![!\\])\[(?P<name>[^\[\]\n]{1,40})\](?!\()")
# "[SSO設定ガイド](link)" — a link whose target was never filled in.
_PLACEHOLDER_URL = re.compile(r"\]\((?P<url>link|url|todo|tbd|#|)\)", re.IGNORECASE)
# Markers the loader may not be able to place: a bold label at the start of a line, a heading
# or a bare line that starts like a question or an answer.
_BOLD_LABEL = re.compile(r"^\*\*(?P<label>[^*]{1,40}?)\*\*")
_QUESTION_LIKE = re.compile(r"^#{1,6}\s*(?:\*\*)?\s*(?:Q|Ｑ)\s*(?:[:：.．)）]|\s)|^#{1,6}(?:Q|Ｑ)")
_BARE_MARKER = re.compile(r"^(?:Q|Ｑ|A|Ａ)\s*[:：]")


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    source: str
    line: int
    message: str
    blocking: bool = False  # the loader cannot read the file as meant: a reload keeps the last good version

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.level}: {self.message}"


def _normalise_question(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s?？!！。、.,「」()（）]", "", text)


def lint_text(text: str, source: str) -> tuple[list[Entry], list[Finding]]:
    findings: list[Finding] = []
    lines = strip_comments(text.replace("\r\n", "\n")).split("\n")
    start = strip_front_matter(lines)
    inside = False  # within a “### Q:” entry
    for index in range(start, len(lines)):
        line = lines[index]
        if line.lstrip().startswith(">"):
            callout = line.lstrip("> ").strip()
            if re.fullmatch(r"\[![A-Z]+\]", callout):
                continue  # GitHub callouts such as "> [!NOTE]"
        for match in _PLACEHOLDER.finditer(line):
            name = match.group("name").strip()
            if name in ("", "x", "X") or name.startswith("!"):
                continue
            findings.append(Finding("error", source, index + 1, f"unfilled placeholder [{name}]"))
        for match in _PLACEHOLDER_URL.finditer(line):
            findings.append(
                Finding("error", source, index + 1, f"link without a real address ({match.group('url') or 'empty'})")
            )
        findings.extend(_marker_findings(line, source, index + 1, inside))
        inside = _entry_state(line, inside)
    entries = parse_markdown(text, source)
    for entry in entries:
        if not entry.answer.strip():
            findings.append(Finding("error", source, entry.line, f"no answer for “{entry.question}”", blocking=True))
    return entries, findings


def _entry_state(line: str, inside: bool) -> bool:
    """Whether the lines after `line` belong to an entry (as the loader reads them)."""
    if QUESTION_LINE.match(line):
        return True
    if HEADING_LINE.match(line) or line.strip() == "---":
        return False
    return inside


def _marker_findings(line: str, source: str, number: int, inside: bool) -> list[Finding]:
    """Markers the loader cannot place, and labels it does not know."""
    stripped = line.strip()
    if QUESTION_LINE.match(line):
        return []
    if _QUESTION_LIKE.match(stripped):
        message = f"question marker not recognised: “{stripped[:40]}” (write “### Q: …”)"
        return [Finding("error", source, number, message, blocking=True)]
    if _BARE_MARKER.match(stripped):
        message = f"marker not recognised: “{stripped[:20]}” (write “### Q:” or “**A**:”)"
        return [Finding("error", source, number, message, blocking=True)]
    bold = _BOLD_LABEL.match(stripped) or FIELD_LINE.match(stripped)
    if not bold:
        return []
    label = bold.group("label").strip().rstrip(":：").strip()
    field = FIELD_LINE.match(stripped)
    if field is None:
        if label.lower() in KNOWN_LABELS:
            message = f"**{label}** has no colon: write “**{label}**: …”"
            return [Finding("error", source, number, message, blocking=True)]
        return []  # bold text in an answer
    if not inside:
        message = f"**{label}**: is outside any “### Q:” entry (ignored)"
        return [Finding("error", source, number, message, blocking=True)]
    if label.lower() not in KNOWN_LABELS:
        return [Finding("warning", source, number, f"unknown field **{label}** (shown as-is)")]
    return []


def lint_path(path: Path) -> list[Finding]:
    """Lint every Markdown file under `path`; duplicates are checked across all of them."""
    path = Path(path)
    root = path if path.is_dir() else path.parent
    findings: list[Finding] = []
    seen_questions: dict[str, Entry] = {}
    seen_ids: dict[str, Entry] = {}
    files = markdown_files(path)
    if not files:
        return [Finding("error", str(path), 0, "no Markdown files found")]
    total = 0
    for file in files:
        source = file.relative_to(root).as_posix()
        entries, file_findings = lint_text(file.read_text(encoding="utf-8", errors="replace"), source)
        findings.extend(file_findings)
        total += len(entries)
        for entry in entries:
            for text in (entry.question, *entry.alternatives):
                key = _normalise_question(text)
                other = seen_questions.get(key)
                if other is not None and other is not entry:
                    findings.append(
                        Finding(
                            "error",
                            source,
                            entry.line,
                            f"duplicate question “{text}” (also at {other.location})",
                        )
                    )
                seen_questions.setdefault(key, entry)
            if entry.id in seen_ids:
                findings.append(
                    Finding(
                        "error", source, entry.line, f"duplicate id {entry.id} (also at {seen_ids[entry.id].location})"
                    )
                )
            seen_ids.setdefault(entry.id, entry)
    if total == 0:
        findings.append(Finding("error", str(path), 0, "no “### Q:” entries found"))
    return findings
