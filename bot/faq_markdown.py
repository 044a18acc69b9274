"""What was taught in Slack, written in the knowledge base's own Markdown format.

An entry written in Slack is served from the very Markdown `supportbot faq export` writes for it
(parsed by the same loader), so the live bot and the exported files answer alike. Text that would
break the format — a line that starts like a heading, a `---` rule, a ` / ` that would split a
言い換え — is made inert here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from bot.faq_vocabulary import LEARNED_SOURCE, SLACK_SOURCE
from knowledge.loader import Entry, Link, new_entry, parse_markdown

_BREAKS_FORMAT = re.compile(r"^(\s*)(#{1,6}\s|---\s*$|\*\*[^*]{1,40}\*\*\s*[:：])")
LINK_LINE = re.compile(r"^(?P<title>.*?)\s*(?P<url>https?://\S+)\s*$")


def one_line(text: str) -> str:
    """A phrasing or question on one line, and one 言い換え: " / " and "／" would split it in two."""
    text = " ".join(text.split())
    return re.sub(r"\s*[／]\s*", "/", re.sub(r"\s+/\s+", "/", text))


def inert_block(text: str) -> str:
    """A multi-line answer whose lines cannot end the entry or start another field when read back."""
    lines = text.strip().replace("\r\n", "\n").split("\n")
    return "\n".join(_BREAKS_FORMAT.sub(lambda m: m.group(1) + "\\" + m.group(2), line) for line in lines)


def parse_links(text: str | None) -> list[Link]:
    """「タイトル https://…」 lines (a bare URL is its own title). ValueError(line number) for anything else."""
    links = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = LINK_LINE.match(line.strip())
        if match is None:
            raise ValueError(number)
        links.append(Link(match.group("title").strip() or match.group("url"), match.group("url")))
    return links


def links_data(links: Sequence[Link]) -> list[dict[str, str]]:
    return [{"title": link.title, "url": link.url} for link in links]


def links_of(data: Sequence[dict[str, Any]]) -> tuple[Link, ...]:
    return tuple(Link(str(item.get("title", "")), str(item.get("url", ""))) for item in data)


def entry_markdown(
    entry_id: str,
    question: str,
    answer: str,
    *,
    escalation: str | None = None,
    links: Sequence[Link] = (),
) -> str:
    """One `### Q:` entry in the loader's format, its id written out so it keeps it in any file."""
    parts = [f"### Q: {one_line(question)}", f"**ID**: {entry_id}", f"**A**: {inert_block(answer)}"]
    if escalation and escalation.strip():
        parts.append(f"**エスカレーション**: {one_line(escalation)}")
    if links:
        titles = " / ".join(
            f"[{one_line(link.title).replace(']', ')')}]({link.url.replace(')', '%29')})" for link in links
        )
        parts.append(f"**関連ドキュメント**: {titles}")
    return "\n\n".join(parts) + "\n"


def draft_entry_id(question: str) -> str:
    """The id an entry written in Slack gets, and keeps once exported (knowledge.loader.new_entry)."""
    return new_entry(one_line(question), "-", source=LEARNED_SOURCE).id


def written_entry(
    entry_id: str,
    question: str,
    answer: str,
    *,
    category: str = "",
    escalation: str | None = None,
    links: Sequence[Link] = (),
) -> Entry:
    """The entry as the loader reads its Markdown (from no file: it lives in the database)."""
    markdown = entry_markdown(entry_id, question, answer, escalation=escalation, links=links)
    (entry,) = parse_markdown(markdown, LEARNED_SOURCE)
    return dataclasses.replace(entry, category=category, source=SLACK_SOURCE, line=0)


def from_database(entry: Entry) -> bool:
    """Whether an indexed entry is one written in Slack (not read from a file)."""
    return entry.source == SLACK_SOURCE
