"""The HTTP surface: POST /slack/events for Slack, GET /healthz and /readyz for the platform.

A plain WSGI callable, served by waitress in `supportbot run` (or by any WSGI server: gunicorn
with `bot.wsgi:application`). Bolt's own WSGI adapter does the Slack part.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024  # Slack payloads are far smaller; anything bigger is not from Slack
ACCEPTED_CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")

Readiness = Callable[[], tuple[bool, dict[str, Any]]]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    start_response(status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def _text(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


class WebApp:
    """Routes requests; rejects what cannot be a Slack request before Bolt sees it."""

    def __init__(self, app: App, readiness: Readiness, *, draining: Callable[[], bool] = lambda: False) -> None:
        self.slack = SlackRequestHandler(app, path=SLACK_PATH)
        self.readiness = readiness
        self.draining = draining

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz":
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == "/readyz":
            ready, details = self.readiness()
            if self.draining():
                ready, details = False, {**details, "draining": True}
            status = "200 OK" if ready else "503 Service Unavailable"
            return _json(start_response, status, {"status": "ready" if ready else "not ready", **details})
        if path != SLACK_PATH:
            return _text(start_response, "404 Not Found", "not found")
        if method != "POST":
            return _text(start_response, "405 Method Not Allowed", "use POST")
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if content_type not in ACCEPTED_CONTENT_TYPES:
            return _text(start_response, "415 Unsupported Media Type", "unsupported content type")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _text(start_response, "400 Bad Request", "bad content length")
        if length > MAX_BODY_BYTES:
            return _text(start_response, "413 Payload Too Large", "request body too large")
        try:
            return self.slack(environ, start_response)
        except Exception:
            log.exception("unexpected error while handling a Slack request")
            return _text(start_response, "400 Bad Request", "bad request")
