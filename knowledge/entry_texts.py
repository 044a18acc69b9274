"""Which texts of an entry are indexed, and how they are cut.

Questions and alternatives are the entry's phrasings (what a matching question covers); the
answer and its sections only explain a question, weakly, and are cut into sentences because
answers repeat sentences across entries.
"""

from __future__ import annotations

import re

from knowledge.loader import Entry

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n+")


def phrasings_of(entry: Entry) -> list[str]:
    """The question, its parts outside and inside brackets, and each alternative wording."""
    texts = [entry.question]
    outside, inside = split_brackets(entry.question)
    texts.extend(part for part in (outside, *inside) if part and part != entry.question)
    texts.extend(entry.alternatives)
    return texts


def split_brackets(text: str) -> tuple[str, list[str]]:
    """「ログインできない (パスワードを忘れた)」 → ("ログインできない", ["パスワードを忘れた"])."""
    inside: list[str] = []
    outside: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "(（":
            if depth == 0:
                outside.append("".join(current))
                current = []
            depth += 1
        elif char in ")）" and depth:
            depth -= 1
            if depth == 0:
                inside.append("".join(current))
                current = []
        else:
            current.append(char)
    (inside if depth else outside).append("".join(current))
    return "".join(outside).strip(), [i.strip() for i in inside if i.strip()]


def answer_sentences(entry: Entry) -> list[str]:
    """Answer, sections, category and link titles, cut into sentences (which repeat across entries)."""
    texts = [entry.answer, entry.category]
    texts.extend(body for _, body in entry.sections)
    texts.extend(link.title for link in entry.links)
    return [s.strip() for text in texts for s in _SENTENCE_END.split(text) if s.strip()]
