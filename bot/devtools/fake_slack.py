"""A fake Slack Web API on loopback, shared by the tests, the local console and the benchmarks.

slack-sdk sends its requests with urllib, so they cannot be intercepted in-process: the real app
is pointed at this server with ``WebClient(base_url=fake.base_url)`` instead (the same pattern as
bolt-python's ``tests/mock_web_api_server``). The fake keeps just enough state to answer like Slack
(`FakeWorkspace`), records every call, can inject scripted faults, and writes what it received to
the conformance record (`bot.devtools.recording`).
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from http.server import ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.devtools.fake_files import UPLOAD_PATH
from bot.devtools.fake_http import BAD_BODY, Call, Fault, Reply, decode_args, make_server
from bot.devtools.fake_workspace import FakeWorkspace
from bot.devtools.recording import Recorder
from bot.devtools.web_api import FORM_ONLY_METHODS, SlackError

__all__ = ["Call", "FakeSlack", "Fault"]

T = TypeVar("T")

# The POST of a file's bytes to its upload URL, as calls() records it (no Web API method; not sent to the recorder).
UPLOAD_CALL = "file_upload"
# wait_for re-checks at least this often, for predicates on app state written after the last Slack call.
RECHECK_SECONDS = 0.05
# `record` default: the session's recorder (SUPPORTBOT_SLACK_RECORD), read when the fake is made.
FROM_ENV = "from-env"


class FakeSlack(FakeWorkspace):
    """A threaded loopback HTTP server answering Slack Web API calls from in-memory state.

    `record`: where to write what it receives for the conformance checker; the default follows
    SUPPORTBOT_SLACK_RECORD, None records nothing (for tests of the fake that send invalid calls on purpose).
    """

    def __init__(
        self,
        *,
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        team_id: str = "T0TEAM",
        users: dict[str, dict] | None = None,
        usergroups: dict[str, list[str]] | None = None,
        channel_members: dict[str, list[str]] | None = None,
        scopes: list[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        missing_channels: Iterable[str] = (),
        valid_tokens: set[str] | None = None,
        ts_clock: Callable[[], float] | None = time.time,
        record: Recorder | str | None = FROM_ENV,
    ) -> None:
        super().__init__(
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            team_id=team_id,
            users=users,
            usergroups=usergroups,
            channel_members=channel_members,
            scopes=scopes,
            missing_channels=missing_channels,
            valid_tokens=valid_tokens,
            ts_clock=ts_clock,
        )
        self.recorder = Recorder.from_env() if record == FROM_ENV else record if isinstance(record, Recorder) else None
        self._host, self._port = host, port
        self._changed = threading.Condition(self._lock)
        self._version = 0  # bumped on every recorded call, so waiters never miss one
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._started_at = time.monotonic()
        self._calls: list[Call] = []
        self._faults: dict[str, list[list[Any]]] = {}  # method -> [[Fault, remaining times], ...]

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._server = make_server(self._host, self._port, self._serve)
        self.files.base_url = f"http://{self._host}:{self._server.server_port}"
        self._stopping.clear()
        self._started_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="FakeSlack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # cuts scripted delays short
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self._host}:{self._server.server_port}"

    @property
    def base_url(self) -> str:
        """What to pass to WebClient(base_url=...); ends with "/" as slack-sdk expects."""
        return f"{self.root_url}/api/"

    def new_response_url(self) -> str:
        """A response_url whose posts are recorded as "response_url" calls."""
        return f"{self.root_url}/response/{next(self._ids)}"

    def record_ack(
        self, request_body: str | bytes, *, status: int, content_type: str, body: str | bytes, signing: str = "signed"
    ) -> None:
        """Write the app's answer to a Slack request to the conformance record (see bot.devtools.recording)."""
        if self.recorder is not None:
            self.recorder.ack(request_body, status=status, content_type=content_type, body=body, signing=signing)

    # ------------------------------------------------------------------ test helpers

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def reset(self) -> None:
        """Forget calls, messages, reactions, views and faults; configuration and the ts counter stay."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self.forget()
            self._version += 1
            self._changed.notify_all()

    def fail(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        drop: bool = False,
        after_effect: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Script the next `times` calls of `method` ("*" = any) to fail; faults are consumed in order.

        A method's own faults are used before "*" ones; "response_url" scripts the response URL sink.

        status defaults to 200 when an error is given (an API error) and to 500 otherwise.
        status=200 without an error answers normally: use it with `delay` or `drop`.
        after_effect=True applies the call (message stored, ts used) before failing: a blind retry duplicates.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if status is None:
            status = 200 if error else 500
        fault = Fault(status, error, retry_after, drop, after_effect, delay)
        with self._lock:
            self._faults.setdefault(method, []).append([fault, times])

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until predicate() is truthy and return its value; wakes on every call to the fake."""
        return self._wait(predicate, timeout, getattr(predicate, "__qualname__", repr(predicate)))

    def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Wait for at least `count` calls of `method` matching `where`; returns all the matching calls."""

        def matching() -> list[Call] | None:
            found = [c for c in self.calls(method) if where is None or where(c)]
            return found if len(found) >= count else None

        what = f"{count} call(s) to {method}" + (" matching the filter" if where else "")
        return self._wait(matching, timeout, what)

    def _wait(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                seen = self._version
            value = predicate()  # outside the lock: it may be slow or look at other state
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"FakeSlack: timed out after {timeout}s waiting for {what}\n{self.dump()}")
            with self._changed:
                if self._version == seen:
                    self._changed.wait(min(remaining, RECHECK_SECONDS))

    def dump(self, last: int = 20) -> str:
        """The most recent calls, one line each, for assertion messages."""
        calls = self.calls()
        lines = [f"last {min(last, len(calls))} of {len(calls)} call(s):"]
        for call in calls[-last:]:
            if call.fault is not None:
                outcome = f"FAULT {call.fault}"
            elif call.response is None:
                outcome = "ok"
            else:
                outcome = "ok" if call.response.get("ok") else f"error {call.response.get('error')}"
            args = json.dumps(call.args, ensure_ascii=False, default=str)
            args = args if len(args) <= 300 else args[:297] + "..."
            lines.append(f"  +{call.at - self._started_at:7.3f}s {call.method} {args} -> {outcome}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ request handling

    def _serve(self, verb: str, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        """Turn one HTTP request into a reply: parse, take a fault, apply, record, then answer."""
        url = urlsplit(path)
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
        elif url.path.startswith("/response/"):
            method = "response_url"
        elif url.path.startswith(UPLOAD_PATH):
            return self._upload(url.path.removeprefix(UPLOAD_PATH), raw)
        else:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        content_type = headers.get("content-type", "")
        sent = decode_args(url.query, content_type, raw)
        if self.recorder is not None:
            self.recorder.call(method, sent, content_type, verb)
        # What Slack reads: a JSON body to a form-only method is ignored, as real Slack ignores it.
        ignored = method in FORM_ONLY_METHODS and content_type.startswith("application/json")
        args = decode_args(url.query, "", b"") if ignored else sent
        auth = headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        if method == "response_url":
            args["_url"] = self.root_url + url.path
        with self._lock:
            fault = self._take_fault(method)
            response: dict[str, Any] | None = None
            if fault is None or fault.after_effect or fault.passes_through:
                response = self._apply(method, args, token)
            self._calls.append(Call(method, args, token, headers, time.monotonic(), fault, response))
            self._version += 1
            self._changed.notify_all()
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        return self._reply(method, fault, response)

    def _upload(self, file_id: str, raw: bytes) -> Reply:
        """The bytes of a file, POSTed to the URL files.getUploadURLExternal gave (recorded as "file_upload")."""
        with self._lock:
            fault = self._take_fault(UPLOAD_CALL)
            received = fault is None and self.files.receive(file_id, raw)
            self._calls.append(
                Call(UPLOAD_CALL, {"file_id": file_id, "bytes": len(raw)}, None, {}, time.monotonic(), fault)
            )
            self._version += 1
            self._changed.notify_all()
        if fault is not None:
            return Reply(fault.status, b"error", {"Content-Type": "text/plain"})
        return Reply(200 if received else 404, b"OK" if received else b"not found", {"Content-Type": "text/plain"})

    def _reply(self, method: str, fault: Fault | None, response: dict[str, Any] | None) -> Reply:
        headers = {"x-oauth-scopes": ",".join(self.scopes)}
        if fault is not None and fault.drop:
            return Reply(0, b"", drop=True)
        if fault is not None and not fault.passes_through:
            if fault.status == 429:
                headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
            return Reply.json(fault.status, fault.body(), headers)
        if method == "response_url":
            return Reply(200, b"ok", {**headers, "Content-Type": "text/plain; charset=utf-8"})
        assert response is not None
        return Reply.json(200, response, headers)

    def _take_fault(self, method: str) -> Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                entry = queue[0]
                entry[1] -= 1
                if entry[1] == 0:
                    queue.pop(0)
                return entry[0]
        return None

    def _apply(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any] | None:
        """Run a method handler under the lock; a bug in the fake answers an error instead of hanging."""
        if method == "response_url":
            return None
        handler = self.method(method)
        try:
            if handler is None:
                raise SlackError("unknown_method")
            if not token or (self.valid_tokens is not None and token not in self.valid_tokens):
                raise SlackError("invalid_auth")
            if BAD_BODY in args:
                raise SlackError("invalid_json")
            return handler(args)
        except SlackError as e:
            return {"ok": False, "error": e.error}
        except Exception:
            return {"ok": False, "error": "fake_slack_bug", "detail": traceback.format_exc()}
