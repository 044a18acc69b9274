"""The fake Slack's messages: what was posted where, with threads, reactions and metadata.

Enough of chat.*, reactions.add and conversations.history/replies for the app's "did my post land?"
checks, the console and the tests; people's messages are seeded with `add`, as Slack stores what
the app then receives as an event.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.devtools.web_api import APP_ID, PERMALINK_BASE, SlackError, flag, page

if TYPE_CHECKING:
    from bot.devtools.fake_workspace import FakeWorkspace


class FakeMessages:
    """Messages by channel in post order (thread replies included) and the reactions on them."""

    def __init__(self, workspace: FakeWorkspace) -> None:
        self.workspace = workspace
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._reactions: dict[tuple[str, str], dict[str, list[str]]] = {}

    def methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.getPermalink": self.chat_get_permalink,
            "reactions.add": self.reactions_add,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
        }

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        """Stored messages of a channel (thread replies included) in post order, metadata included."""
        stored = self._messages.get(self.workspace.dm_channel(channel), [])
        return [self._render(m, metadata=True, keep_channel=True) for m in stored]

    def add(self, channel: str, message: dict[str, Any], *, thread_ts: str | None, ts: str | None) -> dict[str, Any]:
        return self._store(self.workspace.dm_channel(channel), message, thread_ts=thread_ts, ts=ts)

    def forget(self) -> None:
        self._messages.clear()
        self._reactions.clear()

    def _find(self, channel: str, ts: Any) -> dict[str, Any]:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _store(
        self, channel: str, message: dict[str, Any], *, thread_ts: str | None = None, ts: str | None = None
    ) -> dict[str, Any]:
        message = {**message, "channel": channel, "ts": ts or self.workspace.next_ts()}
        if thread_ts and thread_ts != message["ts"]:
            message["thread_ts"] = thread_ts
            for parent in self._messages.get(channel, []):
                if parent["ts"] == thread_ts:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    parent["reply_users"] = sorted({*parent.get("reply_users", []), message.get("user")})
                    parent["latest_reply"] = message["ts"]
        self._messages.setdefault(channel, []).append(message)
        return copy.deepcopy(message)

    def _render(self, message: dict[str, Any], *, metadata: bool, keep_channel: bool = False) -> dict[str, Any]:
        """A copy shaped like Slack's message objects: no channel key, metadata only when asked."""
        out = copy.deepcopy(message)
        if not keep_channel:
            out.pop("channel", None)
        if not metadata:
            out.pop("metadata", None)
        reactions = self._reactions.get((message["channel"], message["ts"]))
        if reactions:
            out["reactions"] = [{"name": n, "users": u, "count": len(u)} for n, u in reactions.items()]
        return out

    def chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.channel_of(args)
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise SlackError("no_text")
        message: dict[str, Any] = {
            "type": "message",
            "user": self.workspace.bot_user_id,
            "bot_id": self.workspace.bot_id,
            "app_id": APP_ID,
            "team": self.workspace.team_id,
            "text": args.get("text") or "",
        }
        message.update({k: args[k] for k in ("blocks", "attachments", "metadata") if args.get(k) is not None})
        if args.get("thread_ts") and flag(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        stored = self._store(channel, message, thread_ts=args.get("thread_ts"))
        return {"ok": True, "channel": channel, "ts": stored["ts"], "message": self._render(stored, metadata=True)}

    def chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.channel_of(args)
        message = self._find(channel, args.get("ts"))
        message.update({k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args})
        message["edited"] = {"user": self.workspace.bot_user_id, "ts": self.workspace.next_ts()}
        rendered = self._render(message, metadata=True)
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": rendered,
        }

    def chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.channel_of(args)
        self._messages[channel].remove(self._find(channel, args.get("ts")))
        return {"ok": True, "channel": channel, "ts": args["ts"]}

    def chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self.workspace.channel_of(args)
        if not args.get("user"):
            raise SlackError("user_not_found")
        return {"ok": True, "message_ts": self.workspace.next_ts()}

    def chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self.workspace.channel_of(args), str(args.get("message_ts", ""))
        return {"ok": True, "channel": channel, "permalink": f"{PERMALINK_BASE}/{channel}/p{ts.replace('.', '')}"}

    def reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, name = self.workspace.channel_of(args), str(args.get("name", ""))
        users = self._reactions.setdefault((channel, str(args.get("timestamp"))), {}).setdefault(name, [])
        if self.workspace.bot_user_id in users:
            raise SlackError("already_reacted")
        users.append(self.workspace.bot_user_id)
        return {"ok": True}

    def conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.channel_of(args)
        oldest, latest = Decimal(str(args.get("oldest") or 0)), args.get("latest")
        inclusive = flag(args.get("inclusive"))

        def in_range(ts: Decimal) -> bool:
            after = ts >= oldest if inclusive else ts > oldest
            before = latest is None or (ts <= Decimal(str(latest)) if inclusive else ts < Decimal(str(latest)))
            return after and before

        top_level = [
            m
            for m in self._messages.get(channel, [])
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        found = sorted((m for m in top_level if in_range(Decimal(m["ts"]))), key=lambda m: Decimal(m["ts"]))
        metadata = flag(args.get("include_all_metadata"))
        found_page = page([self._render(m, metadata=metadata) for m in reversed(found)], args, "messages")
        return {**found_page, "has_more": bool(found_page["response_metadata"]["next_cursor"]), "pin_count": 0}

    def conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self.workspace.channel_of(args), args.get("ts")
        thread = [m for m in self._messages.get(channel, []) if ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            raise SlackError("thread_not_found")
        thread.sort(key=lambda m: Decimal(m["ts"]))
        metadata = flag(args.get("include_all_metadata"))
        found_page = page([self._render(m, metadata=metadata) for m in thread], args, "messages")
        return {**found_page, "has_more": bool(found_page["response_metadata"]["next_cursor"])}
