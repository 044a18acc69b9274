"""Slack Web API conventions the fake follows: error answers, cursor pages, form booleans, ids."""

from __future__ import annotations

from typing import Any

APP_ID = "A0APP"
PERMALINK_BASE = "https://fake.slack.com/archives"
# Read methods whose arguments Slack takes only from the query string or a form: a JSON body is not read
# ("This method does not currently accept application/json", the conversations.replies reference page).
FORM_ONLY_METHODS = frozenset(
    {
        "chat.getPermalink",
        "conversations.info",
        "conversations.members",
        "conversations.replies",
        "usergroups.users.list",
        "users.info",
        "users.list",
    }
)


class SlackError(Exception):
    """Raised by a method handler to answer 200 {"ok": false, "error": ...} like Slack does."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def flag(value: Any) -> bool:
    """Form bodies carry booleans as "1"/"0" or "true"/"false"; JSON bodies as real booleans."""
    return value is True or str(value).lower() in ("1", "true")


def page(items: list[Any], args: dict[str, Any], key: str) -> dict[str, Any]:
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
