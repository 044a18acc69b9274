"""What the fake Slack knows: the workspace (people, groups, channels, views) and its Web API methods.

`FakeWorkspace` keeps just enough state to answer like Slack (messages live in `FakeMessages`); the
HTTP server, scripted faults and recording around it are `bot.devtools.fake_slack.FakeSlack`.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from bot.devtools.fake_files import FakeFiles
from bot.devtools.fake_messages import FakeMessages
from bot.devtools.web_api import APP_ID, SlackError, page

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
FIRST_TS_MICROS = 1_700_000_000_000_000
Method = Callable[[dict[str, Any]], dict[str, Any]]


class FakeWorkspace:
    """A Slack workspace in memory, answering Web API methods: one handler per Slack method."""

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
        self._lock = threading.RLock()  # held while a method runs
        self._last_ts = FIRST_TS_MICROS
        self._ids = itertools.count(1)
        self._views: dict[str, dict[str, Any]] = {}
        self.store = FakeMessages(self)
        self.files = FakeFiles(self)

    def method(self, name: str) -> Method | None:
        """The handler of a Web API method, or None when the fake does not know it."""
        methods: dict[str, Method] = {
            "auth.test": self._auth_test,
            "apps.connections.open": lambda args: {"ok": True, "url": self.socket_mode_url},
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
            **self.store.methods(),
            **self.files.methods(),
        }
        return methods.get(name)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Stored messages of a channel (thread replies included) in post order, metadata included."""
        with self._lock:
            return self.store.in_channel(channel)

    def add_message(
        self, channel: str, text: str, *, user: str, thread_ts: str | None = None, ts: str | None = None
    ) -> dict[str, Any]:
        """Seed a message from a person, so history and replies see what the app saw in an event."""
        with self._lock:
            message = {"type": "message", "user": user, "text": text, "team": self.team_id}
            return self.store.add(channel, message, thread_ts=thread_ts, ts=ts)

    def forget(self) -> None:
        """Forget messages, reactions and views; configuration and the ts counter stay."""
        with self._lock:
            self.store.forget()
            self.files.forget()
            self._views.clear()

    # ------------------------------------------------------------------ for the method handlers

    def next_ts(self) -> str:
        """A new message ts, unique and increasing, following `ts_clock`."""
        if self.ts_clock is None:
            self._last_ts += 100
        else:
            self._last_ts = max(int(self.ts_clock() * 1_000_000), self._last_ts + 1)
        seconds, micros = divmod(self._last_ts, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def dm_channel(self, channel: str) -> str:
        """Slack accepts a user ID as the channel of chat.postMessage and posts to the DM with them."""
        return "D" + channel if channel[:1] in ("U", "W") else channel

    def channel_of(self, args: dict[str, Any], key: str = "channel") -> str:
        """The call's channel, as Slack resolves it; channel_not_found for missing ones."""
        raw = args.get(key)
        if not raw:
            raise SlackError("channel_not_found")
        channel = self.dm_channel(str(raw))
        if raw in self.missing_channels or channel in self.missing_channels:
            raise SlackError("channel_not_found")
        return channel

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

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": self.channel_of(args)}, "already_open": True}
        users = args.get("users") or []
        users = users.split(",") if isinstance(users, str) else list(users)
        if not users:
            raise SlackError("users_list_not_supplied")
        channel = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "channel": {"id": channel}}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel_of(args)
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
        return page(self._members(self.channel_of(args)), args, "members")

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user": self._user(str(args.get("user", "")))}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        ids = [*(self.users or {}), self.bot_user_id]
        return {**page([self._user(u) for u in dict.fromkeys(ids)], args, "members"), "cache_ts": 0}

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
