"""Read Markdown Q&A files into entries.

The format is the CS team's own FAQ format: `##` categories, `### Q:` questions, and labelled
fields such as `**A**:`, `**エスカレーション**:`, `**関連ドキュメント**:`, `**手順**:`, `**テンプレート**:`.
Anything unexpected is kept or skipped, never fatal: the lint command reports it instead.

Audience: who an entry is for — `internal` (the team; the default) or `customer` (may be answered in
a customer's channel). A file says it in its front matter (`audience: customer`), an entry with
`**公開範囲**: 社外` (or 社内; `audience: customer|internal` too), which wins over the file's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

# Field labels, Japanese and English, mapped to what they mean.
ANSWER_LABELS = {"a", "answer", "回答", "答え"}
ALTERNATIVE_LABELS = {"言い換え", "別の聞き方", "alternatives", "also asked as", "aka"}
ESCALATION_LABELS = {"エスカレーション", "escalation", "エスカレーション先"}
LINK_LABELS = {"関連ドキュメント", "関連記事", "関連リンク", "related", "related docs", "related articles", "links"}
ID_LABELS = {"id"}
AUDIENCE_LABELS = {"公開範囲", "audience"}
# Shown with the answer, in this order, under their own label.
SECTION_LABELS = {"手順", "steps", "procedure", "テンプレート", "template", "備考", "note", "notes"}

QUESTION_LINE = _QUESTION = re.compile(r"^###\s+(?:\*\*)?(?:Q|Ｑ)\s*[:：]\s*(?:\*\*)?\s*(?P<text>.+?)\s*$")
HEADING_LINE = _HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
# `**A**:` and `**A:**` (the colon inside or outside the bold), for every label.
FIELD_LINE = _FIELD = re.compile(r"^\*\*(?P<label>[^*:：]{1,40}?)\s*(?:\*\*\s*[:：]|[:：]\s*\*\*)\s*(?P<value>.*)$")
_LINK = re.compile(r"\[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class Audience(StrEnum):
    """Who an entry is for: the team only, or customers too (answered in customers' channels)."""

    INTERNAL = "internal"
    CUSTOMER = "customer"


_AUDIENCE_WORDS = {
    "internal": Audience.INTERNAL,
    "社内": Audience.INTERNAL,
    "社内限定": Audience.INTERNAL,
    "customer": Audience.CUSTOMER,
    "customers": Audience.CUSTOMER,
    "public": Audience.CUSTOMER,
    "社外": Audience.CUSTOMER,
    "お客様向け": Audience.CUSTOMER,
}
_FRONT_AUDIENCE = re.compile(r"^audience\s*:\s*['\"]?(?P<value>[^'\"#]+?)['\"]?\s*(?:#.*)?$", re.IGNORECASE)


def parse_audience(text: str | None) -> Audience | None:
    """「社外」, "customer", 「社内」, "internal" (any case, full width too) → the audience; else None."""
    word = unicodedata.normalize("NFKC", text or "").strip().casefold()
    return _AUDIENCE_WORDS.get(word)


def front_matter_audience(lines: list[str], end: int) -> Audience | None:
    """The `audience:` of a front matter block (lines before `end`), if it has a known one."""
    for line in lines[1 : max(end - 1, 1)]:
        match = _FRONT_AUDIENCE.match(line.strip())
        if match:
            return parse_audience(match.group("value"))
    return None


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    label: str = ""


@dataclass(frozen=True)
class Entry:
    """One question and its answer, with where it came from."""

    id: str
    question: str
    category: str
    answer: str
    alternatives: tuple[str, ...] = ()
    escalation: str | None = None
    links: tuple[Link, ...] = ()
    sections: tuple[tuple[str, str], ...] = ()
    source: str = ""
    line: int = 0
    audience: Audience = Audience.INTERNAL

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass
class _Draft:
    question: str
    category: str
    line: int
    fields: list[tuple[str, list[str]]] = field(default_factory=list)

    def add_field(self, label: str, value: str) -> None:
        self.fields.append((label, [value] if value else []))

    def add_line(self, text: str) -> None:
        if not self.fields:
            # Text before any label is treated as the answer, so a bare paragraph still counts.
            self.fields.append(("a", []))
        self.fields[-1][1].append(text)


def strip_comments(text: str) -> str:
    """Remove HTML comments but keep line numbers where they were."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def strip_front_matter(lines: list[str]) -> int:
    """Index of the first line after a YAML front matter block (0 if there is none)."""
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                return index + 1
    return 0


def _clean_block(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(line.rstrip() for line in lines)


def _split_alternatives(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)
        parts.extend(p.strip() for p in re.split(r"\s+/\s+|\s*／\s*", line))
    return tuple(p for p in parts if p)


def entry_id(source: str, question: str) -> str:
    """A stable id: the file's name and a short hash of the question's text."""
    digest = hashlib.sha1(unicodedata.normalize("NFKC", question).strip().encode("utf-8")).hexdigest()[:8]
    return f"{_id_prefix(source)}-{digest}"


@lru_cache(maxsize=1024)
def _id_prefix(source: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-") or "kb"


@dataclass
class _Fields:
    """An entry's labelled fields, sorted by what each label means (`*_LABELS`)."""

    audience: Audience
    answer: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    escalation: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    explicit_id: str | None = None

    def add(self, label: str, body: list[str]) -> None:
        key, text = label.strip().lower(), _clean_block(body)
        if key in ANSWER_LABELS:
            self.answer += [text] if text else []  # an empty **A**: adds nothing
        elif key in ALTERNATIVE_LABELS:
            self.alternatives.extend(_split_alternatives(text))
        elif key in ESCALATION_LABELS:
            self.escalation += [text] if text else []
        elif key in AUDIENCE_LABELS:
            self.audience = parse_audience(text) or self.audience
        elif key in ID_LABELS:
            self.explicit_id = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or None
        else:  # links, sections (steps, templates …) and labels lint does not know: all shown
            self._links_or_section(label.strip(), text, links_label=key in LINK_LABELS)

    def _links_or_section(self, label: str, text: str, *, links_label: bool) -> None:
        """Links under a links label, or under any label that holds nothing but links; else a section."""
        found = [Link(m.group("title"), m.group("url"), label) for m in _LINK.finditer(text)]
        if found and (links_label or _LINK.sub("", text).strip(" 、,") == ""):
            self.links.extend(found)
        elif text:
            self.sections.append((label, text))


def _finish(draft: _Draft, source: str, audience: Audience = Audience.INTERNAL) -> Entry:
    fields = _Fields(audience)
    for label, body in draft.fields:
        fields.add(label, body)
    return Entry(
        id=fields.explicit_id or entry_id(source, draft.question),
        question=draft.question,
        category=draft.category,
        answer="\n\n".join(fields.answer),
        alternatives=tuple(fields.alternatives),
        escalation="\n".join(fields.escalation) or None,
        links=tuple(fields.links),
        sections=tuple(fields.sections),
        source=source,
        line=draft.line,
        audience=fields.audience,
    )


def new_entry(
    question: str,
    answer: str,
    *,
    category: str = "",
    escalation: str | None = None,
    links: tuple[Link, ...] = (),
    source: str = "learned.md",
) -> Entry:
    """An entry written outside the Markdown files (e.g. from an agent's answer in a thread), with
    the id it will keep once exported to `source`."""
    question = question.strip()
    return Entry(
        id=entry_id(source, question),
        question=question,
        category=category,
        answer=answer.strip(),
        escalation=escalation,
        links=links,
        source=source,
    )


def parse_markdown(text: str, source: str = "<memory>") -> list[Entry]:
    """Parse one Markdown document into entries; never raises on odd input."""
    lines = strip_comments(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    start = strip_front_matter(lines)
    audience = front_matter_audience(lines, start) or Audience.INTERNAL
    entries: list[Entry] = []
    category = ""
    draft: _Draft | None = None
    for index in range(start, len(lines)):
        raw = lines[index]
        line_no = index + 1
        question = _QUESTION.match(raw)
        if question:
            if draft:
                entries.append(_finish(draft, source, audience))
            draft = _Draft(question=question.group("text"), category=category, line=line_no)
            continue
        heading = _HEADING.match(raw)
        if heading:
            if draft:
                entries.append(_finish(draft, source, audience))
                draft = None
            if len(heading.group("hashes")) == 2:
                category = heading.group("text")
            continue
        if draft is None:
            continue
        if raw.strip() == "---":
            entries.append(_finish(draft, source, audience))
            draft = None
            continue
        match = _FIELD.match(raw.strip())
        if match:
            draft.add_field(match.group("label"), match.group("value").strip())
        else:
            draft.add_line(raw)
    if draft:
        entries.append(_finish(draft, source, audience))
    return entries


def markdown_files(path: Path) -> list[Path]:
    """The Markdown files under a folder (sorted, so ids and order are stable), or the file itself."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"knowledge path {path} does not exist")
    return sorted(p for p in path.rglob("*.md") if p.is_file())


def load_entries(path: Path) -> list[Entry]:
    """Every entry of every Markdown file under `path` (a folder or one file)."""
    path = Path(path)
    root = path if path.is_dir() else path.parent
    entries: list[Entry] = []
    for file in markdown_files(path):
        text = file.read_text(encoding="utf-8", errors="replace")
        entries.extend(parse_markdown(text, source=file.relative_to(root).as_posix()))
    return entries
