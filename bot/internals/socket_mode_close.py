"""Closing slack_sdk's built-in Socket Mode client at once: the one place that relies on its internals.

Why: `SocketModeHandler.close()` waits for the client's receiving thread, which sits in a recv() with
a 3 s timeout; on SIGTERM that is 3 s of nothing. Shutting the socket down first ends the recv at once.

Relied on (slack_sdk 3.4x, `slack_sdk.socket_mode.builtin`), each pinned by a test in
tests/internals/test_socket_mode_close.py:
1. `SocketModeHandler(app, token).client` is the built-in `SocketModeClient`.
2. The client reconnects when its connection ends unless `auto_reconnect_enabled` is False, and
   `close()` sets `closed` and `auto_reconnect_enabled = False` before disconnecting.
3. The live connection is `client.current_session` (a `Connection`), whose socket is `.sock`
   (None when not connected).
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any


def close_socket_mode(handler: Any) -> None:
    """Disconnect without the wait; messages being handled still finish (close() waits for its workers)."""
    client = handler.client
    client.closed = True  # what close() sets first: no reconnection when the socket ends
    client.auto_reconnect_enabled = False
    sock = getattr(getattr(client, "current_session", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    handler.close()
