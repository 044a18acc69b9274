"""Block Kit as terminal text, for the local console: what a person would see in Slack."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE = re.compile(r"<([^<>]+)>")


@dataclass
class Button:
    """A clickable element seen in the output, numbered for `click N`."""

    number: int
    text: str
    action_id: str
    block_id: str
    value: str
    context: dict[str, Any] = field(default_factory=dict)


def mrkdwn_to_text(text: str, name_of: Callable[[str], str] | None = None) -> str:
    """Slack mrkdwn → plain text: links as "label (url)", mentions as @name, entities decoded."""
    name_of = name_of or (lambda ident: ident)

    def bare(match: re.Match[str]) -> str:
        token = match.group(1)
        if token.startswith("@"):
            return "@" + name_of(token[1:])
        if token.startswith("#"):
            return "#" + name_of(token[1:])
        if token.startswith("!subteam^"):
            return "@" + name_of(token.removeprefix("!subteam^"))
        if token.startswith("!"):
            return "@" + token[1:]
        return token

    def labelled(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("#"):
            return "#" + label.lstrip("#")
        if target.startswith(("@", "!")):
            return "@" + label.lstrip("@")
        return f"{label} ({target})"

    text = _LINK.sub(labelled, text)
    text = _BARE.sub(bare, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text_of(obj: dict[str, Any] | None, name_of: Callable[[str], str] | None) -> str:
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_text(text, name_of) if obj.get("type") == "mrkdwn" else text


class TextRenderer:
    """Renders messages and modals; keeps the buttons it printed so the console can click them."""

    def __init__(self, name_of: Callable[[str], str] | None = None) -> None:
        self.name_of = name_of
        self.buttons: list[Button] = []

    def reset_buttons(self) -> None:
        self.buttons = []

    def _button(self, element: dict[str, Any], block_id: str, context: dict[str, Any]) -> str:
        button = Button(
            number=len(self.buttons) + 1,
            text=_text_of(element.get("text"), None),
            action_id=str(element.get("action_id", "")),
            block_id=block_id,
            value=str(element.get("value", "")),
            context=context,
        )
        self.buttons.append(button)
        return f"[{button.number}] {button.text}"

    def _element(self, element: dict[str, Any], block_id: str, context: dict[str, Any]) -> str:
        kind = element.get("type")
        if kind == "button":
            return self._button(element, block_id, context)
        if kind in ("static_select", "overflow", "radio_buttons"):
            options = ", ".join(_text_of(o.get("text"), None) for o in element.get("options", []))
            return f"<{kind}: {options}>"
        return f"<{kind}>"

    def blocks(self, blocks: list[dict[str, Any]], context: dict[str, Any] | None = None) -> list[str]:
        context = context or {}
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            block_id = str(block.get("block_id", ""))
            if kind in ("section", "header"):
                text = _text_of(block.get("text"), self.name_of)
                if text:
                    lines.extend(text.split("\n"))
                for item in block.get("fields", []) or []:
                    lines.append("  " + _text_of(item, self.name_of).replace("\n", " "))
                accessory = block.get("accessory")
                if accessory:
                    lines.append("  " + self._element(accessory, block_id, context))
            elif kind == "context":
                parts = [
                    _text_of(e, self.name_of) if e.get("type") in ("mrkdwn", "plain_text") else ""
                    for e in block.get("elements", [])
                ]
                lines.append("  " + "  ".join(p for p in parts if p))
            elif kind == "actions":
                lines.append("  " + "  ".join(self._element(e, block_id, context) for e in block.get("elements", [])))
            elif kind == "divider":
                lines.append("  " + "─" * 40)
            elif kind == "input":
                label = _text_of(block.get("label"), None)
                optional = " (任意)" if block.get("optional") else ""
                element = block.get("element", {})
                shown = self._element(element, block_id, context)
                initial = element.get("initial_value") or _text_of(
                    (element.get("initial_option") or {}).get("text"), None
                )
                if initial:
                    shown += f" = {initial.splitlines()[0][:60]!r}"
                lines.append(f"  ▸ {label}{optional}: {shown}")
            elif kind == "rich_text":
                lines.append("  (rich text)")
        return lines

    def message(
        self, text: str, blocks: list[dict[str, Any]] | None, context: dict[str, Any] | None = None
    ) -> list[str]:
        if blocks:
            return self.blocks(blocks, context)
        return mrkdwn_to_text(text or "", self.name_of).split("\n")

    def view(self, view: dict[str, Any], context: dict[str, Any] | None = None) -> list[str]:
        title = _text_of(view.get("title"), None)
        submit = _text_of(view.get("submit"), None)
        lines = [f"┌ {title}"]
        lines += ["│ " + line for line in self.blocks(view.get("blocks", []), context)]
        lines.append(f"└ [{submit or 'OK'}]")
        return lines
