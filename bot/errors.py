"""Errors the user caused or can fix: they carry a message key, rendered in the user's language."""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import t


class UserFacingError(Exception):
    """Bad input or a refused action: answered politely (ephemeral), and nothing changed."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def render(self, language: str, *, quote: Callable[[str], str] = str) -> str:
        """The message; `quote` makes text values (which may be what the user typed) safe for the medium."""
        values = {k: quote(v) if isinstance(v, str) else v for k, v in self.values.items()}
        return t(self.key, language, **values)
