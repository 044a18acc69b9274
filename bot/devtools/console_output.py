"""What the console prints: the fake Slack's calls shown the way Slack would show them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.devtools.fake_slack import Call
from bot.devtools.render_text import TextRenderer


class Transcript:
    """Prints messages, updates, ephemerals and forms as text; remembers the form last opened."""

    def __init__(self, say: Callable[[str], None], renderer: TextRenderer, name_of: Callable[[str], str]) -> None:
        self.say = say
        self.renderer = renderer
        self._name_of = name_of
        self.open_view: dict[str, Any] | None = None

    def ephemeral(self, payload: dict[str, Any], response_url: str | None, channel: str) -> None:
        self.say("  ┄ only you can see this ┄")
        context = {"channel": channel, "response_url": response_url}
        for line in self.renderer.message(payload.get("text", ""), payload.get("blocks"), context):
            self.say("  " + line)

    def _where(self, channel: str) -> str:
        """「#cases」, or 「DM @oncall1」 for a DM channel."""
        return f"DM @{self._name_of(channel[1:])}" if channel.startswith("D") else f"#{self._name_of(channel)}"

    def show(self, calls: list[Call], channel: str) -> None:
        """Print each call the app made; `channel` is where an ephemeral without one appears."""
        for call in calls:
            self._show_call(call, channel)

    def _show_call(self, call: Call, here: str) -> None:
        args = call.args
        if call.fault is not None:
            self.say(f"  ! Slack failed {call.method}: {call.fault}")
            return
        if call.method == "chat.postMessage":
            channel = (call.response or {}).get("channel") or args.get("channel", "")
            ts = (call.response or {}).get("ts")
            where = self._where(channel) + (" (thread)" if args.get("thread_ts") else "")
            self.say(f"  ┌ bot → {where}")
            context = {"channel": channel, "ts": ts, "thread_ts": args.get("thread_ts"), "text": args.get("text", "")}
            for line in self.renderer.message(args.get("text", ""), args.get("blocks"), context):
                self.say("  │ " + line)
            self.say("  └")
        elif call.method == "chat.update":
            channel = args.get("channel", "")
            self.say(f"  ┌ bot ✎ updated its message in {self._where(channel)}")
            context = {"channel": channel, "ts": args.get("ts"), "text": args.get("text", "")}
            for line in self.renderer.message(args.get("text", ""), args.get("blocks"), context):
                self.say("  │ " + line)
            self.say("  └")
        elif call.method == "chat.postEphemeral":
            self.ephemeral(args, None, here)
        elif call.method == "response_url":
            self.ephemeral(args, args.get("_url"), here)
        elif call.method in ("views.open", "views.push", "views.update"):
            view = (call.response or {}).get("view") or args.get("view") or {}
            self.open_view = view
            for line in self.renderer.view(view, {"view": view}):
                self.say("  " + line)
            fields = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
            self.say(f"  (fill it in: submit {' '.join(f'{f}=…' for f in fields[:3])} …)")
