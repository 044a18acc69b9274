"""Priorities, and the words people type for them: 高/中/低, high/medium/low, and severity letters A/B/C
only in forms that cannot be an English word (重大度A, sevA, sev-A, A:). A bare letter is never a
priority, so `/case A customer cannot export CSV` is a title, not a high case.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Priority(StrEnum):
    """A case's priority; the value is what the database stores."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


_WORDS: dict[str, Priority] = {
    "高": Priority.HIGH,
    "中": Priority.MEDIUM,
    "低": Priority.LOW,
    **{priority.value: priority for priority in Priority},
}
_LETTERS: dict[str, Priority] = {"a": Priority.HIGH, "b": Priority.MEDIUM, "c": Priority.LOW}
# After NFKC and casefold: 重大度a, seva, sev-a, a: (full-width forms included).
_SEVERITY = re.compile(r"(?:重大度|sev-?)([abc])|([abc]):")


def parse_priority(word: str) -> Priority | None:
    """One word → a Priority (any case, full-width too), or None when it is not a priority."""
    key = unicodedata.normalize("NFKC", word or "").strip().casefold()
    if key in _WORDS:
        return _WORDS[key]
    severity = _SEVERITY.fullmatch(key)
    if severity is None:
        return None
    return _LETTERS[severity.group(1) or severity.group(2)]


def split_priority(text: str) -> tuple[str | None, str]:
    """A leading priority word and the text after it; (None, text) when the text does not start with one.

    The word must stand alone (whitespace or the end after it): 「高速化の要望」 has no priority.
    """
    text = (text or "").strip()
    pieces = text.split(None, 1)  # str.split() treats U+3000 (full-width space) as whitespace too
    if pieces and parse_priority(pieces[0]) is not None:
        return pieces[0], pieces[1] if len(pieces) > 1 else ""
    return None, text
