"""Requests Slack would never send (or an attacker would): a 4xx or a polite ephemeral, never a 500.

One server for the whole module; after every request it must still answer /healthz, and no answer
may carry a stack trace. Requests that fail before their signature was checked must not make the
bot post anywhere (their response_url is attacker-controlled).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.clock import SystemClock
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.signing import event_body, interactivity_body, signed_headers, slash_command_body
from knowledge.search import KnowledgeIndex
from tests.e2e import http_request
from tests.harness import SIGNING_SECRET, AppHarness

pytestmark = pytest.mark.e2e

UNKNOWN_BUTTON = "このボタンは現在使えません"
UNEXPECTED = "処理中にエラーが発生しました"


@dataclass
class Server:
    harness: AppHarness
    fake: FakeSlack

    def send(
        self, body: str | bytes, *, content_type: str | None = "application/x-www-form-urlencoded", **headers: str
    ) -> tuple[int, str]:
        text_ = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        all_headers = {k: v for k, v in signed_headers(text_, SIGNING_SECRET).items() if k != "Content-Type"}
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        all_headers.update({k.replace("_", "-"): v for k, v in headers.items()})
        return http_request(self.harness.url, "/slack/events", method="POST", body=body, headers=all_headers)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, knowledge_index: KnowledgeIndex) -> Iterator[Server]:
    path: Path = tmp_path_factory.mktemp("malformed") / "bot.db"
    db = Database(f"sqlite:///{path}")
    db.create_all()
    with FakeSlack() as fake:
        harness = AppHarness(fake=fake, db=db, clock=SystemClock(), index=knowledge_index)
        yield Server(harness, fake)
        harness.stop()
    db.dispose()


def block_action(fake: FakeSlack, action_id: str, response_url: str) -> str:
    return interactivity_body(
        {
            "type": "block_actions",
            "user": {"id": "U0AGENT", "username": "u0agent", "team_id": "T0TEAM"},
            "api_app_id": "A0APP",
            "team": {"id": "T0TEAM", "domain": "fake"},
            "trigger_id": "trigger.x",
            "response_url": response_url,
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0CASES"},
            "channel": {"id": "C0CASES", "name": "cases"},
            "message": {"ts": "1700000000.000100", "text": "old card"},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": "1", "action_ts": "1"}],
        }
    )


def view_submission(view: dict[str, object]) -> str:
    return interactivity_body(
        {"type": "view_submission", "user": {"id": "U0AGENT"}, "team": {"id": "T0TEAM"}, "view": view}
    )


def command(fake: FakeSlack, text_: str, response_url: str, command: str = "/case", **drop: bool) -> str:
    fields = dict(
        _parse(slash_command_body(command, text_, user_id="U0AGENT", channel_id="C0CASES", response_url=response_url))
    )
    for name in drop:
        fields.pop(name, None)
    return urlencode(fields)


def _parse(body: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(body, keep_blank_values=True)


# (name, build(fake, response_url) -> (body, content type, extra headers), allowed statuses, ephemeral expected)
Case = tuple[str, Callable[[FakeSlack, str], tuple[str | bytes, str | None, dict[str, str]]], set[int], str | None]
FORM = "application/x-www-form-urlencoded"
CASES: list[Case] = [
    ("bad JSON in payload", lambda f, u: ("payload=%7Bnot-json", FORM, {}), {400}, None),
    ("payload is a list", lambda f, u: ("payload=%5B1%2C2%5D", FORM, {}), {400}, None),
    ("payload without a type", lambda f, u: ("payload=%7B%7D", FORM, {}), {404}, None),
    ("bad JSON body", lambda f, u: ("{not json", "application/json", {}), {400}, None),
    ("JSON body is a list", lambda f, u: ("[1, 2]", "application/json", {}), {400}, None),
    (
        "event without an event",
        lambda f, u: (json.dumps({"type": "event_callback"}), "application/json", {}),
        {200},
        None,
    ),
    (
        "unknown event",
        lambda f, u: (event_body({"type": "tokens_revoked", "event_ts": "1"}), "application/json", {}),
        {200},
        None,
    ),
    (
        "slash command without a user",
        lambda f, u: (command(f, "中 件名", u, user_id=True), FORM, {}),
        {200},
        UNEXPECTED,
    ),
    ("slash command without text", lambda f, u: (command(f, "", u, text=True), FORM, {}), {200}, None),
    (
        "slash command the app does not have",
        lambda f, u: (command(f, "中 件名", u, command="/cas"), FORM, {}),
        {200},
        "/cas はこのボットのコマンドではありません。使えるコマンド: `/case`, `/faq`, `/oncall`",
    ),
    ("unknown action id", lambda f, u: (block_action(f, "retired_button_v1", u), FORM, {}), {200}, UNKNOWN_BUTTON),
    (
        "view without a type",
        lambda f, u: (view_submission({"callback_id": "gone", "state": {"values": {}}}), FORM, {}),
        {400},
        None,
    ),
    (
        "unknown view callback",
        lambda f, u: (view_submission({"type": "modal", "callback_id": "gone", "state": {"values": {}}}), FORM, {}),
        {200},
        None,
    ),
    ("plain text content type", lambda f, u: ("command=%2Fcase", "text/plain", {}), {415}, None),
    ("multipart content type", lambda f, u: ("--x--", "multipart/form-data; boundary=x", {}), {415}, None),
    ("no content type", lambda f, u: ("command=%2Fcase", None, {}), {415}, None),
    ("body over 1 MB", lambda f, u: ("text=" + "あ" * 400_000, FORM, {}), {413}, None),
    ("not UTF-8", lambda f, u: (b"text=\xff\xfe\xfa", FORM, {}), {400}, None),
]


@pytest.mark.parametrize(("name", "build", "allowed", "ephemeral"), CASES, ids=[c[0] for c in CASES])
def test_malformed_request_is_refused_or_answered_politely(
    server: Server,
    name: str,
    build: Callable[[FakeSlack, str], tuple[str | bytes, str | None, dict[str, str]]],
    allowed: set[int],
    ephemeral: str | None,
) -> None:
    response_url = server.fake.new_response_url()
    body, content_type, headers = build(server.fake, response_url)
    status, answer = server.send(body, content_type=content_type, **headers)
    assert status in allowed, (status, answer)
    assert "Traceback" not in answer and 'File "' not in answer
    if ephemeral is not None:
        (reply,) = server.fake.wait_for_calls("response_url", where=lambda c: c.args["_url"] == response_url)
        assert ephemeral in reply.args["text"] and reply.args["response_type"] == "ephemeral"
    assert http_request(server.harness.url, "/healthz")[0] == 200


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("timestamp is not a number", {"X-Slack-Request-Timestamp": "soon"}),
        ("timestamp too long for int()", {"X-Slack-Request-Timestamp": "9" * 5000}),
        ("signature with non-ASCII", {"X-Slack-Signature": "v0=é"}),
        ("signature of another body", {"X-Slack-Signature": "v0=" + "0" * 64}),
        ("timestamp 10 minutes old", {"X-Slack-Request-Timestamp": str(int(time.time()) - 600)}),
    ],
)
def test_unsigned_requests_get_401_and_make_the_bot_post_nothing(
    server: Server, name: str, headers: dict[str, str]
) -> None:
    """An error before the signature check must not lead the error handler to the body's response_url."""
    response_url = server.fake.new_response_url()
    calls_before = len(server.fake.calls())
    status, answer = server.send(command(server.fake, "中 件名", response_url), **headers)
    assert status == 401, answer
    assert server.fake.calls()[calls_before:] == []


def test_wrong_method_path_and_headers(server: Server) -> None:
    url = server.harness.url
    assert http_request(url, "/slack/events")[0] == 405
    assert http_request(url, "/nowhere", method="POST", body="x")[0] == 404
    assert http_request(url, "/slack/events", method="POST", body="x", headers={"Content-Length": "zz"})[0] == 400
    # Signed and well formed, but for a workspace-wide shortcut nobody registered: acked, a polite word.
    response_url = server.fake.new_response_url()
    shortcut = interactivity_body(
        {
            "type": "message_action",
            "callback_id": f"retired_{uuid.uuid4().hex[:6]}",
            "user": {"id": "U0AGENT"},
            "channel": {"id": "C0CASES"},
            "message": {"ts": "1.1", "text": "x"},
            "response_url": response_url,
            "trigger_id": "t",
        }
    )
    assert server.send(shortcut)[0] == 200
    (reply,) = server.fake.wait_for_calls("response_url", where=lambda c: c.args["_url"] == response_url)
    assert UNKNOWN_BUTTON in reply.args["text"]
