"""Which texts of an entry are searched, as fields, and how much a match in each field counts.

Every text of an entry finds it: its question, its 言い換え and the phrasings the bot learned
(its *phrasings*: what a matching question may cover whole), and its answer, steps and other
sections, category, escalation and link titles (which explain a question, less strongly). A
knowledge base written without 言い換え is still found through its answers. A 言い換え or learned
phrasing typed with no kanji (a customer's question taught as it was asked) is read converted, as
the question it was taught from is (`knowledge.kana_kanji`): asked again, it meets itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.kana_kanji import convert_unconverted
from knowledge.loader import Entry

# How much a query word found in each field counts, relative to one found in a phrasing.
FIELD_STRENGTH = {
    "question": 1.0,
    "alternative": 1.0,
    "learned": 0.8,  # real users' wording, taught from Slack: strong, but less sure than the team's own
    "answer": 0.75,
    "section": 0.6,
    "category": 0.5,
    "escalation": 0.4,
}
PHRASING_FIELDS = ("question", "alternative", "learned")

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n+")


def field_texts(entry: Entry, learned: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(field, text) of every searched text of an entry; phrasings first, each whole."""
    texts = [("question", text) for text in question_parts(entry.question)]
    texts.extend(("alternative", convert_unconverted(text)) for text in entry.alternatives)
    texts.extend(("learned", convert_unconverted(text)) for text in learned)
    texts.extend(("answer", s) for s in sentences(entry.answer))
    for _, body in entry.sections:
        texts.extend(("section", s) for s in sentences(body))
    texts.extend(("section", link.title) for link in entry.links)
    if entry.category:
        texts.append(("category", entry.category))
    if entry.escalation:
        texts.extend(("escalation", s) for s in sentences(entry.escalation))
    return texts


def phrasings_of(entry: Entry, learned: Sequence[str] = ()) -> list[str]:
    """The question, its parts outside and inside brackets, each alternative and learned wording."""
    return [
        *question_parts(entry.question),
        *map(convert_unconverted, (*entry.alternatives, *learned)),
    ]  # field_texts' first ones


def question_parts(question: str) -> list[str]:
    """The question and, when it has brackets, its parts outside and inside them."""
    texts = [question]
    outside, inside = split_brackets(question)
    texts.extend(part for part in (outside, *inside) if part and part != question)
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


def sentences(text: str) -> list[str]:
    """A text cut into sentences and lines (answers repeat sentences across entries)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
