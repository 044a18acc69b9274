"""The messages a console session has seen, numbered m1, m2 … so `reply mN` and `shortcut … mN` can
name one: what people typed and what the bot posted, in order."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.devtools.render_text import mrkdwn_to_text


class History:
    def __init__(self, bot_user_id: str, name_of: Callable[[str], str]) -> None:
        self.bot_user_id = bot_user_id
        self.name_of = name_of
        self.items: list[dict[str, Any]] = []

    def remember(self, channel: str, ts: str | None, thread_ts: str | None, text: str, user: str) -> int:
        """Number a message; returns its number."""
        self.items.append({"channel": channel, "ts": ts, "thread_ts": thread_ts, "text": text, "user": user})
        return len(self.items)

    def remember_bot(self, channel: str, ts: str | None, thread_ts: str | None, text: str) -> int:
        return self.remember(channel, ts, thread_ts, text, self.bot_user_id)

    def find(self, ref: str | None, channel: str) -> dict[str, Any]:
        """Message `ref` ("m3" or "3"); without one, the last message a person wrote in `channel`."""
        if ref is None:
            people = [m for m in self.items if m["channel"] == channel and m["user"] != self.bot_user_id]
            if not people:
                raise ValueError("no message here yet: type one, or name one (see /messages)")
            return people[-1]
        match = re.fullmatch(r"m?(\d+)", ref)
        if match is None or not 1 <= int(match.group(1)) <= len(self.items):
            raise ValueError(f"no message {ref} (see /messages)")
        return self.items[int(match.group(1)) - 1]

    def lines(self, channel: str) -> list[str]:
        """`/messages`: the channel's messages with their numbers."""
        shown = []
        for number, message in enumerate(self.items, start=1):
            if message["channel"] == channel:
                where = " (thread)" if message["thread_ts"] else ""
                text = mrkdwn_to_text(message["text"] or "", self._name)
                first = text.splitlines()[0][:60] if text else ""
                shown.append(f"  m{number} @{self._name(message['user'])}{where}: {first}")
        return shown

    def _name(self, ident: str) -> str:
        return "bot" if ident == self.bot_user_id else self.name_of(ident)
