"""Small SQL helpers shared by the figure modules.

Lookups by case go through `case_id IN (…)` a chunk at a time rather than correlated subqueries:
one plan that every database gets right (the case_id index), with or without table statistics.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session, col

from bot.clock import as_utc
from bot.models import CaseEvent

CHUNK = 500
T = TypeVar("T")


def within(column: Any, since: datetime, end: datetime) -> ColumnElement[bool]:
    """since <= column < end: half-open, so adjacent periods never share an instant."""
    return and_(column >= since, column < end)


def chunked(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def first_event_at(session: Session, kind: str, case_ids: Sequence[int]) -> dict[int, datetime]:
    """case id → when it first had an event of `kind`, for the cases that had one."""
    found: dict[int, datetime] = {}
    for ids in chunked(sorted(set(case_ids))):
        query = (
            select(col(CaseEvent.case_id), func.min(col(CaseEvent.at)))
            .where(col(CaseEvent.case_id).in_(ids), col(CaseEvent.kind) == kind)
            .group_by(col(CaseEvent.case_id))
        )
        found.update((case_id, as_time(at)) for case_id, at in session.execute(query).all())
    return found


def event_counts(session: Session, kind: str, case_ids: Sequence[int]) -> dict[int, int]:
    """case id → how many events of `kind` it had, for the cases that had any."""
    found: dict[int, int] = {}
    for ids in chunked(sorted(set(case_ids))):
        query = (
            select(col(CaseEvent.case_id), func.count())
            .where(col(CaseEvent.case_id).in_(ids), col(CaseEvent.kind) == kind)
            .group_by(col(CaseEvent.case_id))
        )
        found.update((case_id, int(count)) for case_id, count in session.execute(query).all())
    return found


def as_time(value: object) -> datetime:
    """MIN()/MAX() over a time column come back untyped on SQLite (text), typed on PostgreSQL."""
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))
