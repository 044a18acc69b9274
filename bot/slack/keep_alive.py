"""Slack calls over kept-alive connections: one per thread and host, instead of urllib's one per request.

slack-sdk's WebClient (and a plain `urlopen` to a response_url) opens a TCP (and TLS) connection for
every call and closes it after the answer; at a few hundred posts a second, that setup was a good
part of each post's cost. `ConnectionPool.open` does what `urlopen` does for our POSTs — an
HTTPError for an answer that is not 2xx, a URLError when the request could not be sent, the same
exceptions as urlopen when the answer is cut off — over a connection kept for the thread's next
call to the same host. A connection idle for longer than `IDLE_SECONDS`, or that the server closed,
is not reused, and no request is ever sent again by this module: a call cut off on a kept
connection fails like any other, and the caller decides (bot/slack/client.py, bot/slack/notifier.py).
"""

from __future__ import annotations

import http.client
import io
import select
import threading
import time
import weakref
from dataclasses import dataclass
from ssl import SSLContext
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

# Servers close idle keep-alive connections after some seconds; ours are not reused after this long.
IDLE_SECONDS = 4.0
# A connection idle for twice that long is closed by whichever thread calls next (`_reap`): its own
# thread, or the client that kept it, may never call again (a thread that ended, a client let go).
REAP_EVERY = 1.0
_everyone: weakref.WeakSet[_Kept] = weakref.WeakSet()
_reaping = threading.Lock()
_reaped_at = [0.0]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass(eq=False)  # kept in a WeakSet: by identity
class _Kept:
    connection: http.client.HTTPConnection
    used_at: float


class ConnectionPool:
    """Each thread's open connections, by (scheme, host, port)."""

    def __init__(self, ssl: SSLContext | None = None, *, idle: float = IDLE_SECONDS) -> None:
        self.ssl = ssl
        self.idle = idle
        self._local = threading.local()

    def open(self, request: Request, timeout: float) -> Answer:
        """POST `request` (as urlopen would) over this thread's connection to its host."""
        parts = urlsplit(request.full_url)
        key = (parts.scheme, parts.hostname or "", parts.port)
        connection = self._connection(key, timeout)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {name: str(value) for name, value in request.header_items()}
        try:
            connection.request(request.get_method(), path, body=request.data, headers=headers)
        except OSError as exc:  # as urlopen: the request did not go out (or not all of it)
            self._drop(key)
            raise URLError(exc) from exc
        try:
            response = connection.getresponse()
            body = response.read()
        except BaseException:
            self._drop(key)
            raise
        if response.will_close:
            self._drop(key)
        else:
            self._kept()[key].used_at = time.monotonic()
        if not 200 <= response.status < 300:
            raise HTTPError(request.full_url, response.status, response.reason, response.msg, io.BytesIO(body))
        return Answer(response.status, response.msg, body)

    def _kept(self) -> dict[tuple[str, str, int | None], _Kept]:
        kept: dict[tuple[str, str, int | None], _Kept] | None = getattr(self._local, "kept", None)
        if kept is None:
            kept = self._local.kept = {}
        return kept

    def _connection(self, key: tuple[str, str, int | None], timeout: float) -> http.client.HTTPConnection:
        kept = self._kept()
        self._sweep(kept, key)
        found = kept.get(key)
        if found is not None and time.monotonic() - found.used_at < self.idle and not _closed(found.connection):
            return found.connection
        self._drop(key)
        scheme, host, port = key
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=self.ssl)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        kept[key] = held = _Kept(connection, time.monotonic())
        with _reaping:
            _everyone.add(held)
        _reap(self.idle)
        return connection

    def _sweep(self, kept: dict[tuple[str, str, int | None], _Kept], using: tuple[str, str, int | None]) -> None:
        """Close this thread's connections to other hosts that have idled past reuse, so that a thread that
        stops calling a host (a response_url's, a server that went away) does not hold its socket."""
        now = time.monotonic()
        for key in [k for k, v in kept.items() if k != using and now - v.used_at >= self.idle]:
            self._drop(key)

    def _drop(self, key: tuple[str, str, int | None]) -> None:
        found = self._kept().pop(key, None)
        if found is not None:
            found.connection.close()


def _reap(idle: float) -> None:
    """Close every pool's connections idle for twice `idle` (their owners would not reuse them)."""
    now = time.monotonic()
    with _reaping:
        if now - _reaped_at[0] < REAP_EVERY:
            return
        _reaped_at[0] = now
        stale = [k for k in _everyone if now - k.used_at >= 2 * idle]
    for kept in stale:
        kept.connection.close()


def _closed(connection: http.client.HTTPConnection) -> bool:
    """Whether the server closed the kept connection: an idle connection has nothing to read, so one that
    reads (the end of the stream, or anything else) is not sent on again."""
    if connection.sock is None:
        return True
    poller = select.poll()  # not select(): a process with more than 1,024 descriptors open is no error
    try:
        poller.register(connection.sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True
