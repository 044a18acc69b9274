"""Errors the user caused or can fix: they carry a message key, rendered in the user's language."""

from __future__ import annotations

from bot.i18n import t


class UserFacingError(Exception):
    """Bad input or a refused action: answered politely (ephemeral), and nothing changed."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def render(self, language: str) -> str:
        return t(self.key, language, **self.values)
