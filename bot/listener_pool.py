"""Running Bolt's listeners so that an ack never waits behind other requests' work.

Bolt runs each listener on its executor (a public seam: `App(listener_executor=...)`) and holds the
HTTP response until the listener calls ack() (3 s at most); our listeners ack first and then work.
`ListenerPool` is that executor. What it needs to know about each request — acked yet? may it be
acked on the listener's behalf? — comes from the request's paced ack (bot/internals/bolt_ack.py,
the one module that relies on Bolt's internals to provide it).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, Protocol

from bot.ack_priority import AckPriority

log = logging.getLogger(__name__)

# Listeners running at once, most of them acked and waiting for their turn to work (see ListenerPool).
MAX_LISTENER_THREADS = 64


class Pacing(Protocol):
    """What the pool needs of a request's ack (bot.internals.bolt_ack.PacedAck)."""

    listener_started: bool

    @property
    def acked(self) -> bool: ...

    def defer(self) -> bool:
        """Ack now on the listener's behalf, if the request allows it; True when done."""
        ...


class _Turn:
    """One listener run: whether it holds a work slot."""

    def __init__(self, ack: Pacing | None) -> None:
        self.ack = ack
        self.holding = False


class ListenerPool(Executor):
    """Bolt's listener executor, arranged so that acks never wait behind other requests' work.

    Bolt runs each listener on its executor and holds the HTTP response until the listener calls
    ack() (3 s at most). Our listeners ack first and then work (database, Slack posts, ~25 ms of CPU
    for a case). With a plain pool of N threads, N slow listeners make the next request's ack wait for
    a free thread, and under a burst every ack is late. Here:

    - a listener starts at once on one of up to `max_threads` threads, acks, and only then takes one of
      `work_slots` turns: the work proceeds `work_slots` at a time, in arrival order, without
      spreading CPU and database connections over dozens of threads;
    - when every thread is taken (a burst bigger than `max_threads`), a slash command or a button is
      acked on its listener's behalf at once (PacedAck.defer) and its listener queued: the 3 s limit
      holds whatever the backlog; what the listener later acks with goes to response_url;
    - a turn, once its slot is free, also waits for `priority` (bot/ack_priority.py): while Slack's
      requests are being answered, the work lets the acks have the interpreter.

    Threads are started by a helper thread, ahead of need, never in the request thread: starting a
    thread waits for it to run, which under load is the very delay this pool avoids.
    """

    SPARE_THREADS = 8

    def __init__(
        self, work_slots: int, max_threads: int = MAX_LISTENER_THREADS, *, priority: AckPriority | None = None
    ) -> None:
        self.work_slots = work_slots
        self.priority = priority or AckPriority()
        self.max_threads = max(max_threads, work_slots + 1)
        self._slots = threading.Semaphore(work_slots)
        self._tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._state = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._spawned = 0  # threads started or being started
        self._starting = 0  # started, not yet waiting for a task
        self._idle = 0  # waiting for a task
        self._queued = 0  # tasks no thread has taken yet
        self._unfinished = 0  # tasks submitted and not yet finished
        self._closed = False
        self._spawner: threading.Thread | None = None
        self._local = threading.local()
        self._deferred = 0
        self._deferral_logged_at = -1e9

    # --- Bolt's side ----------------------------------------------------------------------------

    def expect(self, ack: Pacing) -> None:
        """The next submit() from this thread runs the listener of the request `ack` paces.

        Called by the pacing middleware in the request thread; Bolt submits the listener from that
        same thread right after (bot/internals/bolt_ack.py, contract 2).
        """
        self._local.ack = ack

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        ack: Pacing | None = getattr(self._local, "ack", None)
        self._local.ack = None  # the next submit from this thread is a lazy listener: work, no ack
        future: Future[Any] = Future()

        def run() -> None:
            try:
                work()
            finally:
                with self._state:
                    self._unfinished -= 1
                    self._state.notify_all()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            turn = _Turn(ack)
            self._local.turn = turn
            if ack is not None:
                ack.listener_started = True
            try:
                if ack is None or ack.acked:  # acked already (events, deferred) or no ack
                    self._take(turn)
                result = fn(*args, **kwargs)
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)
            finally:
                self._local.turn = None
                if turn.holding:
                    self._slots.release()

        with self._state:
            if self._closed:
                raise RuntimeError("cannot schedule new listeners after shutdown")
            self._queued += 1
            self._unfinished += 1
            self._tasks.put(run)
            # Threads the spawner has yet to start count as free: a burst that arrives before they start
            # is still acked on its listeners' behalf once it outnumbers every thread there will be.
            waits = self._queued > self._idle + self._starting + (self.max_threads - self._spawned)
            if self._spawner is None:
                self._spawner = threading.Thread(target=self._spawn, name="listener-spawner", daemon=True)
                self._spawner.start()
            self._state.notify_all()
        if waits and ack is not None and ack.defer():
            self._note_deferral()
        return future

    def _note_deferral(self) -> None:
        """One log line per burst, not one per request (a line per request would add to the load)."""
        now = time.monotonic()
        with self._state:
            self._deferred += 1
            if now < self._deferral_logged_at + 10:
                return
            count, self._deferred, self._deferral_logged_at = self._deferred, 0, now
        log.warning(
            "all %d listener threads busy: %d request(s) acked on their listener's behalf", self.max_threads, count
        )

    def work_after_ack(self, ack: Pacing) -> None:
        """Called by the listener's ack(), in the listener's thread: its work now waits for a slot."""
        turn: _Turn | None = getattr(self._local, "turn", None)
        if turn is not None and turn.ack is ack:
            self._take(turn)

    def _take(self, turn: _Turn) -> None:
        if not turn.holding:
            self._slots.acquire()
            turn.holding = True
            self.priority.wait_turn()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every listener submitted so far has finished; False on timeout.

        For tests and the console: "the bot has finished reacting" without sleeping on a guess.
        """
        with self._state:
            return self._state.wait_for(lambda: self._unfinished == 0, timeout=timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No new listeners; the queued and running ones finish (all of them, when `wait`)."""
        with self._state:
            if self._closed:
                return
            self._closed = True
            self._state.notify_all()
        if self._spawner is not None:
            self._spawner.join()
        if cancel_futures:
            while True:
                try:
                    self._tasks.get_nowait()
                except queue.Empty:
                    break
        if self._spawned == 0 and not cancel_futures:
            self._drain_without_threads()
        for _ in range(self._spawned):
            self._tasks.put(None)  # after the queued tasks: each thread finishes them, then stops
        if wait:
            for thread in list(self._threads):
                thread.join()

    def _drain_without_threads(self) -> None:
        """Tasks submitted in the instant before the spawner stopped, with no thread to run them."""
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                return
            if task is not None:
                task()

    # --- threads ---------------------------------------------------------------------------------

    def _missing(self) -> int:
        wanted = self._queued + self.SPARE_THREADS - self._idle - self._starting
        return max(0, min(wanted, self.max_threads - self._spawned))

    def _spawn(self) -> None:
        while True:
            with self._state:
                while not self._closed and not self._missing():
                    self._state.wait()
                if self._closed:
                    return
                count = self._missing()
                self._spawned += count
                self._starting += count
            for _ in range(count):
                thread = threading.Thread(target=self._work, name=f"listener-{len(self._threads)}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        with self._state:
            self._starting -= 1
        while True:
            with self._state:
                self._idle += 1
            task = self._tasks.get()
            with self._state:
                self._idle -= 1
                if task is not None:
                    self._queued -= 1
                self._state.notify_all()
            if task is None:
                return
            task()
