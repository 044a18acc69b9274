"""A graceful drain for waitress: the one place that relies on waitress's (3.0) private loop.

Why: waitress's public `server.run()` loops until the process ends, and its worker threads are
daemons, so a SIGTERM would cut off requests in progress. Running the loop ourselves lets the bot
stop taking connections, answer what it already received, then close.

Relied on, each pinned by a test in tests/internals/test_waitress_drain.py:
1. `create_server(...)` returns a dispatcher whose socket map is `server._map` (the listening socket,
   the trigger and one HTTPChannel per connection), and `server.adj.asyncore_use_poll`.
2. `wasyncore.loop(timeout, use_poll, map, count=1)` runs one poll over that map;
   `wasyncore.dispatcher.close(server)` closes the listening socket and leaves the rest;
   `wasyncore.close_all(map)` closes everything.
3. An HTTPChannel has `requests_lock`, guarding `requests` (received, not yet answered), `request`
   (being read) and `total_outbufs_len` (answer not yet written); setting `will_close` on an idle
   channel closes it on the next poll.
4. `server.task_dispatcher.shutdown(cancel_pending=..., timeout=...)` stops the worker threads;
   `server.trigger.pull_trigger(fn)` runs `fn` on the loop's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

# The loop runs one poll at a time so that a stop is noticed within this many seconds.
LOOP_TICK = 0.25


def serve_until(server: Any, stop: threading.Event, drain_timeout: float) -> None:
    """Run waitress's loop until `stop` is set, then drain: answer what was received, close the rest."""
    from waitress import wasyncore

    socket_map = server._map
    use_poll = server.adj.asyncore_use_poll
    while not stop.is_set():
        wasyncore.loop(timeout=LOOP_TICK, use_poll=use_poll, map=socket_map, count=1)
    # Stop taking connections; keep the trigger, which worker threads pull to get their answers written.
    wasyncore.dispatcher.close(server)
    deadline = time.monotonic() + drain_timeout
    while True:
        busy, open_channels = _close_idle_channels(socket_map)
        if not open_channels:
            break
        if time.monotonic() > deadline:
            log.warning("%d request(s) still in progress after %.0fs; closing them", busy, drain_timeout)
            break
        wasyncore.loop(timeout=LOOP_TICK, use_poll=use_poll, map=socket_map, count=1)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
    wasyncore.close_all(socket_map)


def _close_idle_channels(socket_map: dict[int, Any]) -> tuple[int, int]:
    """Mark idle keep-alive connections to close on the next poll; (busy, open) connection counts."""
    from waitress.channel import HTTPChannel

    busy = open_channels = 0
    for channel in list(socket_map.values()):
        if not isinstance(channel, HTTPChannel):
            continue
        open_channels += 1
        with channel.requests_lock:
            if channel.requests or channel.request is not None or channel.total_outbufs_len:
                busy += 1
            else:
                channel.will_close = True
    return busy, open_channels


def close_from_loop(server: Any) -> None:
    """Close a server running `server.run()` in another thread, from its own loop (closing it from outside
    leaves waitress polling a closed socket for about a second)."""
    try:
        server.trigger.pull_trigger(server.close)
    except OSError:
        server.close()
