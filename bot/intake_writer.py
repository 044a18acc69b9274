"""Group commit for the intake table: many request threads, one transaction per batch.

Recording a request before its ack is one small INSERT, but a transaction each costs a commit (a WAL
flush on PostgreSQL) and a few round trips in the thread that holds Slack's answer. A writer thread
takes whatever requests are waiting — one when traffic is light, dozens in a burst — and commits
them together; each request thread waits for the commit of its own batch. The writer keeps its own
connection while requests keep coming (it goes back to the pool after IDLE seconds without one): a
batch is BEGIN, one INSERT of all its rows and COMMIT, with no pool checkout and no ping — each of
which, under load, also waits for the interpreter lock, which the request threads are holding.

On PostgreSQL, WRITERS threads take batches, each on its own connection: a request that arrives
while one batch commits (a WAL flush, a few milliseconds) goes out at once in the next, instead of
waiting for that flush and then its own; the server flushes concurrent commits together. SQLite
has one write lock, so one writer, and it does not let SQLite wait for that lock: SQLite's own wait
sleeps 1, 2, 5, 10, … up to 100 ms between tries, so an ack could wait for a case's transaction
that ended long before; the writer's connections (an engine of its own) fail at once on a locked
database and the writer tries again every LOCK_POLL seconds.

A batch that meets an outage, or does not commit within `timeout` (a database that hangs rather
than refuses), fails for every request in it, and each of them goes to the spool instead: recorded
twice at worst, which the request's identity makes one row.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
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
# Seconds without a request after which a writer's connection goes back to the pool.
IDLE = 1.0
WRITERS = {"postgresql": 3, "sqlite": 1}
LOCK_POLL = 0.001


@dataclass
class _Waiting:
    row: dict[str, Any] | None  # None: a writer stops
    done: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None


class IntakeWriter:
    def __init__(self, db: Database, *, timeout: float = TIMEOUT) -> None:
        self.db = db
        self.timeout = timeout
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._local = threading.local()  # each writer thread's connection, kept between batches
        self.writers = WRITERS.get(db.dialect, 1)
        polls = db.dialect == "sqlite" and not db.in_memory
        self._target = Database(db.url, busy_timeout=0) if polls else db  # where the writers' connections come from
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
        """Stop the writer threads once they have written what they were given (the process stops)."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(_Waiting(None))
        for thread in threads:
            thread.join(timeout=self.timeout)
        if self._target is not self.db:
            self._target.dispose()

    def _start(self) -> None:
        if self._threads:
            return
        with self._lock:
            if not self._threads:
                for n in range(self.writers):
                    thread = threading.Thread(target=self._run, name=f"intake-writer-{n}", daemon=True)
                    thread.start()
                    self._threads.append(thread)

    def _run(self) -> None:
        try:
            self._write_batches()
        finally:
            self._disconnect()

    def _write_batches(self) -> None:
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
        if getattr(self._local, "connection", None) is not None:
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
        """One transaction on this writer's connection; an outage raises DatabaseUnavailable (and drops it)."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self._insert_once(rows)
                return
            except DBAPIError as exc:
                self._disconnect()
                if not _locked(exc):
                    outage = outage_of(exc)
                    if outage is not None:
                        raise outage from exc
                    raise
                if time.monotonic() > deadline:  # the requests went to the spool meanwhile
                    raise DatabaseUnavailable(f"SQLite stayed locked for {self.timeout}s") from exc
            time.sleep(LOCK_POLL)

    def _insert_once(self, rows: list[dict[str, Any]]) -> None:
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._target.engine.connect()  # checked out with a ping, once
        with connection.begin():
            connection.execute(self._insert, rows)

    def _disconnect(self) -> None:
        connection: Connection | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.close()
            except DBAPIError:  # already broken: the pool discards it
                log.debug("intake: the writer's connection could not be closed cleanly", exc_info=True)


def _locked(exc: DBAPIError) -> bool:
    """SQLite's "database is locked": another connection writes (the writer's own do not wait for it)."""
    return "database is locked" in str(exc.orig or exc).lower()
