"""What the console prints: the fake Slack's calls shown the way Slack would show them, and what it
says while it gets ready."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from bot.config import BehaviourConfig
from bot.devtools.fake_slack import Call
from bot.devtools.render_text import TextRenderer

# How long the console waits at start for the FAQ's embeddings: seconds for the sample FAQ, a minute
# or so for a few hundred entries (`SUPPORTBOT_FAQ_INDEX_CACHE` makes the next start instant).
EMBEDDINGS_WAIT_SECONDS = 300.0


class Warming(Protocol):
    def wait_dense(self, timeout: float | None = None) -> bool: ...  # `KnowledgeIndex.wait_dense`


def wait_for_embeddings(index: Warming, say: Callable[[str], None]) -> None:
    """Answer from the first line as the running bot answers: until the entries' vectors are computed
    (in the background, at start) the bot judges lexically, and a question typed in those seconds would
    get another answer than the same question a minute later, or in `supportbot faq ask`."""
    if index.wait_dense(0.2):
        return
    say("Preparing the FAQ's embeddings (the bot answers lexically until they are ready)…")
    if not index.wait_dense(EMBEDDINGS_WAIT_SECONDS):
        say(f"Not ready after {EMBEDDINGS_WAIT_SECONDS:.0f} s: answering lexically until they are.")


HELP = """\
Type a question to ask it in the current channel, or:
  @bot <text>          mention the bot (answers even chit-chat)
  /faq <question>      private FAQ search
  /case …              support cases: /case 高 件名, /case list, /case ack 1, /case help
  /oncall …            who is on call; /oncall set @oncall2, /oncall clear
  /as U123             act as another user          /in C123   switch channel
  click N              press button [N] from the output
  submit k=v ...       fill in and submit the open form, e.g. submit title="ログインできない" priority=高
                       (a searchable picker takes words: submit entry="SSO")
  reply mN <text>      reply in the thread of message mN      /messages   the channel's numbered messages
  shortcut NAME [mN]   a message shortcut (FAQに紐付け, FAQに追加, ケースを起票) on message mN
                       (default: the last message someone wrote here)
  /clock +2h           move the clock forward and run the scheduled jobs
  /sweep               run the scheduled jobs now
  /whoami              current user, channel and time
  /help                this text                     /quit      leave
"""


def people_names(config: BehaviourConfig, you: str) -> dict[str, str]:
    """Friendly names for the IDs in the configuration, so the output reads like Slack."""
    people: dict[str, str] = {you: "you"}

    def name(ids: list[str], label: str) -> None:
        for index, uid in enumerate(ids):
            people.setdefault(uid, f"{label}{index + 1}" if len(ids) > 1 else label)

    name(list(config.agents.users), "agent")
    name(list(config.oncall.rotation), "oncall")
    name(list(config.oncall.secondary), "secondary")
    for label in ("cs_lead", "engineers"):
        value = getattr(config.escalation, label)
        if value:
            people.setdefault(value, label.replace("_", "-"))
    if config.oncall.fallback_group:
        people.setdefault(config.oncall.fallback_group, "oncall-fallback")
    return people


def name_of(config: BehaviourConfig, ident: str, you: str, general: str) -> str:
    """A channel or person as the console shows them: #faq, @agent, @oncall1 …"""
    channels = config.channels
    names = {channels.cases: "cases", channels.emergency: "emergency", general: "general"}
    names.update({c: "faq" if len(channels.faq) == 1 else f"faq{i + 1}" for i, c in enumerate(channels.faq)})
    names.update(people_names(config, you))
    return names.get(ident, ident)


class Transcript:
    """Prints messages, updates, ephemerals and forms as text; remembers the form last opened."""

    def __init__(
        self,
        say: Callable[[str], None],
        renderer: TextRenderer,
        name_of: Callable[[str], str],
        *,
        number: Callable[[str, str | None, str | None, str], int] | None = None,
    ) -> None:
        """`number(channel, ts, thread_ts, text)` numbers each message the bot posts (m1, m2 …)."""
        self.say = say
        self.renderer = renderer
        self._name_of = name_of
        self._number = number
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
            if self._number is not None and ts:
                where += f"  m{self._number(channel, ts, args.get('thread_ts'), args.get('text', ''))}"
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
        elif call.method == "response_url" and args.get("replace_original") and not args.get("response_type"):
            self.say("  ┌ bot ✎ updated the message clicked")
            for line in self.renderer.message(args.get("text", ""), args.get("blocks"), {"channel": here}):
                self.say("  │ " + line)
            self.say("  └")
        elif call.method == "response_url":
            self.ephemeral(args, args.get("_url"), here)
        elif call.method in ("views.open", "views.push", "views.update"):
            self.show_view((call.response or {}).get("view") or args.get("view") or {})

    def show_view(self, view: dict[str, Any]) -> None:
        """A modal; one with inputs stays open for `submit`."""
        for line in self.renderer.view(view, {"view": view}):
            self.say("  " + line)
        fields = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
        if fields:
            self.open_view = view
            self.say(f"  (fill it in: submit {' '.join(f'{f}=…' for f in fields[:3])} …)")
