"""Lookups in Slack: user group membership (cached briefly, so a click does not cost an API call), who is
from another organisation, people's names, permalinks."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class UsergroupMembers:
    def __init__(self, client: WebClient, ttl_seconds: float = 300.0) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def __call__(self, usergroup: str) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(usergroup)
            if cached and now - cached[0] < self.ttl:
                return cached[1]
        try:
            response = self.client.usergroups_users_list(usergroup=usergroup)
            members = frozenset(response.get("users") or [])
        except SlackApiError as exc:
            log.warning("cannot read user group %s: %s", usergroup, exc.response.get("error"))
            members = cached[1] if cached else frozenset()
        with self._lock:
            self._cache[usergroup] = (now, members)
        return members


class UserNames:
    """People's display names (cached for an hour), to name a colleague without notifying them."""

    def __init__(self, client: WebClient, ttl_seconds: float = 3600.0) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self._cache: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, user_id: str) -> str | None:
        """The name Slack shows for `user_id`, or None when Slack cannot say."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
            if cached and now - cached[0] < self.ttl:
                return cached[1]
        try:
            user = self.client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            log.info("no name for %s: %s", user_id, exc.response.get("error"))
            return None
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        with self._lock:
            self._cache[user_id] = (now, name or None)
        return name or None


class ExternalUsers:
    """Whether a user is from another organisation (Slack Connect): their `users.info` `team_id` is not
    the workspace's (`auth.test`), or Slack marks them `is_stranger`. Cached for an hour per user; when
    Slack cannot say, the last answer stands (nobody known: not external, with a warning)."""

    def __init__(self, client: WebClient, ttl_seconds: float = 3600.0) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self._team: str | None = None
        self._cache: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def __call__(self, user_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        try:
            team = self._team or str(self.client.auth_test().get("team_id") or "")
            self._team = team or None
            user = self.client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error != "user_not_found":  # nobody Slack knows: not one of another organisation's people
                log.warning("cannot tell whether %s is external: %s", user_id, error)
                return cached[1] if cached else False
            user = {}
        external = bool(user.get("is_stranger")) or bool(team and user.get("team_id") and user["team_id"] != team)
        with self._lock:
            self._cache[user_id] = (now, external)
        return external


def permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    """A link to a message, or None when Slack cannot give one (what links to it goes out regardless)."""
    if not channel or not ts:
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
        return None
