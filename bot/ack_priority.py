"""Acks first: work done after an ack waits while Slack's requests are being answered.

Under a burst the process acks and works at once, and in CPython both take turns on one interpreter
lock: opening cases costs about 3 ms of interpreter time each, an ack about 1-2 ms, so a batch of cases
being opened makes every ack wait (benchmarks/load_bench.py). The web front counts the Slack requests it is
answering (`answering`); work after an ack — the listeners' work, the intake job's requests — asks
for its turn first (`wait_turn`): at once when the front has been quiet for `quiet_after` (between
two requests of a burst the count touches zero while the next waits in the server's queue, which
the application cannot see), or, so that a burst that never ends does not starve it, one unit per
`busy_interval` while requests keep coming. The work of a burst is done as soon as it is over.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator

# While requests keep coming, one unit of work (one case, one listener's work) starts per this interval.
BUSY_INTERVAL = 0.1
# The front is quiet when nothing has been answered for this long.
QUIET_AFTER = 0.005


class AckPriority:
    """One per process: the web front says when it answers, the work after acks asks for its turn."""

    def __init__(
        self,
        *,
        busy_interval: float = BUSY_INTERVAL,
        quiet_after: float = QUIET_AFTER,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.busy_interval = busy_interval
        self.quiet_after = quiet_after
        self._monotonic = monotonic
        self._state = threading.Condition()
        self._answering = 0
        self._quiet_from = -math.inf  # when the front is quiet, if nothing is being answered
        self._next_busy_turn = -math.inf

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Around the answer to one of Slack's requests (the web front)."""
        with self._state:
            self._answering += 1
        try:
            yield
        finally:
            with self._state:
                self._answering -= 1
                if self._answering == 0:
                    self._quiet_from = self._monotonic() + self.quiet_after
                    self._state.notify_all()

    @property
    def busy(self) -> bool:
        return self._answering > 0

    def wait_turn(self) -> None:
        """Return when work after an ack may start: the front is quiet, or the work's busy turn came."""
        with self._state:
            while True:
                now = self._monotonic()
                if self._answering == 0 and now >= self._quiet_from:
                    return
                if now >= self._next_busy_turn:
                    self._next_busy_turn = now + self.busy_interval
                    return
                until = self._next_busy_turn if self._answering else min(self._next_busy_turn, self._quiet_from)
                self._state.wait(until - now)
