"""Socket Mode: `supportbot run` with SLACK_APP_TOKEN connects out over a WebSocket; same handlers.

A `websockets` server on loopback plays Slack's Socket Mode endpoint: the FakeSlack answers
apps.connections.open with its URL; it says hello, pushes a `slash_commands` envelope, and
records the client's ack.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.devtools.fake_slack import FakeSlack
from tests.e2e import (
    APP_TOKEN,
    BotProcess,
    bot_env,
    case_command_body,
    fresh_database,
    http_request,
    outbox_key,
    signed,
    write_config,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


class FakeSocketModeEndpoint:
    """Slack's side of one Socket Mode connection."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.connection: ServerConnection | None = None
        self.changed = threading.Condition()
        self.server: Server = serve(self._handle, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, name="socket-mode", daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=fake-ticket"

    def _handle(self, connection: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A0APP"},
        }
        connection.send(json.dumps(hello))
        with self.changed:
            self.connection = connection
            self.changed.notify_all()
        try:
            for message in connection:
                with self.changed:
                    self.received.append(json.loads(message))
                    self.changed.notify_all()
        except ConnectionClosed:
            pass

    def wait_connected(self, timeout: float) -> ServerConnection:
        with self.changed:
            assert self.changed.wait_for(lambda: self.connection is not None, timeout=timeout), "never connected"
            assert self.connection is not None
            return self.connection

    def wait_ack(self, envelope_id: str, timeout: float) -> dict[str, Any]:
        def ack() -> dict[str, Any] | None:
            return next((m for m in self.received if m.get("envelope_id") == envelope_id), None)

        with self.changed:
            assert self.changed.wait_for(lambda: ack() is not None, timeout=timeout), f"no ack for {envelope_id}"
            found = ack()
            assert found is not None
            return found

    def __enter__(self) -> FakeSocketModeEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def endpoint() -> Iterator[FakeSocketModeEndpoint]:
    with FakeSocketModeEndpoint() as server:
        yield server


def test_a_slash_command_over_socket_mode_is_acked_and_opens_the_case(
    tmp_path: Path, endpoint: FakeSocketModeEndpoint
) -> None:
    with FakeSlack() as fake, fresh_database() as url:
        fake.socket_mode_url = endpoint.url
        env = bot_env(fake, url, write_config(tmp_path), SLACK_APP_TOKEN=APP_TOKEN)
        bot = BotProcess(env, tmp_path, "socket-mode").start()
        try:
            connection = endpoint.wait_connected(timeout=20)
            (opened,) = fake.calls("apps.connections.open")
            assert opened.token == APP_TOKEN  # the app-level token, not the bot token
            # The container's health check and the platform still get /healthz and /readyz, on PORT;
            # Slack's requests come over the WebSocket only.
            bot.wait_ready()
            status, ready = http_request(bot.url, "/readyz")
            assert status == 200 and json.loads(ready)["socket_mode"] == "connected"
            assert http_request(bot.url, "/healthz")[0] == 200
            body = case_command_body(fake, "中 HTTPからは受け付けない")
            assert http_request(bot.url, "/slack/events", method="POST", body=body, headers=signed(body))[0] == 404

            envelope_id = str(uuid.uuid4())
            payload = {
                "token": "fake-verification-token",
                "team_id": "T0TEAM",
                "team_domain": "fake",
                "channel_id": "C0CASES",
                "channel_name": "cases",
                "user_id": "U0AGENT",
                "user_name": "u0agent",
                "command": "/case",
                "text": "中 ソケットモードで起票したケース",
                "api_app_id": "A0APP",
                "is_enterprise_install": "false",
                "response_url": fake.new_response_url(),
                "trigger_id": "trigger.socket",
            }
            envelope = {
                "envelope_id": envelope_id,
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": payload,
            }
            connection.send(json.dumps(envelope, ensure_ascii=False))

            ack = endpoint.wait_ack(envelope_id, timeout=10)
            assert not ack.get("payload")  # a plain ack(): nothing shown at once
            answer = json.dumps(ack["payload"], ensure_ascii=False) if ack.get("payload") else ""
            fake.record_ack(urlencode(payload), status=200, content_type="application/json", body=answer)
            (card,) = fake.wait_for_calls("chat.postMessage", where=lambda c: c.args.get("channel") == "C0CASES")
            assert outbox_key(card) == "case:1:card"
            (reply,) = fake.wait_for_calls("response_url")
            assert "ケース #1 を起票しました" in reply.args["text"]
            # Prometheus scrapes the same /metrics as in HTTP mode, on PORT.
            status, metrics = http_request(bot.url, "/metrics")
            assert status == 200 and 'supportbot_slack_ack_seconds_count{kind="command"} 1.0' in metrics

            bot.sigterm()
            assert bot.wait(timeout=15) == 0
        finally:
            bot.stop()
        records = bot.log_records()
        assert any(r.get("message") == "supportbot connected to Slack in Socket Mode" for r in records)
        bot.assert_clean_logs()
