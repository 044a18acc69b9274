"""Contract: what bot/internals/socket_mode_close.py relies on in slack_sdk's built-in Socket Mode client.

Each test pins one numbered behaviour of that module's docstring, so an upgrade that changes it fails
here by name; tests/e2e/test_socket_mode.py runs the whole bot over Socket Mode.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from bot.devtools.fake_slack import FakeSlack
from bot.internals.socket_mode_close import close_socket_mode

APP_TOKEN = "xapp-1-A0APP-contract"


class Endpoint:
    """Slack's side of Socket Mode: says hello, then notes when the client hangs up."""

    def __init__(self) -> None:
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.connected = threading.Event()
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=contract"

    def _handle(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        try:
            for _ in connection:
                pass
        except ConnectionClosed:
            pass
        self.closed.set()


@pytest.fixture
def handler(fake_slack: FakeSlack) -> Iterator[SocketModeHandler]:
    app = App(
        client=WebClient(token="xoxb-contract", base_url=fake_slack.base_url),
        request_verification_enabled=False,
        token_verification_enabled=False,
    )
    handler = SocketModeHandler(app, APP_TOKEN)
    yield handler
    handler.client.auto_reconnect_enabled = False
    handler.close()


def test_1_the_handlers_client_is_the_builtin_socket_mode_client(handler: SocketModeHandler) -> None:
    assert type(handler.client) is SocketModeClient


def test_2_the_client_reconnects_on_a_closed_connection_unless_auto_reconnect_is_off(
    handler: SocketModeHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    client: Any = handler.client
    reconnects: list[bool] = []
    monkeypatch.setattr(client, "connect_to_new_endpoint", lambda *a, **k: reconnects.append(True))
    client._on_close(1000, "bye")
    assert reconnects == [True]
    client.auto_reconnect_enabled = False
    client._on_close(1000, "bye")
    assert reconnects == [True]
    monkeypatch.undo()
    handler.close()
    assert client.closed is True and client.auto_reconnect_enabled is False


def test_3_the_live_connection_and_its_socket_and_closing_them_at_once(
    handler: SocketModeHandler, fake_slack: FakeSlack
) -> None:
    endpoint = Endpoint()
    try:
        fake_slack.socket_mode_url = endpoint.url
        assert handler.client.current_session is None
        handler.connect()
        assert endpoint.connected.wait(10)
        session = handler.client.current_session
        assert session is not None and isinstance(session.sock, socket.socket)
        close_socket_mode(handler)
        assert endpoint.closed.wait(10)
        assert not handler.client.is_connected() and handler.client.closed
    finally:
        endpoint.server.shutdown()
        endpoint.thread.join(5)
