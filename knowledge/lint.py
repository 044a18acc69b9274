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
    ESCALATION_LABELS,
    ID_LABELS,
    LINK_LABELS,
    SECTION_LABELS,
    Entry,
    markdown_files,
    parse_markdown,
    strip_comments,
    strip_front_matter,
)

KNOWN_LABELS = ANSWER_LABELS | ALTERNATIVE_LABELS | ESCALATION_LABELS | LINK_LABELS | ID_LABELS | SECTION_LABELS

# "[制限値]" — square brackets that are not a Markdown link and not a task-list box.
_PLACEHOLDER = re.compile(r"(?<![!\\])\[(?P<name>[^\[\]\n]{1,40})\](?!\()")
# "[SSO設定ガイド](link)" — a link whose target was never filled in.
_PLACEHOLDER_URL = re.compile(r"\]\((?P<url>link|url|todo|tbd|#|)\)", re.IGNORECASE)
_FIELD_LABEL = re.compile(r"^\*\*(?P<label>[^*]{1,40}?)\*\*\s*[:：]")


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.level}: {self.message}"


def _normalise_question(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s?？!！。、.,「」()（）]", "", text)


def lint_text(text: str, source: str) -> tuple[list[Entry], list[Finding]]:
    findings: list[Finding] = []
    lines = strip_comments(text.replace("\r\n", "\n")).split("\n")
    start = strip_front_matter(lines)
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
        label = _FIELD_LABEL.match(line.strip())
        if label and label.group("label").strip().lower() not in KNOWN_LABELS:
            findings.append(
                Finding("warning", source, index + 1, f"unknown field **{label.group('label')}** (shown as-is)")
            )
    entries = parse_markdown(text, source)
    for entry in entries:
        if not entry.answer.strip():
            findings.append(Finding("error", source, entry.line, f"no answer for “{entry.question}”"))
    return entries, findings


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
