"""Slack's identifier shapes, in one place: people (U…, W…), user groups (S…), channels (C…, G…, D…).

The configuration validates IDs with them, the escaping module mints mentions only for them, commands
read `<@U…>` with them, and the pager tells a person (who gets a DM) from a user group (who does not).
"""

from __future__ import annotations

import re

USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
USERGROUP_ID = re.compile(r"S[A-Z0-9]{2,}")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")


def is_user(value: str | None) -> bool:
    return value is not None and USER_ID.fullmatch(value) is not None


def is_usergroup(value: str | None) -> bool:
    return value is not None and USERGROUP_ID.fullmatch(value) is not None


def is_channel(value: str | None) -> bool:
    return value is not None and CHANNEL_ID.fullmatch(value) is not None
