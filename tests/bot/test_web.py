"""The WSGI surface: health endpoints, what is refused before Bolt sees a request, and acks under load."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from slack_bolt import BoltRequest, BoltResponse

from bot.web import MAX_BODY_BYTES, SLACK_PATH, WebApp


class StubBolt:
    """Stands in for the Bolt app: records what it is given, answers what it is told."""

    def __init__(self, response: BoltResponse | None = None, error: Exception | None = None) -> None:
        self.requests: list[BoltRequest] = []
        self.response = response or BoltResponse(status=200, body="")
        self.error = error

    def dispatch(self, request: BoltRequest) -> BoltResponse:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.response


def call(
    web: WebApp,
    path: str = SLACK_PATH,
    *,
    method: str = "POST",
    body: bytes = b"",
    content_type: str | None = "application/x-www-form-urlencoded",
    headers: dict[str, str] | None = None,
    content_length: str | None = None,
    query: str = "",
) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": content_length if content_length is not None else str(len(body)),
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(response_headers)

    payload = b"".join(web(environ, start_response))
    return seen["status"], seen["headers"], payload


def ready() -> tuple[bool, dict[str, Any]]:
    return True, {"database": "ok", "knowledge_entries": 3}


def test_healthz_is_alive_whatever_the_database() -> None:
    web = WebApp(StubBolt(), lambda: (False, {"database": "unreachable"}))  # type: ignore[arg-type]
    status, headers, body = call(web, "/healthz", method="GET")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("readiness", "draining", "status", "expected"),
    [
        (ready, False, 200, {"status": "ready", "database": "ok", "knowledge_entries": 3}),
        (lambda: (False, {"database": "unreachable"}), False, 503, {"status": "not ready", "database": "unreachable"}),
        (ready, True, 503, {"status": "not ready", "database": "ok", "knowledge_entries": 3, "draining": True}),
    ],
)
def test_readyz_reports_the_database_and_draining(
    readiness: Any, draining: bool, status: int, expected: dict[str, Any]
) -> None:
    web = WebApp(StubBolt(), readiness, draining=lambda: draining)  # type: ignore[arg-type]
    got, _, body = call(web, "/readyz", method="GET")
    assert got == status and json.loads(body) == expected


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"path": "/elsewhere"}, 404),
        ({"method": "GET"}, 405),
        ({"content_type": "text/plain"}, 415),
        ({"content_type": None}, 415),
        ({"content_length": "twelve"}, 400),
        ({"content_length": str(MAX_BODY_BYTES + 1)}, 413),
        ({"headers": {"X-Slack-Request-Timestamp": "soon"}}, 401),
        ({"headers": {"X-Slack-Request-Timestamp": "1" * 40}}, 401),
        ({"headers": {"X-Slack-Request-Timestamp": "١٢٣"}}, 401),  # digits int() accepts, Slack never sends
        ({"body": b"text=\xff\xfe"}, 400),
        ({"body": b"{not json", "content_type": "application/json"}, 400),
        ({"body": b"[1, 2]", "content_type": "application/json"}, 400),
        ({"body": b"payload=%7Bbroken"}, 400),
        ({"body": b"payload=%22just+a+string%22"}, 400),
    ],
)
def test_what_cannot_come_from_slack_never_reaches_bolt(kwargs: dict[str, Any], status: int) -> None:
    bolt = StubBolt()
    web = WebApp(bolt, ready)  # type: ignore[arg-type]
    got, _, body = call(web, **kwargs)
    assert got == status
    assert bolt.requests == []
    assert b"Traceback" not in body


def test_a_slack_request_reaches_bolt_with_its_body_headers_and_query() -> None:
    bolt = StubBolt(BoltResponse(status=200, body={"text": "使い方"}, headers={"X-Extra": ["a", "b"]}))
    web = WebApp(bolt, ready)  # type: ignore[arg-type]
    body = b"command=%2Fcase&text=%E4%B8%AD+%E4%BB%B6%E5%90%8D"
    status, headers, answer = call(
        web,
        body=body,
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        headers={"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": "v0=abc"},
        query="ssl_check=0",
    )
    assert status == 200 and json.loads(answer) == {"text": "使い方"}
    assert headers["Content-Length"] == str(len(answer))
    (request,) = bolt.requests
    assert request.raw_body == body.decode()
    assert request.body["text"] == "中 件名"
    assert request.headers["x-slack-signature"] == ["v0=abc"]
    assert request.headers["x-slack-request-timestamp"] == ["1700000000"]
    assert request.query == {"ssl_check": ["0"]}


def test_bolt_failing_on_an_odd_body_is_a_400_without_a_trace(caplog: pytest.LogCaptureFixture) -> None:
    web = WebApp(StubBolt(error=KeyError("type")), ready)  # type: ignore[arg-type]
    status, _, body = call(web, body=b"payload=%7B%22type%22%3A%22view_submission%22%7D")
    assert status == 400 and body == b"bad request"
    assert "could not dispatch a Slack request" in caplog.text  # logged for us, not shown to the caller


def test_an_unusual_status_from_bolt_is_passed_on() -> None:
    web = WebApp(StubBolt(BoltResponse(status=299, body="")), ready)  # type: ignore[arg-type]
    assert call(web, body=b"a=1")[0] == 299


# --- acks under load: the listener pool behind the WSGI app --------------------------------------
