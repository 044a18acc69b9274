"""The HTTP surface: POST /slack/events for Slack, GET /healthz and /readyz for the platform, GET /metrics
for Prometheus (bot/metrics.py).

A plain WSGI callable, served by waitress in `supportbot run`. To scale out, run more replicas of
`supportbot run` against the same PostgreSQL behind a load balancer that spreads POST /slack/events
and checks GET /readyz: replicas share nothing but the database (case numbers, event ids and the
outbox are all claimed there), and each one runs the scheduler safely.

Requests that cannot be from Slack are answered here with a 4xx before Bolt sees them; Bolt's
`App.dispatch` does the rest.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.ack_priority import AckPriority

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024  # Slack payloads are far smaller; anything bigger is not from Slack
ACCEPTED_CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")
# Bolt calls int() on the timestamp before checking the signature: anything else must stop here,
# or it becomes an exception in Bolt's middleware, and the error handler answers an unsigned request.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")

Readiness = Callable[[], tuple[bool, dict[str, Any]]]
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # Prometheus' text exposition format


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

    def __init__(
        self,
        app: App,
        readiness: Readiness,
        *,
        draining: Callable[[], bool] = lambda: False,
        accept_slack: bool = True,
        metrics: Callable[[], bytes] | None = None,
        priority: AckPriority | None = None,
    ) -> None:
        self.app = app
        self.priority = priority or AckPriority()  # counts the Slack requests being answered (work waits)
        self.metrics = metrics  # the exposition text for GET /metrics; None: no such route
        self.readiness = readiness
        self.draining = draining
        self.accept_slack = accept_slack  # False in Socket Mode: Slack's requests come over the WebSocket

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        operations = self._operations(path, method, start_response)
        if operations is not None:
            return operations
        if path != SLACK_PATH or not self.accept_slack:
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
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        if timestamp is not None and not _TIMESTAMP.fullmatch(timestamp):
            return _text(start_response, "401 Unauthorized", "invalid request")
        request = self._bolt_request(environ, length)
        if request is None:
            return _text(start_response, "400 Bad Request", "bad request")
        try:
            with self.priority.answering():
                response = self.app.dispatch(request)
        except Exception:
            # Bolt catches listener errors; what escapes is Bolt itself failing on a body of a shape Slack
            # never sends (e.g. a view without a type, while it builds the listener's arguments).
            log.exception("could not dispatch a Slack request; answering 400")
            return _text(start_response, "400 Bad Request", "bad request")
        return _bolt_response(start_response, response)

    def _operations(self, path: str, method: str, start_response: StartResponse) -> list[bytes] | None:
        """/healthz, /readyz and /metrics, for the platform and Prometheus; None for any other path."""
        if path == "/healthz":
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == "/readyz":
            ready, details = self.readiness()
            if self.draining():
                ready, details = False, {**details, "draining": True}
            status = "200 OK" if ready else "503 Service Unavailable"
            return _json(start_response, status, {"status": "ready" if ready else "not ready", **details})
        if path == "/metrics" and self.metrics is not None:
            return self._metrics(start_response, method)
        return None

    def _metrics(self, start_response: StartResponse, method: str) -> list[bytes]:
        if method not in ("GET", "HEAD"):
            return _text(start_response, "405 Method Not Allowed", "use GET")
        assert self.metrics is not None
        body = self.metrics()
        start_response("200 OK", [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(body)))])
        return [body] if method == "GET" else []

    def _bolt_request(self, environ: WSGIEnvironment, length: int) -> BoltRequest | None:
        """The request for Bolt, or None when the body is not what Slack sends (bad UTF-8, JSON, form)."""
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        headers: dict[str, str | Sequence[str]] = {}
        for key, value in environ.items():
            if key in ("CONTENT_LENGTH", "CONTENT_TYPE"):
                headers[key.lower().replace("_", "-")] = value
            elif key.startswith("HTTP_"):
                headers[key[5:].lower().replace("_", "-")] = value
        try:
            request = BoltRequest(body=raw.decode("utf-8"), query=environ.get("QUERY_STRING", ""), headers=headers)
        except Exception as exc:  # what Bolt's parsers raise on malformed input varies; all of it is a 400
            log.warning("rejected a malformed Slack request (%s: %s)", type(exc).__name__, str(exc)[:200])
            return None
        if not isinstance(request.body, dict):
            log.warning("rejected a Slack request whose body is not an object")
            return None
        return request


def _bolt_response(start_response: StartResponse, response: BoltResponse) -> list[bytes]:
    body = response.body.encode("utf-8") if isinstance(response.body, str) else bytes(response.body or b"")
    try:
        status = HTTPStatus(response.status)
        line = f"{status.value} {status.phrase}"
    except ValueError:
        line = f"{response.status} Unknown"
    headers = [
        (name, value)
        for name, values in (response.headers or {}).items()
        if name.lower() != "content-length"
        for value in values
    ]
    headers.append(("Content-Length", str(len(body))))
    start_response(line, headers)
    return [body]
