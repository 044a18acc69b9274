"""Timing Slack requests for bot/metrics.py: how long each took to ack, and to its listener's work done.

`MeteredApp.dispatch` is where every request enters Bolt, over HTTP, Socket Mode and the console alike:
in HTTP mode (process_before_response off) it returns once the listener acked, so its duration is
the ack latency. The listener itself runs on the listener executor; `TimedExecutor` wraps it and
times the listener's whole run from the request's receipt. It learns which request a listener
belongs to the way bot/listener_pool.py does: Bolt submits the listener from the dispatching thread
(bot/internals/bolt_ack.py, contract 2, pinned by tests/internals/test_bolt_ack.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.metrics import Metrics, request_kind


class TimedExecutor(Executor):
    """Bolt's listener executor (`inner`), timing each request's listener from the request's receipt."""

    def __init__(self, inner: Executor, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics
        self._local = threading.local()

    def expect(self, kind: str, received: float) -> None:
        """The next submit() from this thread runs the listener of a request of `kind` received then."""
        self._local.pending = (kind, received)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        pending: tuple[str, float] | None = getattr(self._local, "pending", None)
        self._local.pending = None  # lazy listeners submitted after it are the same request's work
        in_flight = self.metrics.listeners_in_flight
        in_flight.inc()
        try:
            future = self.inner.submit(fn, *args, **kwargs)
        except BaseException:
            in_flight.dec()
            raise
        future.add_done_callback(lambda _: in_flight.dec())
        if pending is not None:
            kind, received = pending
            histogram = self.metrics.request_seconds.labels(kind)
            future.add_done_callback(lambda _: histogram.observe(time.perf_counter() - received))
        return future


class MeteredApp(App):
    """Bolt's App, timing every request it dispatches (see the module's docstring)."""

    def __init__(self, *, metrics: Metrics, listener_executor: Executor, **kwargs: Any) -> None:
        self.metrics = metrics
        self.timed_executor = TimedExecutor(listener_executor, metrics)
        super().__init__(listener_executor=self.timed_executor, **kwargs)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        body = req.body if isinstance(req.body, dict) else {}
        kind = request_kind(body)
        received = time.perf_counter()
        self.timed_executor.expect(kind, received)
        try:
            return super().dispatch(req)
        finally:
            self.metrics.ack_seconds.labels(kind).observe(time.perf_counter() - received)
