"""Delivers outbox messages to Slack: render, post or update, and classify what went wrong.

Posts carry message metadata (event type `supportbot_outbox` and the outbox id), so when a post
might have landed despite an error, the next attempt finds it in the channel instead of posting
a duplicate.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from http.client import HTTPException
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web import SlackResponse

from bot.models import OutboxMessage
from bot.notify import (
    Delivered,
    NotReady,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDelivery,
)
from bot.slack.client import retry_after_seconds
from bot.slack.keep_alive import ConnectionPool

log = logging.getLogger(__name__)

METADATA_EVENT_TYPE = "supportbot_outbox"
# The "did it land?" check reads the channel from the row's creation (less this, for clocks that
# differ) to now; it gives up after this many pages of 200 (100,000 messages in one window).
LANDED_SKEW = timedelta(minutes=5)
LANDED_MAX_PAGES = 500

# Errors that retrying cannot fix; the message is marked failed and logged for an admin.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "cant_update_message",
        "edit_window_closed",
        "user_not_found",
        "cannot_dm_bot",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "message_not_found",
        "thread_not_found",
    }
)
# Definitely not delivered, but may work later (an admin fixes the token, Slack recovers).
RETRY_ERRORS = frozenset(
    {
        "ratelimited",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "team_access_not_granted",
        "service_unavailable",
    }
)


@dataclass(frozen=True)
class FileUpload:
    """A file shared with the message (slack-sdk's files_upload_v2; `text` becomes its comment).
    `filename` must be unique to the message: it is how an earlier attempt is found in the channel."""

    data: bytes
    filename: str
    title: str
    alt_text: str


@dataclass
class SlackPost:
    """One message to post (or, with `update_ts`, to edit in place; with `upload`, a file and its comment)."""

    channel: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    update_ts: str | None = None
    reply_broadcast: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    response_url: str | None = None  # an ephemeral answer to a request, instead of a post (bot/slack/intake_replies.py)
    upload: FileUpload | None = None


Renderer = Callable[[OutboxMessage], SlackPost]


class SlackNotifier:
    def __init__(self, client: WebClient, renderers: dict[str, Renderer] | None = None) -> None:
        self.client = client
        self.renderers: dict[str, Renderer] = dict(renderers or {})
        self.http = ConnectionPool()  # response_url posts over kept connections, as the client's calls

    def deliver(self, message: OutboxMessage, *, verify: bool) -> Delivered:
        renderer = self.renderers.get(message.kind)
        if renderer is None:
            raise PermanentDeliveryError(f"no renderer for outbox kind {message.kind!r}")
        post = renderer(message)
        if post.response_url:
            return self._respond(post.response_url, post)
        if post.update_ts:
            return self._update(post)
        if post.upload is not None:
            return self._upload(post, post.upload, message, verify)
        if verify:
            landed = self._find_landed(post, message)
            if landed is not None:
                log.info("outbox %s had already landed as %s; not posting again", message.id, landed.ts)
                return landed
        return self._post(post, message)

    def _post(self, post: SlackPost, message: OutboxMessage) -> Delivered:
        arguments: dict[str, Any] = {
            "channel": post.channel,
            "text": post.text,
            "unfurl_links": False,
            "unfurl_media": False,
            "metadata": {
                "event_type": METADATA_EVENT_TYPE,
                "event_payload": {"outbox_id": message.id, "key": message.dedupe_key[:200]},
            },
            **post.extra,
        }
        if post.blocks is not None:
            arguments["blocks"] = post.blocks
        if post.thread_ts:
            arguments["thread_ts"] = post.thread_ts
            if post.reply_broadcast:
                arguments["reply_broadcast"] = True
        response = self._call("chat.postMessage", lambda: self.client.chat_postMessage(**arguments), idempotent=False)
        return Delivered(channel=response.get("channel"), ts=response.get("ts"))

    def _upload(self, post: SlackPost, upload: FileUpload, message: OutboxMessage, verify: bool) -> Delivered:
        """files_upload_v2: get an upload URL, send the bytes, share them in the channel with `text`.

        Sharing is not idempotent: after an attempt that may have landed, the channel is searched
        for the file by its name first. A failure before the share (the URL, the bytes) is plain retrying.
        """
        if verify:
            landed = self._find_landed(post, message, filename=upload.filename)
            if landed is not None:
                return landed

        def share() -> SlackResponse:
            try:
                return self.client.files_upload_v2(
                    channel=post.channel,
                    file=upload.data,
                    filename=upload.filename,
                    title=upload.title,
                    alt_txt=upload.alt_text,
                    initial_comment=post.text,
                    thread_ts=post.thread_ts,
                )
            except SlackRequestError as exc:  # the bytes did not reach Slack: nothing was shared
                raise TransientDeliveryError(f"file upload: {exc}") from exc

        response = self._call("files.completeUploadExternal", share, idempotent=False)
        shares = ((response.get("file") or {}).get("shares") or {}).values()
        found = [s[0].get("ts") for where in shares for c, s in where.items() if c == post.channel and s]
        return Delivered(channel=post.channel, ts=found[0] if found else None)

    def _update(self, post: SlackPost) -> Delivered:
        arguments: dict[str, Any] = {"channel": post.channel, "ts": post.update_ts, "text": post.text}
        if post.blocks is not None:
            arguments["blocks"] = post.blocks
        response = self._call("chat.update", lambda: self.client.chat_update(**arguments), idempotent=True)
        return Delivered(channel=response.get("channel") or post.channel, ts=response.get("ts") or post.update_ts)

    def _respond(self, url: str, post: SlackPost) -> Delivered:
        """Post to a request's response_url (ephemeral). It cannot be looked up afterwards: a 5xx or a cut
        connection after sending is "uncertain" and sent again, so it may, rarely, be shown twice."""
        body: dict[str, Any] = {"text": post.text, "response_type": "ephemeral", "replace_original": False}
        if post.blocks is not None:
            body["blocks"] = post.blocks
        request = Request(
            url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            self.http.open(request, self.client.timeout)
        except HTTPError as exc:
            if exc.code == 429:
                raise TransientDeliveryError(
                    "response_url: rate limited", retry_after=retry_after_seconds(dict(exc.headers))
                ) from exc
            if exc.code >= 500:
                raise UncertainDelivery(f"response_url: HTTP {exc.code}") from exc
            raise PermanentDeliveryError(f"response_url: HTTP {exc.code}") from exc
        except URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError):
                raise TransientDeliveryError(f"response_url: {exc.reason}") from exc
            raise UncertainDelivery(f"response_url: {exc.reason}") from exc
        except (TimeoutError, HTTPException, OSError) as exc:
            raise UncertainDelivery(f"response_url: {exc!r}") from exc
        return Delivered(channel=post.channel, ts=None)

    def _find_landed(self, post: SlackPost, message: OutboxMessage, *, filename: str | None = None) -> Delivered | None:
        """Look for an earlier attempt of `message` in the channel (or thread), by its metadata.

        Every attempt happened between the row's creation and now, so that is the window searched
        (`oldest` a little earlier, for clocks that differ; `latest` is Slack's now), page after page
        (`cursor`, 200 at a time) until the post is found
        or the window is read to its end: however busy the channel and however long ago the attempt.
        Through the SDK's typed methods: Slack reads the arguments of these read methods from the query
        string or a form, not from a JSON body (which it would ignore, finding nothing).
        """
        window = {"oldest": f"{(message.created_at - LANDED_SKEW).timestamp():.6f}", "inclusive": True}
        try:
            for page in self._history_pages(post, window):
                for item in page.get("messages") or []:
                    payload = (item.get("metadata") or {}).get("event_payload") or {}
                    shared = filename is not None and any(f.get("name") == filename for f in item.get("files") or [])
                    if payload.get("outbox_id") == message.id or shared:
                        return Delivered(channel=page.get("channel") or post.channel, ts=item.get("ts"))
        except (PermanentDeliveryError, TransientDeliveryError) as exc:
            if isinstance(exc, TransientDeliveryError) and "missing_scope" not in str(exc):
                raise
            # No history access (e.g. a DM without im:history): better a rare duplicate than a lost page.
            log.warning("cannot check whether outbox %s landed in %s; sending again", message.id, post.channel)
        return None

    def _history_pages(self, post: SlackPost, window: dict[str, Any]) -> Iterator[Any]:
        """The channel's (or the thread's) messages in the window, one page of up to 200 at a time."""
        thread_ts, cursor = post.thread_ts, None
        for _ in range(LANDED_MAX_PAGES):
            arguments = {"channel": post.channel, "include_all_metadata": True, "limit": 200, **window}
            if cursor:
                arguments["cursor"] = cursor
            read: Callable[..., SlackResponse]
            if thread_ts:
                method, read = "conversations.replies", partial(self.client.conversations_replies, ts=thread_ts)
            else:
                method, read = "conversations.history", self.client.conversations_history
            response = self._call(method, partial(read, **arguments), idempotent=True)
            yield response
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return
        log.warning("outbox: stopped looking for an earlier post in %s after %d pages", post.channel, LANDED_MAX_PAGES)

    def _call(self, method: str, call: Callable[[], SlackResponse], *, idempotent: bool) -> Any:
        """Make one Web API call (`method` names it in errors) and classify what went wrong."""
        try:
            return call()
        except SlackApiError as exc:
            response = exc.response
            status = getattr(response, "status_code", 200)
            error = (response.data or {}).get("error", "") if isinstance(response.data, dict) else ""
            if status == 429 or error == "ratelimited":
                retry_after = retry_after_seconds(dict(response.headers or {}))
                raise TransientDeliveryError(f"{method}: rate limited", retry_after=retry_after) from exc
            if status >= 500 or error in ("internal_error", "fatal_error", "request_timeout"):
                if idempotent:
                    raise TransientDeliveryError(f"{method}: HTTP {status} {error}") from exc
                raise UncertainDelivery(f"{method}: HTTP {status} {error}") from exc
            if error in PERMANENT_ERRORS:
                raise PermanentDeliveryError(f"{method}: {error}") from exc
            if error in RETRY_ERRORS:
                raise TransientDeliveryError(f"{method}: {error}", retry_after=60) from exc
            raise PermanentDeliveryError(f"{method}: {error or status}") from exc
        except URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError) or idempotent:
                raise TransientDeliveryError(f"{method}: {exc.reason}") from exc
            raise UncertainDelivery(f"{method}: {exc.reason}") from exc
        except (TimeoutError, HTTPException, ConnectionError, OSError) as exc:
            if idempotent:
                raise TransientDeliveryError(f"{method}: {exc!r}") from exc
            raise UncertainDelivery(f"{method}: {exc!r}") from exc


def require(value: Any, what: str) -> Any:
    """For renderers: a prerequisite that is not there yet (e.g. a case card's ts) means "later"."""
    if value is None:
        raise NotReady(f"{what} is not available yet")
    return value
