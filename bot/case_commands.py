"""The `/case` grammar, as plain data: what the person asked for, or why it is not understood.

Anything that is not a command is a new case: opened at once when it starts with a priority word
(bot/priorities.py), otherwise shown in the case form, so a title like "A customer cannot export CSV"
never opens (or pages) anything by itself.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.cases import parse_case_number
from bot.priorities import split_priority

LIST_SCOPES = {
    "open": "open",
    "mine": "mine",
    "all": "all",
    "対応中": "open",
    "自分": "mine",
    "全部": "all",
    "すべて": "all",
}

VERBS = {
    "help": "help",
    "ヘルプ": "help",
    "list": "list",
    "一覧": "list",
    "show": "show",
    "詳細": "show",
    "ack": "ack",
    "対応開始": "ack",
    "priority": "priority",
    "優先度": "priority",
    "escalate": "escalate",
    "エスカレーション": "escalate",
    "resolve": "resolve",
    "解決": "resolve",
    "reopen": "reopen",
    "再オープン": "reopen",
}


@dataclass(frozen=True)
class CaseCommand:
    """verb: form | open | help | list | show | ack | priority | escalate | resolve | reopen | invalid."""

    verb: str
    number: int | None = None
    word: str | None = None  # a priority, level or list scope
    text: str | None = None  # title, reason or note
    error: str | None = None  # message key when verb == "invalid"
    description: str | None = None  # a new case's lines after the title


def _split(text: str, parts: int) -> list[str]:
    """Split on whitespace (full-width too) into at most `parts` pieces, keeping the rest intact.

    `str.split()` already treats U+3000 as whitespace; the rest (a title, a reason) keeps its own spaces.
    """
    pieces = text.strip().split(None, parts - 1)
    return pieces + [""] * (parts - len(pieces))


def parse_case_command(text: str) -> CaseCommand:
    text = (text or "").strip()
    if not text:
        return CaseCommand("form")
    first, rest = _split(text, 2)
    key = unicodedata.normalize("NFKC", first).casefold()
    verb = VERBS.get(key)
    if verb is None:
        return _new_case(text)
    if verb == "help":
        return CaseCommand("help")
    if verb == "list":
        scope_word = unicodedata.normalize("NFKC", rest).strip().casefold() or "open"
        scope = LIST_SCOPES.get(scope_word)
        return CaseCommand("list", word=scope) if scope else CaseCommand("invalid", error="case.usage")
    number_text, remainder = _split(rest, 2)
    number = parse_case_number(number_text)
    if number is None:
        return CaseCommand("invalid", error="case.error.number")
    if verb in ("show", "ack"):
        return CaseCommand(verb, number=number)
    if verb in ("priority", "escalate"):
        word, tail = _split(remainder, 2)
        if not word:
            return CaseCommand("invalid", error="case.usage")
        return CaseCommand(verb, number=number, word=word, text=tail or None)
    return CaseCommand(verb, number=number, text=remainder or None)


def _new_case(text: str) -> CaseCommand:
    """`/case [priority] title` (further lines: the description). With a priority word the case opens
    at once; without one, the form opens with the text filled in, and nothing happens until it is sent."""
    word, body = split_priority(text)
    title, _, description = body.partition("\n")
    return CaseCommand(
        "open" if word else "form", word=word, text=title.strip(), description=description.strip() or None
    )
