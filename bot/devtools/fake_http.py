"""The fake Slack's HTTP side: requests in (form, JSON, query string), scripted faults, replies out.

slack-sdk sends its requests with urllib, so they cannot be intercepted in-process: the app is
pointed at a real loopback server instead (as bolt-python's ``tests/mock_web_api_server`` does).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

# Form-encoded requests carry these as JSON strings; decoding them gives tests one shape to assert on.
JSON_FIELDS = frozenset({"blocks", "attachments", "metadata", "view", "user_auth_blocks"})
# Where a body that is neither a form nor a JSON object is kept, under the name the checker knows.
BAD_BODY = "_body"


@dataclass(frozen=True)
class Fault:
    """One scripted failure; see FakeSlack.fail."""

    status: int
    error: str | None = None
    retry_after: int | None = None
    drop: bool = False
    after_effect: bool = False
    delay: float = 0.0

    @property
    def passes_through(self) -> bool:
        """A 200 without an error is only a delay (or a drop): the call is answered normally."""
        return self.status == 200 and self.error is None

    def body(self) -> dict[str, Any]:
        if self.status == 429:
            return {"ok": False, "error": self.error or "ratelimited"}
        return {"ok": False, "error": self.error or "fatal_error"}

    def __str__(self) -> str:
        parts = ["drop" if self.drop else f"HTTP {self.status}"]
        if not self.drop and not self.passes_through:
            parts.append(self.body()["error"])
        if self.status == 429 and not self.drop:
            parts.append(f"Retry-After {self.retry_after if self.retry_after is not None else 1}")
        if self.after_effect:
            parts.append("after effect")
        if self.delay:
            parts.append(f"delay {self.delay}s")
        return ", ".join(parts)


@dataclass(frozen=True)
class Call:
    """One request as the fake saw it; faulted and rejected requests are recorded too."""

    method: str
    args: dict[str, Any]
    token: str | None
    headers: dict[str, str]  # lower-cased names
    at: float  # time.monotonic()
    fault: Fault | None = None
    response: dict[str, Any] | None = None  # the JSON we answered (or would have, before a fault)


@dataclass
class Reply:
    """What the server answers: an HTTP status, a body and headers, or a dropped connection."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False

    @classmethod
    def json(cls, status: int, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return cls(status, data, {**headers, "Content-Type": "application/json; charset=utf-8"})


def decode_args(query: str, content_type: str, raw: bytes) -> dict[str, Any]:
    """Query string, JSON body and form body merged into one dict, JSON-string fields decoded."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    text = raw.decode("utf-8", errors="replace")
    if content_type.startswith("application/json") and text.strip():
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        args.update(body if isinstance(body, dict) else {BAD_BODY: text})
    elif content_type.startswith("application/x-www-form-urlencoded"):
        args.update(parse_qsl(text, keep_blank_values=True))
    for key in JSON_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            with contextlib.suppress(ValueError):  # a malformed value stays as sent, for the test to see
                args[key] = json.loads(value)
    return args


# (HTTP verb, path with query, lower-cased headers, body) -> the reply
Serve = Callable[[str, str, dict[str, str], bytes], Reply]


def make_server(host: str, port: int, serve: Serve) -> ThreadingHTTPServer:
    """A threaded HTTP server handing every GET and POST to `serve`."""
    handler = type("_BoundHandler", (_Handler,), {"serve": staticmethod(serve)})
    return _QuietServer((host, port), handler)


class _QuietServer(ThreadingHTTPServer):
    """Daemon threads so a stuck request never blocks exit; no tracebacks for clients that hung up.

    Connections are kept alive (HTTP/1.1), so closing the server also closes the ones still open, as a
    server that goes away does: a client must not reach a stopped fake through a connection it kept."""

    daemon_threads = True
    request_queue_size = 128  # the default 5 refuses connections when a burst of clients arrives at once

    def __init__(self, address: tuple[str, int], handler: Any) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self._open_lock:
            still_open, self._open = list(self._open), set()
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    serve: Serve  # set on a per-server subclass
    server_version = "FakeSlack/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive, as Slack: every answer has its Content-Length
    disable_nagle_algorithm = True  # else a kept connection waits out the client's delayed ACK (40 ms) per answer

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if len(raw) < length:  # cut off (the client went away, or the fake is stopping): nothing happened
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = self.serve(self.command, self.path, headers, raw)
        except Exception:  # a bug in the fake: say so instead of silently closing the connection
            reply = Reply(500, traceback.format_exc().encode(), {"Content-Type": "text/plain; charset=utf-8"})
        if reply.drop:
            self.close_connection = True  # nothing written: the client sees the connection closed
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up (timeout): nothing to answer

    do_GET = do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass
