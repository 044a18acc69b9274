"""The `/case` grammar, as plain data: what the person asked for, or why it is not understood.

Anything that is not a command is a new case: opened at once when it starts with a priority word
(bot/priorities.py), otherwise shown in the case form, so a title like "A customer cannot export CSV"
never opens (or pages) anything by itself. A single ASCII word that is no command (`/case lsit`) is
a mistyped command, not a title: it is answered with the commands there are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.case_vocabulary import ListScope
from bot.identifiers import USER_ID
from bot.priorities import parse_priority, split_priority


class Verb(StrEnum):
    FORM = "form"  # open the case form (prefilled with the text, if any)
    OPEN = "open"
    HELP = "help"
    LIST = "list"
    SHOW = "show"
    ACK = "ack"
    ASSIGN = "assign"
    PRIORITY = "priority"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    STATS = "stats"  # how support is doing (agents): the figures of bot/reports for a period
    CUSTOMER = "customer"  # `/case customer N id`: put the case under a customer (and their plan)
    INVALID = "invalid"


LIST_SCOPES = {
    "open": ListScope.OPEN,
    "mine": ListScope.MINE,
    "all": ListScope.ALL,
    "対応中": ListScope.OPEN,
    "自分": ListScope.MINE,
    "全部": ListScope.ALL,
    "すべて": ListScope.ALL,
}

VERBS = {
    "help": Verb.HELP,
    "ヘルプ": Verb.HELP,
    "list": Verb.LIST,
    "一覧": Verb.LIST,
    "show": Verb.SHOW,
    "詳細": Verb.SHOW,
    "ack": Verb.ACK,
    "対応開始": Verb.ACK,
    "assign": Verb.ASSIGN,
    "担当": Verb.ASSIGN,
    "priority": Verb.PRIORITY,
    "優先度": Verb.PRIORITY,
    "escalate": Verb.ESCALATE,
    "エスカレーション": Verb.ESCALATE,
    "resolve": Verb.RESOLVE,
    "解決": Verb.RESOLVE,
    "reopen": Verb.REOPEN,
    "再オープン": Verb.REOPEN,
    "stats": Verb.STATS,
    "統計": Verb.STATS,
    "customer": Verb.CUSTOMER,
    "顧客": Verb.CUSTOMER,
}
LIST_BY_CUSTOMER = ("customer", "顧客")
"""`/case list customer acme [all]`: that customer's cases."""


@dataclass(frozen=True)
class CaseCommand:
    verb: Verb
    number: int | None = None
    word: str | None = None  # a priority, level, list scope or customer id
    text: str | None = None  # title, reason or note (`/case list customer …`: the customer id)
    error: str | None = None  # message key when verb is INVALID (`word`: what was not understood)
    description: str | None = None  # a new case's lines after the title


def parse_case_number(text: str) -> int | None:
    """ "42" and "#42" (full-width too) → 42."""
    match = re.fullmatch(r"#?(\d{1,9})", unicodedata.normalize("NFKC", text or "").strip())
    return int(match.group(1)) if match else None


def parse_user(word: str) -> str | None:
    """A user as Slack escapes a mention in a command ("<@U123|sato>"), or a bare user ID → "U123"."""
    match = re.fullmatch(rf"<@({USER_ID.pattern})(?:\|[^>]*)?>|({USER_ID.pattern})", (word or "").strip())
    return (match.group(1) or match.group(2)) if match else None


def parse_level(word: str) -> int | None:
    """An escalation level: "L2", "l3", "2" (full-width too) → 2 or 3."""
    match = re.fullmatch(r"l?([23])", unicodedata.normalize("NFKC", word or "").strip().casefold())
    return int(match.group(1)) if match else None


def _split(text: str, parts: int) -> list[str]:
    """Split on whitespace (full-width too) into at most `parts` pieces, keeping the rest intact.

    `str.split()` already treats U+3000 as whitespace; the rest (a title, a reason) keeps its own spaces.
    """
    pieces = text.strip().split(None, parts - 1)
    return pieces + [""] * (parts - len(pieces))


_COMMAND_LIKE = re.compile(r"[A-Za-z][A-Za-z-]*")
"""One ASCII word, alone: meant as a command (`/case lsit`), never a title."""
_MISSING = {  # a verb without the word it needs: what to say
    Verb.PRIORITY: "case.error.priority_missing",
    Verb.ESCALATE: "case.error.level_missing",
    Verb.ASSIGN: "case.error.assignee",
    Verb.CUSTOMER: "case.error.customer_missing",
}


def parse_case_command(text: str, readable: Callable[[str], str] = str) -> CaseCommand:
    """What `/case text` asks for. `text` is as Slack sends it (mentions escaped as `<@U…>`); `readable`
    turns the free text in it (a title, a reason, a note) into what people read (bot/slack/mrkdwn.py's
    from_slack), so that a mention in an assignment stays a user ID."""
    text = (text or "").strip()
    if not text:
        return CaseCommand(Verb.FORM)
    first, rest = _split(text, 2)
    verb = VERBS.get(unicodedata.normalize("NFKC", first).casefold())
    if verb is None:
        if _COMMAND_LIKE.fullmatch(text) and parse_priority(text) is None:
            return CaseCommand(Verb.INVALID, word=text, error="case.error.unknown_command")
        return _new_case(readable(text))
    if verb is Verb.HELP:
        return CaseCommand(Verb.HELP)
    if verb is Verb.STATS:  # the period ("7d", "2026-11"…) is checked where periods are known
        return CaseCommand(Verb.STATS, word=unicodedata.normalize("NFKC", rest).strip() or None)
    if verb is Verb.LIST:
        return _list(rest)
    number_text, remainder = _split(rest, 2)
    number = parse_case_number(number_text)
    if number is None:
        return CaseCommand(Verb.INVALID, error="case.error.number")
    return _on_case(verb, number, remainder, readable)


def _list(rest: str) -> CaseCommand:
    """`/case list [open|mine|all]`, `/case list customer acme [open|all]`."""
    words = unicodedata.normalize("NFKC", rest).strip().casefold().split()
    customer = None
    if words and words[0] in LIST_BY_CUSTOMER:
        if len(words) < 2:
            return CaseCommand(Verb.INVALID, error="case.error.customer_missing")
        customer, words = words[1], words[2:]
    scope = LIST_SCOPES.get(" ".join(words) or "open")
    if scope is None:
        return CaseCommand(Verb.INVALID, error="case.usage")
    return CaseCommand(Verb.LIST, word=scope, text=customer)


def _on_case(verb: Verb, number: int, remainder: str, readable: Callable[[str], str]) -> CaseCommand:
    """A verb on case `number`: what follows the number is its word (priority, level, assignee) and text."""
    if verb in (Verb.SHOW, Verb.ACK):
        return CaseCommand(verb, number=number)
    if verb not in _MISSING:
        return CaseCommand(verb, number=number, text=readable(remainder) or None)
    word, tail = _split(remainder, 2)
    word = (parse_user(word) or "") if verb is Verb.ASSIGN else readable(word)
    if not word:
        return CaseCommand(Verb.INVALID, error=_MISSING[verb])
    return CaseCommand(verb, number=number, word=word, text=readable(tail) or None)


def _new_case(text: str) -> CaseCommand:
    """`/case [priority] title` (further lines: the description). With a priority word the case opens
    at once; without one, the form opens with the text filled in, and nothing happens until it is sent."""
    word, body = split_priority(text)
    title, _, description = body.partition("\n")
    verb = Verb.OPEN if word else Verb.FORM
    return CaseCommand(verb, word=word, text=title.strip(), description=description.strip() or None)
