"""Engine and transactions for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from typing import Any, TypeVar

from sqlalchemy import Table, event, literal_column, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from bot import models  # noqa: F401  (registers the tables on SQLModel.metadata)

log = logging.getLogger(__name__)

T = TypeVar("T", bound=SQLModel)


class DatabaseUnavailable(Exception):
    """The database cannot be reached right now; the request changed nothing and may be retried."""


class Database:
    """Owns the engine; hands out short transactions.

    SQLite runs in WAL mode with a busy timeout (`busy_timeout` seconds: SQLite sleeps and retries
    while another connection writes), and write transactions start with BEGIN IMMEDIATE so that two
    writers queue instead of failing with "database is locked" half-way through.
    """

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10, busy_timeout: float = 30.0) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_timeout=10, pool_recycle=1800)
            if parsed.get_driver_name() == "psycopg":
                kwargs["connect_args"] = {"connect_timeout": 5}
        self.engine: Engine = create_engine(url, **kwargs)
        self._pinned = threading.local()  # `pinned`: this thread's connection for a run of transactions
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine, round(busy_timeout * 1000))

    @property
    def in_memory(self) -> bool:
        """An SQLite database in memory: private to its connection, so only to be reached through this engine."""
        return self.dialect == "sqlite" and self.engine.url.database in (None, "", ":memory:")

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises."""
        held: Connection | None = getattr(self._pinned, "connection", None)
        if held is not None and (held.in_transaction() or held.invalidated):
            held = None  # a transaction inside another one (or after a failure): a connection of its own
        try:
            with Session(held or self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except (OperationalError, DBAPIError) as exc:
            if held is not None:
                self._unpin()
            outage = outage_of(exc)
            if outage is not None:
                raise outage from exc
            raise

    @contextlib.contextmanager
    def pinned(self) -> Iterator[None]:
        """While the block runs, this thread's transactions share one connection, taken from the pool (and
        pinged) once instead of once each: a delivery records each message in a transaction of its own.
        A connection failure unpins it; the next transactions take pooled connections again."""
        if getattr(self._pinned, "connection", None) is not None:
            yield  # pinned further up already
            return
        with contextlib.suppress(OperationalError, DBAPIError):  # an outage: the transactions meet it and say so
            self._pinned.connection = self.engine.connect()
        try:
            yield
        finally:
            self._unpin()

    def _unpin(self) -> None:
        connection, self._pinned.connection = getattr(self._pinned, "connection", None), None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def create_all(self) -> None:
        """Create missing tables from the models (tests and the local console)."""
        SQLModel.metadata.create_all(self.engine)

    def drop_all(self) -> None:
        SQLModel.metadata.drop_all(self.engine)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def outage_of(exc: DBAPIError) -> DatabaseUnavailable | None:
    """What `exc` means when it says the database cannot be reached (an outage, not a bug), else None."""
    return DatabaseUnavailable(str(exc.orig or exc)) if _is_connection_error(exc) else None


def _is_connection_error(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    message = str(exc.orig or exc).lower()
    return any(
        marker in message
        for marker in (
            "connection refused",
            "could not connect",
            "server closed the connection",
            "connection is closed",
            "terminating connection",
            "connection timeout",
            "timeout expired",
            "the database system is starting up",
            "the database system is shutting down",
            "consuming input failed",
            "no connection to the server",
            "ssl syscall error",
        )
    )


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN IMMEDIATE works (SQLAlchemy docs recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not engine.url.database or engine.url.database == ":memory:":
            cursor.execute("PRAGMA journal_mode=MEMORY")
        else:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_ignore(session: Session, model: type[SQLModel], values: dict[str, Any], conflict: list[str]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; True when the row was inserted.

    Used wherever "the first one wins" is the rule: event ids, handled messages, outbox keys.
    """
    dialect = session.get_bind().dialect.name
    table = table_of(model)
    statement: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    else:  # pragma: no cover - other databases: a savepoint and the unique constraint
        from sqlalchemy.exc import IntegrityError

        try:
            with session.begin_nested():
                session.add(model(**values))
            return True
        except IntegrityError:
            return False
    # rowcount is not reliable here across drivers; RETURNING says whether a row went in.
    result = session.execute(statement.returning(literal_column("1")))
    return result.first() is not None


def is_postgres(session: Session) -> bool:
    """Whether the session's database is PostgreSQL (else SQLite): bulk statements differ by dialect."""
    return session.get_bind().dialect.name == "postgresql"


def table_of(model: type[SQLModel]) -> Table:
    """The table behind a model, for Core statements (bulk inserts, updates)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE matched (a CursorResult attribute the ORM's Result type does not declare)."""
    return int(result.rowcount or 0)


def sqlite_bind_value(session: Session, column: Any) -> Any:
    """A column type's own conversion to what SQLite stores (e.g. a UTC datetime to its text form),
    for values passed inside JSON to bulk statements."""
    dialect = session.get_bind().dialect
    return column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


@contextlib.contextmanager
def temporary_postgres_database(admin_url: str, prefix: str = "supportbot_tmp") -> Iterator[str]:
    """A new, empty PostgreSQL database next to `admin_url`'s, dropped afterwards (tests, benchmarks).

    Raises DatabaseUnavailable when the server cannot be reached.
    """
    admin = Database(admin_url)
    if not admin.ping():
        admin.dispose()
        raise DatabaseUnavailable(f"PostgreSQL not reachable at {admin.engine.url.render_as_string()}")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    autocommit = admin.engine.execution_options(isolation_level="AUTOCOMMIT")
    with autocommit.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with autocommit.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
