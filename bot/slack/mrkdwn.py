"""The one place where text becomes Slack mrkdwn.

Two kinds of text reach the bot. *Slack-formatted* text (a message, a slash command's text) has
`&`, `<`, `>` escaped and mentions as tokens (`<@U123>`, `<!channel>`, `<!subteam^S1>`,
`<#C1|name>`); `from_slack` turns it into *plain* text once, where it enters. Plain text (what is
stored, what a modal returns) goes out through `escape_text` / `quote_text` (mrkdwn) or
`plain_field` (plain_text objects), which escape every `<` and `>`: nothing a user typed can form a
token, so nothing they typed can ping `@channel` or anyone else. Mentions are minted only by
`mention_*`, from IDs the bot chose (and @here only from configuration).
"""

from __future__ import annotations

import re

from bot.identifiers import is_channel, is_user, is_usergroup

_TOKEN = re.compile(r"<([^<>]*)>")
_TOKEN_START = re.compile(r"<(?=[!@#])")


def _decode_entities(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _readable(token: str) -> str:
    """What a Slack token looks like as plain text, once it can no longer notify anyone."""
    body, _, label = token.partition("|")
    if body.startswith("@"):
        return "@" + (label or body[1:])
    if body.startswith("#"):
        return "#" + (label or body[1:])
    if body.startswith("!subteam^"):
        return "@" + (label.lstrip("@") or body.removeprefix("!subteam^"))
    if body.startswith("!date^"):
        return label or "date"
    if body.startswith("!"):
        return "@" + (label.lstrip("@") or body[1:])
    if label:  # a link: keep both parts visible
        return f"{label} ({body})"
    return body


def _shorten(text: str, limit: int | None) -> str:
    if limit is not None and len(text) > limit:
        return text[: max(limit - 1, 0)] + "…"
    return text


def from_slack(text: str | None) -> str:
    """Slack-formatted text → plain text: tokens become readable words, entities are decoded.

    Order matters: in Slack's text a real `<…>` is always a token, and a `<` the user typed
    arrives as `&lt;`; decoding first would turn typed text into tokens.
    """
    readable = _TOKEN.sub(lambda m: _readable(m.group(1)), text or "")
    return _decode_entities(readable)


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_text(text: str | None, *, limit: int | None = None) -> str:
    """Plain user text (as stored) for a mrkdwn field or a message's `text`."""
    return escape(_shorten(text or "", limit))


def quote_text(text: str | None, *, limit: int | None = None) -> str:
    """Plain user text as a mrkdwn block quote, one `>` per line."""
    escaped = escape_text(text, limit=limit)
    return "\n".join("&gt; " + line if line else "&gt;" for line in escaped.split("\n"))


def plain_field(text: str | None, *, limit: int | None = None) -> str:
    """Plain user text for a plain_text object (a button, an input's initial value).

    Slack does not parse tokens there; `<` before `!`, `@` or `#` is still made inert, so the
    text stays harmless wherever it is copied next.
    """
    return _TOKEN_START.sub("‹", _shorten(text or "", limit))


def escape_user_text(text: str | None, *, limit: int | None = None) -> str:
    """Slack-formatted text echoed straight back (e.g. a search query): `from_slack`, then escaped."""
    return escape_text(from_slack(text), limit=limit)


def mention_user(user_id: str) -> str:
    if not is_user(user_id):
        raise ValueError(f"not a user ID: {user_id!r}")
    return f"<@{user_id}>"


def mention_usergroup(usergroup_id: str) -> str:
    if not is_usergroup(usergroup_id):
        raise ValueError(f"not a user group ID: {usergroup_id!r}")
    return f"<!subteam^{usergroup_id}>"


def mention(user_or_group: str) -> str:
    """A mention of a configured user (U…) or user group (S…)."""
    if is_usergroup(user_or_group):
        return mention_usergroup(user_or_group)
    return mention_user(user_or_group)


def mention_here() -> str:
    """@here, for a page when nobody is on call and [oncall] fallback = "here": minted from configuration only."""
    return "<!here>"


def channel_link(channel_id: str) -> str:
    if not is_channel(channel_id):
        raise ValueError(f"not a channel ID: {channel_id!r}")
    return f"<#{channel_id}>"


def link(url: str, label: str) -> str:
    """A link whose label may come from anywhere: both parts are escaped."""
    safe_url = escape(url).replace("|", "%7C")
    return f"<{safe_url}|{escape(label).replace('|', '｜')}>"


# Only web and mail addresses become links: "[x](!here)" or "[x](@U123)" would otherwise be a mention.
_MD_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s|]+)\)")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_MD_BULLET = re.compile(r"^(\s*)[-*+]\s+")


def markdown_to_mrkdwn(markdown: str) -> str:
    """Knowledge-base Markdown (written by the team) rendered for Slack: links, bold, lists."""
    lines = []
    for raw in escape(markdown).split("\n"):
        line = _MD_HEADING.sub(r"*\1*", raw)
        line = _MD_BULLET.sub(lambda m: m.group(1) + "• ", line)
        line = _MD_LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", line)
        line = _MD_BOLD.sub(r"*\1*", line)
        lines.append(line)
    return "\n".join(lines)
