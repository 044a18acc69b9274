"""bot/database.py's `detached`: model objects built as the ORM builds loaded ones, for the hot path."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.database import Database, detached
from bot.models import Case, OutboxMessage

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_detached_object_is_the_object_init_builds() -> None:
    values = {"number": 7, "title": "ログインできない", "priority": "high", "reporter_id": "U1", "created_at": NOW}
    built, fast = Case(**values), detached(Case, values)
    assert fast.model_dump() == built.model_dump()
    assert fast.escalation_level == 1 and fast.status == "open" and fast.message_ts is None  # the defaults
    fast.status = "resolved"  # an ordinary, instrumented object
    assert fast.status == "resolved"


def test_a_detached_object_can_be_stored(db: Database) -> None:
    message = detached(OutboxMessage, {"dedupe_key": "k", "kind": "case.card", "created_at": NOW})
    message.next_attempt_at = NOW
    with db.transaction() as session:
        session.add(message)
    with db.transaction() as session:
        (stored,) = session.exec(select(OutboxMessage)).all()
        assert (stored.dedupe_key, stored.state, stored.payload, stored.created_at) == ("k", "pending", {}, NOW)


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
