"""Build Slack-signed requests, so tests and the console can drive the real app over HTTP.

Bolt verifies every request with the v0 signature (HMAC-SHA256 over ``v0:{timestamp}:{body}``);
these helpers produce bodies shaped like Slack's and the headers that make them pass.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DEFAULT_TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"
VERIFICATION_TOKEN = "fake-verification-token"  # deprecated by Slack, still sent; Bolt ignores it


def signed_headers(
    body: str, signing_secret: str, timestamp: int | None = None, content_type: str | None = None
) -> dict[str, str]:
    """Headers Slack would send with `body`; content_type defaults to JSON for "{...}" bodies, else form."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None  # only None when the timestamp is
    if content_type is None:
        content_type = JSON if body.lstrip().startswith("{") else FORM
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def slash_command_body(
    command: str,
    text: str,
    *,
    user_id: str,
    channel_id: str,
    team_id: str = "T0TEAM",
    response_url: str,
    trigger_id: str = DEFAULT_TRIGGER_ID,
    api_app_id: str = "A0APP",
) -> str:
    """A slash command as Slack posts it: form-encoded fields, the command with its leading "/"."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": "fake",
        "channel_id": channel_id,
        "channel_name": "directmessage" if channel_id.startswith("D") else channel_id.lower(),
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command if command.startswith("/") else "/" + command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return urlencode(fields)


def event_body(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = "T0TEAM",
    api_app_id: str = "A0APP",
    bot_user_id: str = "UBOT",
) -> str:
    """An Events API `event_callback` envelope; a fresh event_id each time unless given (for retry tests)."""
    event_time = int(float(event.get("event_ts") or event.get("ts") or time.time()))
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-fake-event-context",
    }
    return json.dumps(envelope, ensure_ascii=False)


def interactivity_body(payload: dict[str, Any]) -> str:
    """Block actions, view submissions, shortcuts: Slack form-encodes the JSON under `payload`."""
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def block_actions_payload(
    action: dict[str, Any],
    *,
    user: dict[str, Any],
    response_url: str,
    trigger_id: str,
    context: dict[str, Any],
    team_id: str = "T0TEAM",
    api_app_id: str = "A0APP",
) -> dict[str, Any]:
    """A button click as Slack sends it; `context` says where the button was: a message (channel, ts,
    thread_ts, text), a modal (view) or an ephemeral message (channel only)."""
    channel = context.get("channel")
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": user,
        "api_app_id": api_app_id,
        "team": {"id": team_id, "domain": "fake"},
        "trigger_id": trigger_id,
        "response_url": response_url,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }
    if channel:
        payload["channel"] = {"id": channel, "name": context.get("channel_name") or channel.lower()}
    if context.get("ts"):
        message = {"type": "message", "ts": context["ts"], "text": context.get("text", "")}
        if context.get("thread_ts"):
            message["thread_ts"] = context["thread_ts"]
        payload["message"] = message
        payload["container"] = {"type": "message", "message_ts": context["ts"], "channel_id": channel}
    elif context.get("view"):
        payload["view"] = context["view"]
        payload["container"] = {"type": "view", "view_id": context["view"].get("id")}
    else:
        payload["container"] = {"type": "message", "is_ephemeral": True, "channel_id": channel}
    return payload


def message_action_payload(
    callback_id: str,
    message: dict[str, Any],
    *,
    channel: str,
    user: dict[str, Any],
    response_url: str,
    trigger_id: str,
    team_id: str = "T0TEAM",
    api_app_id: str = "A0APP",
) -> dict[str, Any]:
    """A message shortcut as Slack sends it: the message it was used on (ts, text, user, thread_ts)."""
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "action_ts": f"{time.time():.6f}",
        "message_ts": message["ts"],
        "team": {"id": team_id, "domain": "fake"},
        "user": user,
        "channel": {"id": channel, "name": channel.lower()},
        "message": {"type": "message", **message},
        "api_app_id": api_app_id,
    }


def block_suggestion_payload(
    view: dict[str, Any],
    *,
    block_id: str,
    action_id: str,
    value: str,
    user: dict[str, Any],
    team_id: str = "T0TEAM",
    api_app_id: str = "A0APP",
) -> dict[str, Any]:
    """What a searchable picker (external_select) in a modal sends as someone types: the words so far."""
    return {
        "type": "block_suggestion",
        "user": user,
        "container": {"type": "view", "view_id": view.get("id")},
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "team": {"id": team_id, "domain": "fake"},
        "view": view,
    }


def view_submission_payload(
    view: dict[str, Any],
    values: dict[str, dict[str, Any]],
    *,
    user: dict[str, Any],
    trigger_id: str = DEFAULT_TRIGGER_ID,
    team_id: str = "T0TEAM",
    api_app_id: str = "A0APP",
) -> dict[str, Any]:
    """A modal submitted with `values` (block_id → action_id → the element's state)."""
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "fake"},
        "user": user,
        "api_app_id": api_app_id,
        "trigger_id": trigger_id,
        "view": {**view, "state": {"values": values}},
    }
