"""Group commit for the intake table: many request threads, one transaction per batch.

Recording a request before its ack is one small INSERT, but a transaction each costs a commit (a WAL
flush on PostgreSQL) and a few round trips in the thread that holds Slack's answer. One writer thread
takes whatever requests are waiting — one when traffic is light, dozens in a burst — and commits
them together; each request thread waits for the commit of its own batch. The writer keeps its own
connection while requests keep coming (it goes back to the pool after IDLE seconds without one): a
batch is BEGIN, one INSERT of all its rows and COMMIT, with no pool checkout and no ping — each of
which, under load, also waits for the interpreter lock, which the request threads are holding.

A batch that meets an outage, or does not commit within `timeout` (a database that hangs rather
than refuses), fails for every request in it, and each of them goes to the spool instead: recorded
twice at worst, which the request's identity makes one row.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from bot.database import Database, DatabaseUnavailable, outage_of, table_of
from bot.models import IntakeRequest

log = logging.getLogger(__name__)

MAX_BATCH = 200
# Well inside Slack's 3 s: a request whose batch has not committed by then is spooled and acked.
TIMEOUT = 1.5
# Seconds without a request after which the writer's connection goes back to the pool.
IDLE = 1.0


@dataclass
class _Waiting:
    row: dict[str, Any] | None  # None: the writer stops
    done: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None


class IntakeWriter:
    def __init__(self, db: Database, *, timeout: float = TIMEOUT) -> None:
        self.db = db
        self.timeout = timeout
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connection: Connection | None = None  # the writer thread's own, kept between batches
        dialect = postgresql if db.is_postgres else sqlite
        self._insert = dialect.insert(table_of(IntakeRequest)).on_conflict_do_nothing(index_elements=["request_id"])

    def write(self, row: dict[str, Any]) -> None:
        """Insert the row (unless its request_id is there already) and commit; raises DatabaseUnavailable."""
        waiting = _Waiting(row)
        self._start()
        self._queue.put(waiting)
        if not waiting.done.wait(self.timeout):
            raise DatabaseUnavailable(f"the intake write did not commit within {self.timeout}s")
        if waiting.error is not None:
            raise waiting.error

    def close(self) -> None:
        """Stop the writer thread once it has written what it was given (the process stops)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_Waiting(None))
            thread.join(timeout=self.timeout)
        if thread is None or not thread.is_alive():
            self._disconnect()

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="intake-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._next()]
            while len(batch) < MAX_BATCH and batch[-1].row is not None:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = batch[-1].row is None
            if stopping:
                batch.pop()
            self._commit(batch)
            if stopping:
                return

    def _next(self) -> _Waiting:
        """The next request; the writer's connection goes back to the pool while none comes for IDLE seconds."""
        if self._connection is not None:
            try:
                return self._queue.get(timeout=IDLE)
            except queue.Empty:
                self._disconnect()
        return self._queue.get()

    def _commit(self, batch: list[_Waiting]) -> None:
        if not batch:
            return
        error: Exception | None = None
        try:
            self.insert_rows([w.row for w in batch if w.row is not None])
        except Exception as exc:  # an outage (DatabaseUnavailable) or a bug: each request is told
            error = exc
            if not isinstance(exc, DatabaseUnavailable):
                log.exception("intake: a batch of %d request(s) could not be written", len(batch))
        for waiting in batch:
            waiting.error = error
            waiting.done.set()

    def insert_rows(self, rows: list[dict[str, Any]]) -> None:
        """One transaction on the writer's connection; an outage raises DatabaseUnavailable (and drops it)."""
        try:
            if self._connection is None:
                self._connection = self.db.engine.connect()  # checked out with a ping, once
            with self._connection.begin():
                self._connection.execute(self._insert, rows)
        except DBAPIError as exc:
            self._disconnect()
            outage = outage_of(exc)
            if outage is not None:
                raise outage from exc
            raise

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except DBAPIError:  # already broken: the pool discards it
                log.debug("intake: the writer's connection could not be closed cleanly", exc_info=True)
