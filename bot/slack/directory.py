"""Lookups in Slack: user group membership (cached briefly, so a click does not cost an API call), who is
from another organisation, people's names, permalinks."""

from __future__ import annotations

import logging
import threading
import time
from typing import Generic, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Recent(Generic[T]):
    """Slack's answers kept for `ttl` seconds, shared by the request threads: one call per key and period,
    and the last answer at hand when Slack cannot give a new one."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._items: dict[str, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def fresh(self, key: str) -> tuple[bool, T | None]:
        """(True, the answer) while it is younger than `ttl`; else (False, the last answer or None)."""
        with self._lock:
            kept = self._items.get(key)
        if kept is None:
            return False, None
        return time.monotonic() - kept[0] < self.ttl, kept[1]

    def keep(self, key: str, value: T) -> T:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
        return value


class UsergroupMembers:
    def __init__(self, client: WebClient, ttl_seconds: float = 300.0) -> None:
        self.client = client
        self._recent: _Recent[frozenset[str]] = _Recent(ttl_seconds)

    def __call__(self, usergroup: str) -> frozenset[str]:
        fresh, last = self._recent.fresh(usergroup)
        if fresh and last is not None:
            return last
        try:
            response = self.client.usergroups_users_list(usergroup=usergroup)
            members = frozenset(response.get("users") or [])
        except SlackApiError as exc:
            log.warning("cannot read user group %s: %s", usergroup, exc.response.get("error"))
            members = last if last is not None else frozenset()
        return self._recent.keep(usergroup, members)


class UserNames:
    """People's display names (cached for an hour), to name a colleague without notifying them."""

    def __init__(self, client: WebClient, ttl_seconds: float = 3600.0) -> None:
        self.client = client
        self._recent: _Recent[str | None] = _Recent(ttl_seconds)

    def __call__(self, user_id: str) -> str | None:
        """The name Slack shows for `user_id`, or None when Slack cannot say."""
        fresh, last = self._recent.fresh(user_id)
        if fresh:
            return last
        try:
            user = self.client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            log.info("no name for %s: %s", user_id, exc.response.get("error"))
            return None
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        return self._recent.keep(user_id, name or None)


class ExternalUsers:
    """Whether a user is from another organisation (Slack Connect): their `users.info` `team_id` is not
    the workspace's (`auth.test`), or Slack marks them `is_stranger`. Cached for an hour per user; when
    Slack cannot say, the last answer stands (nobody known: not external, with a warning)."""

    def __init__(self, client: WebClient, ttl_seconds: float = 3600.0) -> None:
        self.client = client
        self._team: str | None = None
        self._recent: _Recent[bool] = _Recent(ttl_seconds)

    def __call__(self, user_id: str) -> bool:
        fresh, last = self._recent.fresh(user_id)
        if fresh and last is not None:
            return last
        try:
            team = self._team or str(self.client.auth_test().get("team_id") or "")
            self._team = team or None
            user = self.client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error != "user_not_found":  # nobody Slack knows: not one of another organisation's people
                log.warning("cannot tell whether %s is external: %s", user_id, error)
                return bool(last)
            user = {}
        external = bool(user.get("is_stranger")) or bool(team and user.get("team_id") and user["team_id"] != team)
        return self._recent.keep(user_id, external)


def permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    """A link to a message, or None when Slack cannot give one (what links to it goes out regardless)."""
    if not channel or not ts:
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
        return None
