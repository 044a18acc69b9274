"""bot/database.py: pinned transactions share one connection."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.database import Database
from bot.internals.sqlmodel_objects import detached
from bot.models import OutboxMessage

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_pinned_transactions_share_a_connection_and_commit_each(db: Database) -> None:
    with db.pinned():
        with db.transaction() as session:
            first = session.connection().connection.dbapi_connection
            session.add(
                detached(OutboxMessage, {"dedupe_key": "a", "kind": "k", "created_at": NOW, "next_attempt_at": NOW})
            )
        with db.transaction() as session:
            assert session.connection().connection.dbapi_connection is first
            if db.is_postgres:  # SQLite has one writer: no transaction inside another, pinned or not
                with db.transaction() as inner:  # inside another: a connection of its own
                    assert inner.connection().connection.dbapi_connection is not first
        with db.session() as elsewhere:  # committed: seen from another connection
            assert [m.dedupe_key for m in elsewhere.exec(select(OutboxMessage)).all()] == ["a"]
        try:
            with db.transaction() as session:
                session.add(
                    detached(OutboxMessage, {"dedupe_key": "b", "kind": "k", "created_at": NOW, "next_attempt_at": NOW})
                )
                raise RuntimeError("a bug")
        except RuntimeError:
            pass
    with db.session() as elsewhere:  # rolled back
        assert [m.dedupe_key for m in elsewhere.exec(select(OutboxMessage)).all()] == ["a"]
