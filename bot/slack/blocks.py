"""Block Kit primitives every message and modal is built from, with Slack's limits applied."""

from __future__ import annotations

from typing import Any

from bot.slack.mrkdwn import plain_field

Block = dict[str, Any]

SECTION_LIMIT = 3000  # characters in a section's text
SHOWN_LIMIT = 2900  # what a section built here holds at most, with room to spare
BUTTON_LIMIT = 75
OPTION_DESCRIPTION_LIMIT = 75


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SHOWN_LIMIT]}}


def sections(text: str, limit: int = SHOWN_LIMIT) -> list[Block]:
    """Long mrkdwn whole, as consecutive sections cut at line ends where it can be (a line longer than
    a section is cut where it must)."""
    pieces = []
    for line in text.split("\n"):
        pieces += [line[start : start + limit] for start in range(0, len(line), limit)] or [""]
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= limit:
            chunks[-1] += "\n" + piece
        else:
            chunks.append(piece)
    return [section(chunk) for chunk in chunks if chunk.strip()]


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SHOWN_LIMIT]}]}


def actions(block_id: str, elements: list[Block]) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": elements}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain_field(text, limit=BUTTON_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"text": plain(text), "value": value}
    if description:
        choice["description"] = plain(description[:OPTION_DESCRIPTION_LIMIT])
    return choice


def text_input(
    block_id: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = True,
    initial: str | None = None,
    max_length: int = 3000,
    placeholder: str | None = None,
) -> Block:
    """A plain-text input; `initial` is user text, made inert (bot/slack/mrkdwn.py's plain_field)."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = plain_field(initial)[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return {"type": "input", "block_id": block_id, "optional": optional, "label": plain(label), "element": element}


def view_values(view: dict[str, Any]) -> dict[str, str | None]:
    """A submitted view's input values by block_id (selected option values for choices)."""
    values: dict[str, str | None] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        element: dict[str, Any] = elements.get("value") or next(iter(elements.values()), {})
        if "selected_option" in element:
            values[block_id] = (element.get("selected_option") or {}).get("value")
        else:
            values[block_id] = element.get("value")
    return values
