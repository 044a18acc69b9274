"""A fake Slack Web API on loopback, shared by the tests, the local console and the benchmarks.

slack-sdk sends its requests with urllib, so they cannot be intercepted in-process: the real app
is pointed at this server with ``WebClient(base_url=fake.base_url)`` instead (the same pattern as
bolt-python's ``tests/mock_web_api_server``). The fake keeps just enough state (messages, views,
reactions) to answer like Slack, records every call, and can inject scripted faults.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

T = TypeVar("T")

DEFAULT_SCOPES = [
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "reactions:write",
    "usergroups:read",
    "users:read",
]
APP_ID = "A0APP"
PERMALINK_BASE = "https://fake.slack.com/archives"
FIRST_TS_MICROS = 1_700_000_000_000_000
# Form-encoded requests carry these as JSON strings; decoding them gives tests one shape to assert on.
JSON_FIELDS = frozenset({"blocks", "attachments", "metadata", "view", "user_auth_blocks"})
# wait_for re-checks at least this often, for predicates on app state written after the last Slack call.
RECHECK_SECONDS = 0.05


@dataclass(frozen=True)
class Fault:
    """One scripted failure; see FakeSlack.fail."""

    status: int
    error: str | None = None
    retry_after: int | None = None
    drop: bool = False
    after_effect: bool = False
    delay: float = 0.0

    @property
    def passes_through(self) -> bool:
        """A 200 without an error is only a delay (or a drop): the call is answered normally."""
        return self.status == 200 and self.error is None

    def body(self) -> dict[str, Any]:
        if self.status == 429:
            return {"ok": False, "error": self.error or "ratelimited"}
        return {"ok": False, "error": self.error or "fatal_error"}

    def __str__(self) -> str:
        parts = ["drop" if self.drop else f"HTTP {self.status}"]
        if not self.drop and not self.passes_through:
            parts.append(self.body()["error"])
        if self.status == 429 and not self.drop:
            parts.append(f"Retry-After {self.retry_after if self.retry_after is not None else 1}")
        if self.after_effect:
            parts.append("after effect")
        if self.delay:
            parts.append(f"delay {self.delay}s")
        return ", ".join(parts)


@dataclass(frozen=True)
class Call:
    """One request as the fake saw it; faulted and rejected requests are recorded too."""

    method: str
    args: dict[str, Any]
    token: str | None
    headers: dict[str, str]  # lower-cased names
    at: float  # time.monotonic()
    fault: Fault | None = None
    response: dict[str, Any] | None = None  # the JSON we answered (or would have, before a fault)


class SlackError(Exception):
    """Raised by a method handler to answer 200 {"ok": false, "error": ...} like Slack does."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


class FakeSlack:
    """A threaded loopback HTTP server answering Slack Web API calls from in-memory state."""

    def __init__(
        self,
        *,
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        team_id: str = "T0TEAM",
        users: dict[str, dict] | None = None,
        usergroups: dict[str, list[str]] | None = None,
        channel_members: dict[str, list[str]] | None = None,
        scopes: list[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        missing_channels: Iterable[str] = (),
        valid_tokens: set[str] | None = None,
        ts_clock: Callable[[], float] | None = time.time,
    ) -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.users = users  # None: every user ID exists with default fields
        self.usergroups = usergroups or {}
        self.channel_members = channel_members  # None: everyone, the bot included, is in every channel
        self.scopes = list(DEFAULT_SCOPES if scopes is None else scopes)
        self.missing_channels: set[str] = set(missing_channels)
        self.valid_tokens = valid_tokens  # None: any token is accepted
        # Message ts follow this clock (seconds since the epoch), because the app compares them with its own
        # clock (e.g. history `oldest`): pass a ManualClock's time in tests that move time. None: 1700000000.0001xx.
        self.ts_clock = ts_clock
        self.socket_mode_url = "ws://127.0.0.1:9/link/?ticket=fake-ticket"
        self._host, self._port = host, port
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._version = 0  # bumped on every recorded call, so waiters never miss one
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._started_at = time.monotonic()
        self._last_ts = FIRST_TS_MICROS
        self._ids = itertools.count(1)
        self._calls: list[Call] = []
        self._faults: dict[str, list[list[Any]]] = {}  # method -> [[Fault, remaining times], ...]
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._reactions: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": lambda args: {"ok": True, "url": self.socket_mode_url},
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "reactions.add": self._reactions_add,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._server = _QuietServer((self._host, self._port), handler)
        self._stopping.clear()
        self._started_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="FakeSlack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # cuts scripted delays short
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self._host}:{self._server.server_port}"

    @property
    def base_url(self) -> str:
        """What to pass to WebClient(base_url=...); ends with "/" as slack-sdk expects."""
        return f"{self.root_url}/api/"

    def new_response_url(self) -> str:
        """A response_url whose posts are recorded as "response_url" calls."""
        return f"{self.root_url}/response/{next(self._ids)}"

    # ------------------------------------------------------------------ test helpers

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Stored messages of a channel (thread replies included) in post order, metadata included."""
        with self._lock:
            stored = self._messages.get(self._dm_channel(channel), [])
            return [self._render(m, metadata=True, keep_channel=True) for m in stored]

    def add_message(
        self, channel: str, text: str, *, user: str, thread_ts: str | None = None, ts: str | None = None
    ) -> dict[str, Any]:
        """Seed a message from a person, so history and replies see what the app saw in an event."""
        with self._lock:
            message = {"type": "message", "user": user, "text": text, "team": self.team_id}
            return self._store(self._dm_channel(channel), message, thread_ts=thread_ts, ts=ts)

    def reset(self) -> None:
        """Forget calls, messages, reactions, views and faults; configuration and the ts counter stay."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._messages.clear()
            self._reactions.clear()
            self._views.clear()
            self._version += 1
            self._changed.notify_all()

    def fail(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        drop: bool = False,
        after_effect: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Script the next `times` calls of `method` ("*" = any) to fail; faults are consumed in order.

        A method's own faults are used before "*" ones; "response_url" scripts the response URL sink.

        status defaults to 200 when an error is given (an API error) and to 500 otherwise.
        status=200 without an error answers normally: use it with `delay` or `drop`.
        after_effect=True applies the call (message stored, ts used) before failing: a blind retry duplicates.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if status is None:
            status = 200 if error else 500
        fault = Fault(status, error, retry_after, drop, after_effect, delay)
        with self._lock:
            self._faults.setdefault(method, []).append([fault, times])

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until predicate() is truthy and return its value; wakes on every call to the fake."""
        return self._wait(predicate, timeout, getattr(predicate, "__qualname__", repr(predicate)))

    def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Wait for at least `count` calls of `method` matching `where`; returns all the matching calls."""

        def matching() -> list[Call] | None:
            found = [c for c in self.calls(method) if where is None or where(c)]
            return found if len(found) >= count else None

        what = f"{count} call(s) to {method}" + (" matching the filter" if where else "")
        return self._wait(matching, timeout, what)

    def _wait(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                seen = self._version
            value = predicate()  # outside the lock: it may be slow or look at other state
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"FakeSlack: timed out after {timeout}s waiting for {what}\n{self.dump()}")
            with self._changed:
                if self._version == seen:
                    self._changed.wait(min(remaining, RECHECK_SECONDS))

    def dump(self, last: int = 20) -> str:
        """The most recent calls, one line each, for assertion messages."""
        calls = self.calls()
        lines = [f"last {min(last, len(calls))} of {len(calls)} call(s):"]
        for call in calls[-last:]:
            if call.fault is not None:
                outcome = f"FAULT {call.fault}"
            elif call.response is None:
                outcome = "ok"
            else:
                outcome = "ok" if call.response.get("ok") else f"error {call.response.get('error')}"
            args = json.dumps(call.args, ensure_ascii=False, default=str)
            args = args if len(args) <= 300 else args[:297] + "..."
            lines.append(f"  +{call.at - self._started_at:7.3f}s {call.method} {args} -> {outcome}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ request handling

    def _serve(self, path: str, headers: dict[str, str], raw: bytes) -> _Reply:
        """Turn one HTTP request into a reply: parse, take a fault, apply, record, then answer."""
        url = urlsplit(path)
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
        elif url.path.startswith("/response/"):
            method = "response_url"
        else:
            return _Reply(404, b"not found", {"Content-Type": "text/plain"})
        args = _decode_args(url.query, headers.get("content-type", ""), raw)
        auth = headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        if method == "response_url":
            args["_url"] = self.root_url + url.path
        with self._lock:
            fault = self._take_fault(method)
            response: dict[str, Any] | None = None
            if fault is None or fault.after_effect or fault.passes_through:
                response = self._apply(method, args, token)
            self._calls.append(Call(method, args, token, headers, time.monotonic(), fault, response))
            self._version += 1
            self._changed.notify_all()
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        reply_headers = {"x-oauth-scopes": ",".join(self.scopes)}
        if fault is not None and fault.drop:
            return _Reply(0, b"", drop=True)
        if fault is not None and not fault.passes_through:
            if fault.status == 429:
                reply_headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
            return _Reply(fault.status, _json_bytes(fault.body()), _json_headers(reply_headers))
        if method == "response_url":
            return _Reply(200, b"ok", {**reply_headers, "Content-Type": "text/plain; charset=utf-8"})
        assert response is not None
        return _Reply(200, _json_bytes(response), _json_headers(reply_headers))

    def _take_fault(self, method: str) -> Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                entry = queue[0]
                entry[1] -= 1
                if entry[1] == 0:
                    queue.pop(0)
                return entry[0]
        return None

    def _apply(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any] | None:
        """Run a method handler under the lock; a bug in the fake answers an error instead of hanging."""
        if method == "response_url":
            return None
        handler = self._methods.get(method)
        try:
            if handler is None:
                raise SlackError("unknown_method")
            if not token or (self.valid_tokens is not None and token not in self.valid_tokens):
                raise SlackError("invalid_auth")
            if "_invalid_json" in args:
                raise SlackError("invalid_json")
            return handler(args)
        except SlackError as e:
            return {"ok": False, "error": e.error}
        except Exception:
            return {"ok": False, "error": "fake_slack_bug", "detail": traceback.format_exc()}

    # ------------------------------------------------------------------ state helpers

    def _next_ts(self) -> str:
        if self.ts_clock is None:
            self._last_ts += 100
        else:
            self._last_ts = max(int(self.ts_clock() * 1_000_000), self._last_ts + 1)
        seconds, micros = divmod(self._last_ts, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _dm_channel(self, channel: str) -> str:
        """Slack accepts a user ID as the channel of chat.postMessage and posts to the DM with them."""
        return "D" + channel if channel[:1] in ("U", "W") else channel

    def _channel(self, args: dict[str, Any], key: str = "channel") -> str:
        raw = args.get(key)
        if not raw:
            raise SlackError("channel_not_found")
        channel = self._dm_channel(str(raw))
        if raw in self.missing_channels or channel in self.missing_channels:
            raise SlackError("channel_not_found")
        return channel

    def _find(self, channel: str, ts: Any) -> dict[str, Any]:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _store(
        self, channel: str, message: dict[str, Any], *, thread_ts: str | None = None, ts: str | None = None
    ) -> dict[str, Any]:
        message = {**message, "channel": channel, "ts": ts or self._next_ts()}
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

    def _user(self, user_id: str) -> dict[str, Any]:
        """users.info shape with defaults for a Japanese workspace; `users` entries override fields."""
        is_bot = user_id == self.bot_user_id
        if not user_id or (self.users is not None and user_id not in self.users and not is_bot):
            raise SlackError("user_not_found")
        override = copy.deepcopy((self.users or {}).get(user_id, {}))
        profile = override.pop("profile", {})
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": "supportbot" if is_bot else user_id.lower(),
            "real_name": "supportbot" if is_bot else user_id,
            "deleted": False,
            "tz": "Asia/Tokyo",
            "tz_label": "Japan Standard Time",
            "tz_offset": 32400,
            "is_bot": is_bot,
            "is_app_user": False,
            "locale": "ja-JP",
            **override,
        }
        user["profile"] = {
            "display_name": user["name"],
            "real_name": user["real_name"],
            **({"bot_id": self.bot_id} if is_bot else {}),
            **profile,
        }
        return user

    def _members(self, channel: str) -> list[str]:
        if channel.startswith("D"):
            return [self.bot_user_id, channel[1:]]
        if self.channel_members is None:
            return [self.bot_user_id, *(self.users or {})]
        return list(self.channel_members.get(channel, []))

    def _view(self, view: Any, view_id: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {
            "type": "modal",
            "state": {"values": {}},
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": self.bot_id,
            "hash": f"{next(self._ids)}.fakehash",
        }
        self._views[view_id] = stored
        return {"ok": True, "view": copy.deepcopy(stored)}

    # ------------------------------------------------------------------ Web API methods

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake Team",
            "user": "supportbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise SlackError("no_text")
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": APP_ID,
            "team": self.team_id,
            "text": args.get("text") or "",
        }
        message.update({k: args[k] for k in ("blocks", "attachments", "metadata") if args.get(k) is not None})
        if args.get("thread_ts") and _flag(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        stored = self._store(channel, message, thread_ts=args.get("thread_ts"))
        return {"ok": True, "channel": channel, "ts": stored["ts"], "message": self._render(stored, metadata=True)}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        message = self._find(channel, args.get("ts"))
        message.update({k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args})
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        rendered = self._render(message, metadata=True)
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": rendered,
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        self._messages[channel].remove(self._find(channel, args.get("ts")))
        return {"ok": True, "channel": channel, "ts": args["ts"]}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._channel(args)
        if not args.get("user"):
            raise SlackError("user_not_found")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._channel(args), str(args.get("message_ts", ""))
        return {"ok": True, "channel": channel, "permalink": f"{PERMALINK_BASE}/{channel}/p{ts.replace('.', '')}"}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, name = self._channel(args), str(args.get("name", ""))
        users = self._reactions.setdefault((channel, str(args.get("timestamp"))), {}).setdefault(name, [])
        if self.bot_user_id in users:
            raise SlackError("already_reacted")
        users.append(self.bot_user_id)
        return {"ok": True}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        oldest, latest = Decimal(str(args.get("oldest") or 0)), args.get("latest")
        inclusive = _flag(args.get("inclusive"))

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
        metadata = _flag(args.get("include_all_metadata"))
        page = _page([self._render(m, metadata=metadata) for m in reversed(found)], args, "messages")
        return {**page, "has_more": bool(page["response_metadata"]["next_cursor"]), "pin_count": 0}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._channel(args), args.get("ts")
        thread = [m for m in self._messages.get(channel, []) if ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            raise SlackError("thread_not_found")
        thread.sort(key=lambda m: Decimal(m["ts"]))
        metadata = _flag(args.get("include_all_metadata"))
        page = _page([self._render(m, metadata=metadata) for m in thread], args, "messages")
        return {**page, "has_more": bool(page["response_metadata"]["next_cursor"])}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": self._channel(args)}, "already_open": True}
        users = args.get("users") or []
        users = users.split(",") if isinstance(users, str) else list(users)
        if not users:
            raise SlackError("users_list_not_supplied")
        channel = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "channel": {"id": channel}}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        is_im = channel.startswith("D")
        info: dict[str, Any] = {
            "id": channel,
            "name": channel.lower(),
            "is_channel": channel.startswith("C"),
            "is_group": False,
            "is_im": is_im,
            "is_mpim": channel.startswith("G"),
            "is_private": not channel.startswith("C"),
            "is_archived": False,
            "is_member": self.bot_user_id in self._members(channel),
            "context_team_id": self.team_id,
        }
        if is_im:
            info["user"] = channel[1:]
        return {"ok": True, "channel": info}

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        return _page(self._members(self._channel(args)), args, "members")

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user": self._user(str(args.get("user", "")))}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        ids = [*(self.users or {}), self.bot_user_id]
        return {**_page([self._user(u) for u in dict.fromkeys(ids)], args, "members"), "cache_ts": 0}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = args.get("usergroup")
        if group not in self.usergroups:
            raise SlackError("no_such_subteam")
        return {"ok": True, "users": list(self.usergroups[group])}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            raise SlackError("invalid_arguments")
        return self._view(args.get("view"))

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            found = [v["id"] for v in self._views.values() if v.get("external_id") == args["external_id"]]
            view_id = found[0] if found else None
        if not view_id:
            raise SlackError("not_found")
        current = self._views.get(view_id)
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        return self._view(args.get("view"), view_id)

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            raise SlackError("invalid_arguments")
        return self._view(args.get("view"), f"VHOME{args['user_id']}")


def _flag(value: Any) -> bool:
    """Form bodies carry booleans as "1"/"0" or "true"/"false"; JSON bodies as real booleans."""
    return value is True or str(value).lower() in ("1", "true")


def _page(items: list[Any], args: dict[str, Any], key: str) -> dict[str, Any]:
    """Cursor pagination the way slack-sdk's iterator expects: response_metadata.next_cursor."""
    cursor = str(args.get("cursor") or "")
    try:
        start = int(cursor.removeprefix("next:")) if cursor else 0
        limit = int(args.get("limit") or 100)
    except ValueError as e:
        raise SlackError("invalid_cursor") from e
    end = start + max(limit, 1)
    next_cursor = f"next:{end}" if end < len(items) else ""
    return {"ok": True, key: items[start:end], "response_metadata": {"next_cursor": next_cursor}}


def _decode_args(query: str, content_type: str, raw: bytes) -> dict[str, Any]:
    """Query string, JSON body and form body merged into one dict, JSON-string fields decoded."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    text = raw.decode("utf-8", errors="replace")
    if content_type.startswith("application/json") and text.strip():
        try:
            body = json.loads(text)
        except ValueError:
            body = {"_invalid_json": text}
        args.update(body if isinstance(body, dict) else {"_invalid_json": text})
    elif content_type.startswith("application/x-www-form-urlencoded"):
        args.update(parse_qsl(text, keep_blank_values=True))
    for key in JSON_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            with contextlib.suppress(ValueError):  # a malformed value stays as sent, for the test to see
                args[key] = json.loads(value)
    return args


def _json_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _json_headers(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "application/json; charset=utf-8"}


class _QuietServer(ThreadingHTTPServer):
    """Daemon threads so a stuck request never blocks exit; no tracebacks for clients that hung up."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack  # set on a per-server subclass
    server_version = "FakeSlack/1.0"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = self.fake._serve(self.path, headers, raw)
        except Exception:  # a bug in the fake: say so instead of silently closing the connection
            reply = _Reply(500, traceback.format_exc().encode(), {"Content-Type": "text/plain; charset=utf-8"})
        if reply.drop:
            self.close_connection = True  # nothing written: the client sees the connection closed
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up (timeout): nothing to answer

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass
