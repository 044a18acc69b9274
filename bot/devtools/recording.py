"""A record of what reached the fake Slack, for the Slack conformance checker.

A fake Slack accepts whatever the bot sends; `../shared/slack-conformance/conformance.py` judges it
the way real Slack would. This module writes its input: one JSON line per Web API call the fake
received (method, parsed arguments, content type) and one per answer the app gave to a request from
Slack (an "ack": status, content type, body; for a view submission also the submitted view).

Where to: the file named by SUPPORTBOT_SLACK_RECORD (appended to; the test suite sets it for the
session), or an explicit `Recorder` (`supportbot shell --record FILE`).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

RECORD_ENV = "SUPPORTBOT_SLACK_RECORD"
# Bolt refuses a request signed more than 5 minutes ago; the checker excuses its answer.
STALE_AFTER_SECONDS = 5 * 60

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()
_seq = itertools.count(1)


class Recorder:
    """Appends records to one JSON-lines file; safe from many threads and fakes at once."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).resolve()
        with _locks_guard:
            self._lock = _locks.setdefault(self.path, threading.Lock())

    @classmethod
    def from_env(cls) -> Recorder | None:
        """The session's recorder when SUPPORTBOT_SLACK_RECORD names a file, else None."""
        path = os.environ.get(RECORD_ENV, "").strip()
        return cls(path) if path else None

    def call(self, method: str, args: Mapping[str, Any], content_type: str, http_method: str = "POST") -> None:
        """One Web API call (or response_url post) as the fake received it."""
        self._write(
            {
                "method": method,
                "args": dict(args),
                "headers": {"content-type": content_type},
                "http_method": http_method,
            }
        )

    def ack(
        self,
        request_body: str | bytes,
        *,
        status: int,
        content_type: str,
        body: str | bytes,
        signing: str = "signed",
    ) -> None:
        """The app's answer to a Slack request; `signing` says whether the request was a forgery on purpose
        ("unsigned", "bad_signature", "stale": the checker then does not expect a 200)."""
        answer = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        self._write(
            {
                "kind": "ack",
                **describe_request(request_body),
                "status": status,
                "content_type": content_type,
                "body": answer,
                "signing": signing,
            }
        )

    def _write(self, record: dict[str, Any]) -> None:
        record = {"seq": f"{os.getpid()}-{next(_seq)}", **record}  # unique across the processes of a session
        test = os.environ.get("PYTEST_CURRENT_TEST")
        if test:
            record["test"] = test.rsplit(" ", 1)[0]  # "path::name (call)" → "path::name"
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)


def describe_request(body: str | bytes) -> dict[str, Any]:
    """What kind of Slack request a body is, in the checker's terms (request, command, event_type, view)."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if text.lstrip().startswith("{"):
        try:
            envelope = json.loads(text)
        except ValueError:
            return {"request": "unknown"}
        event = envelope.get("event") if isinstance(envelope, dict) else None
        if isinstance(event, dict):
            return {"request": "event", "event_type": event.get("type")}
        return {"request": str(envelope.get("type") if isinstance(envelope, dict) else "unknown")}
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "command" in fields:
        return {"request": "command", "command": fields["command"], "text": fields.get("text", "")}
    try:
        payload = json.loads(fields.get("payload", ""))
    except ValueError:
        return {"request": "unknown"}
    if not isinstance(payload, dict):
        return {"request": "unknown"}
    described: dict[str, Any] = {"request": str(payload.get("type"))}
    if payload.get("type") == "view_submission":
        described["view"] = payload.get("view")
    return described


def signing_of(body: str | bytes, headers: Mapping[str, str], secret: str) -> str:
    """How a request was signed, in the checker's terms: "signed", "unsigned", "bad_signature" or "stale"
    (forged on purpose, or signed so long ago that Bolt must refuse it)."""
    from slack_sdk.signature import SignatureVerifier

    lower = {k.lower(): v for k, v in headers.items()}
    timestamp, signature = lower.get("x-slack-request-timestamp"), lower.get("x-slack-signature")
    if not timestamp or not signature:
        return "unsigned"
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if (
        not timestamp.isdigit()
        or SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=text) != signature
    ):
        return "bad_signature"
    if time.time() - int(timestamp) > STALE_AFTER_SECONDS:
        return "stale"
    return "signed"
