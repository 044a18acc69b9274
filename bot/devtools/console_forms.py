"""What the console makes of typed input: Slack's text, and a modal filled in with
`submit title="…" priority=高 entry=SSO`.

Each input block takes the value given for its block_id or its label. Choices (radio buttons, static
selects) match an option's value or text; a searchable picker (external_select) asks the app for
options with the typed words, as Slack does while someone types, and takes the best one.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Any

Search = Callable[[dict[str, Any], str, str], list[dict[str, Any]]]
"""(view, block_id, typed words) → the options the app offers."""

USAGE = 'write fields as key=value, e.g. submit title="ログインできない" priority=高'


def as_slack_text(text: str, ids: dict[str, str], name_of: Callable[[str], str]) -> str:
    """What Slack makes of typed text: & < > escaped, @name and @U… turned into mention tokens."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def token(match: re.Match[str]) -> str:
        word = match.group(1)
        uid = word.upper() if re.fullmatch(r"[UW][A-Z0-9]+", word.upper()) else ids.get(word)
        return f"<@{uid}|{name_of(uid)}>" if uid else match.group(0)

    return re.sub(r"@([\w-]+)", token, text)


def parse_assignments(text: str) -> dict[str, str]:
    try:
        return dict(part.split("=", 1) for part in shlex.split(text))
    except ValueError:
        raise ValueError(USAGE) from None


def form_values(
    view: dict[str, Any], pairs: dict[str, str], search: Search, say: Callable[[str], None]
) -> dict[str, dict[str, Any]]:
    """The view's state as Slack submits it: block_id → action_id → the element's value."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        block_id = block.get("block_id", "")
        element = block.get("element", {})
        label = (block.get("label") or {}).get("text", "")
        raw = pairs.get(block_id, pairs.get(label))
        if element.get("type") == "external_select":
            state = _searched(view, block_id, element, raw, search, say)
        else:
            state = input_value(element, raw)
        values[block_id] = {element.get("action_id") or "value": state}
    return values


def input_value(element: dict[str, Any], raw: str | None) -> dict[str, Any]:
    kind = element.get("type")
    if kind in ("radio_buttons", "static_select"):
        options = element.get("options", [])
        chosen = None
        if raw is not None:
            from bot.priorities import parse_priority

            wanted = {raw, parse_priority(raw) or raw}
            chosen = next(
                (o for o in options if o.get("value") in wanted or raw in o.get("text", {}).get("text", "")),
                None,
            )
        chosen = chosen or element.get("initial_option")
        return {"type": kind, "selected_option": chosen}
    return {"type": kind, "value": raw if raw is not None else element.get("initial_value")}


def _searched(
    view: dict[str, Any],
    block_id: str,
    element: dict[str, Any],
    raw: str | None,
    search: Search,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """A picker whose options the app loads: the option whose text is the words, else the first offered."""
    chosen = element.get("initial_option")
    if raw is not None:
        options = search(view, block_id, raw)
        chosen = next((o for o in options if o.get("text", {}).get("text") == raw), options[0] if options else None)
        shown = chosen.get("text", {}).get("text") if chosen else "(nothing found)"
        say(f"  (searched “{raw}”: {len(options)} option(s) → {shown})")
    return {"type": "external_select", "selected_option": chosen}
