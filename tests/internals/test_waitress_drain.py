"""Contract: what bot/internals/waitress_drain.py relies on in waitress's private loop.

Each test pins one numbered behaviour of that module's docstring, so a waitress upgrade that changes it
fails here by name; tests/e2e/test_shutdown.py checks the drain as a whole.
"""

from __future__ import annotations

import http.client
import inspect
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server

from bot.internals.waitress_drain import close_from_loop, serve_until


def hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


@pytest.fixture
def server() -> Iterator[Any]:
    server = create_server(hello, host="127.0.0.1", port=0, threads=2)
    yield server
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
    wasyncore.close_all(server._map)


def poll(server: Any, times: int = 1) -> None:
    for _ in range(times):
        wasyncore.loop(timeout=0.05, use_poll=server.adj.asyncore_use_poll, map=server._map, count=1)


def channels(server: Any) -> list[HTTPChannel]:
    return [c for c in server._map.values() if isinstance(c, HTTPChannel)]


def test_1_the_server_keeps_its_sockets_in__map_and_says_whether_to_poll(server: Any) -> None:
    assert isinstance(server._map, dict) and server in server._map.values()
    assert server.trigger in server._map.values()
    assert isinstance(server.adj.asyncore_use_poll, bool)


def test_2_and_3_a_channel_shows_its_pending_work_and_closes_when_marked_idle(server: Any) -> None:
    client = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=5)
    client.connect()
    poll(server, 3)  # accept
    (channel,) = channels(server)
    with channel.requests_lock:
        assert channel.requests == [] and channel.request is None and channel.total_outbufs_len == 0
    answered: list[int] = []
    thread = threading.Thread(target=lambda: answered.append(_get(client)))
    thread.start()
    while thread.is_alive():
        poll(server)
    assert answered == [200]
    channel.will_close = True  # idle keep-alive connection
    poll(server, 3)
    assert channels(server) == []
    wasyncore.dispatcher.close(server)  # the listening socket only
    assert server not in server._map.values() and server.trigger in server._map.values()


def _get(client: http.client.HTTPConnection) -> int:
    client.request("GET", "/")
    response = client.getresponse()
    response.read()
    return response.status


def test_4_the_task_dispatcher_stops_on_request_and_the_trigger_runs_code_on_the_loop(server: Any) -> None:
    assert {"cancel_pending", "timeout"} <= set(inspect.signature(server.task_dispatcher.shutdown).parameters)
    ran = threading.Event()
    server.trigger.pull_trigger(ran.set)
    poll(server, 3)
    assert ran.is_set()


def test_serve_until_answers_then_stops_and_close_from_loop_stops_a_running_server() -> None:
    stop = threading.Event()
    server = create_server(hello, host="127.0.0.1", port=0, threads=2)
    loop = threading.Thread(target=serve_until, args=(server, stop, 5.0))
    loop.start()
    client = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=5)
    assert _get(client) == 200
    stop.set()
    loop.join(10)
    assert not loop.is_alive() and server._map == {}

    running = create_server(hello, host="127.0.0.1", port=0, threads=1)
    thread = threading.Thread(target=running.run)
    thread.start()
    close_from_loop(running)
    running.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
    thread.join(10)
    assert not thread.is_alive()
