"""Who is from another organisation (Slack Connect), asked of Slack once per user and hour."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.slack.directory import ExternalUsers

USERS: dict[str, dict[str, Any]] = {
    "U0AGENT": {"id": "U0AGENT", "team_id": "T0TEAM"},
    "U0EXT": {"id": "U0EXT", "team_id": "T0ACME"},
    "U0STRANGER": {"id": "U0STRANGER", "team_id": "T0TEAM", "is_stranger": True},
}


def users_info(user: str) -> dict[str, Any]:
    if user not in USERS:
        response = Mock(spec=SlackResponse)
        response.get.side_effect = {"ok": False, "error": "user_not_found"}.get
        raise SlackApiError("user_not_found", response)
    return {"ok": True, "user": USERS[user]}


def test_another_teams_people_and_strangers_are_external_and_asked_once() -> None:
    client = Mock()
    client.auth_test.return_value = {"ok": True, "team_id": "T0TEAM"}
    client.users_info.side_effect = users_info
    external = ExternalUsers(client)
    assert [external(u) for u in ("U0AGENT", "U0EXT", "U0STRANGER", "U0NOBODY")] == [False, True, True, False]
    assert external("U0EXT") and client.users_info.call_count == 4 and client.auth_test.call_count == 1
