"""Contract: what bot/internals/sqlmodel_objects.py relies on in SQLModel and SQLAlchemy's instrumentation.

Each test pins one numbered behaviour of that module's docstring; when an upgrade changes it, the test
named for it fails, and `detached` goes back to the models' `__init__`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.database import Database
from bot.internals.sqlmodel_objects import detached
from bot.models import Case, OutboxMessage

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_1_a_detached_object_is_the_object_init_builds() -> None:
    values = {"number": 7, "title": "ログインできない", "priority": "high", "reporter_id": "U1", "created_at": NOW}
    built, fast = Case(**values), detached(Case, values)
    assert fast.model_dump() == built.model_dump()
    assert fast.escalation_level == 1 and fast.status == "open" and fast.message_ts is None  # the defaults
    fast.status = "resolved"  # an ordinary, instrumented object
    assert fast.status == "resolved"


def test_2_a_detached_object_is_stored_and_instrumented(db: Database) -> None:
    message = detached(OutboxMessage, {"dedupe_key": "k", "kind": "case.card", "created_at": NOW})
    message.next_attempt_at = NOW
    with db.transaction() as session:
        session.add(message)
    with db.transaction() as session:
        (stored,) = session.exec(select(OutboxMessage)).all()
        assert (stored.dedupe_key, stored.state, stored.payload, stored.created_at) == ("k", "pending", {}, NOW)
