"""Queueing outbox messages: one statement for any number of rows, first key wins.

Split from bot/outbox.py (which re-exports these names): queueing happens inside the caller's
transaction, delivery after it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from bot.database import is_postgres, sqlite_bind_value, table_of
from bot.models import OutboxMessage, UTCDateTime

PENDING = "pending"


@dataclass(frozen=True)
class OutboxItem:
    """A message to queue: its unique key, what kind of message, for which case, and its data."""

    key: str
    kind: str
    case_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


# One statement for any number of messages, with the rows passed as one JSON value
# (json_to_recordset on PostgreSQL, json_each on SQLite): cheaper than an executemany or a long
# VALUES list when the SLA sweep queues a thousand pages at once.
_PG_ENQUEUE = text(
    """
    INSERT INTO outbox (dedupe_key, kind, case_id, payload, state, attempts, next_attempt_at, created_at)
    SELECT v.key, v.kind, v.case_id, v.payload, :state, 0, :now, :now
    FROM json_to_recordset(CAST(:rows AS json)) AS v(key text, kind text, case_id integer, payload json)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING dedupe_key
    """
)
# "WHERE true" lets SQLite parse ON CONFLICT after INSERT … SELECT.
_SQLITE_ENQUEUE = text(
    """
    INSERT INTO outbox (dedupe_key, kind, case_id, payload, state, attempts, next_attempt_at, created_at)
    SELECT json_extract(value, '$.key'), json_extract(value, '$.kind'), json_extract(value, '$.case_id'),
           json_extract(value, '$.payload'), :state, 0, :now, :now
    FROM json_each(:rows) WHERE true
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING dedupe_key
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def enqueue_many(session: Session, items: Sequence[OutboxItem], now: datetime) -> set[str]:
    """Queue the items whose key is new, in one statement; returns the keys that went in."""
    if not items:
        return set()
    postgres = is_postgres(session)
    table = table_of(OutboxMessage)
    to_json = (lambda value: value) if postgres else sqlite_bind_value(session, table.c.payload)
    rows = [{"key": i.key, "kind": i.kind, "case_id": i.case_id, "payload": to_json(i.payload)} for i in items]
    result = session.execute(
        _PG_ENQUEUE if postgres else _SQLITE_ENQUEUE,
        {"state": PENDING, "now": now, "rows": json.dumps(rows, ensure_ascii=False)},
    )
    return set(result.scalars())


def enqueue(
    session: Session,
    *,
    kind: str,
    key: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    case_id: int | None = None,
) -> bool:
    """Add a message unless one with the same key exists; True when added."""
    return key in enqueue_many(session, [OutboxItem(key, kind, case_id, payload or {})], now)
