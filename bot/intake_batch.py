"""Carrying out recorded requests in batches: one transaction opens the cases of many (bot/intake.py).

Opening one case per transaction costs a commit and a dozen statements per case, and under a burst
the requests wait in line for that. So a listener carrying out its request (Intake.process) takes
the other requests waiting too — its own first, then the oldest, at most BATCH — and opens them all
in one transaction with a handful of statements (bot/case_opening.py): each request is claimed in
that transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two replicas never take the same one,
and a conditional UPDATE everywhere), so it is still opened exactly once, with its confirmation.
Their cards and confirmations are then delivered together. A listener whose request a batch took
finds it done. Spooled requests and requests that failed before are left to Intake.run, one by one.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, case, or_, select, update
from sqlmodel import Session

from bot.case_inputs import NewCase
from bot.case_opening import Opened, Prepared, open_prepared, prepare
from bot.case_reads import just_opened
from bot.case_vocabulary import EventKind
from bot.cases import CaseChange
from bot.crash_points import crash_point
from bot.customers import CustomerRecord
from bot.database import is_postgres, table_of
from bot.errors import UserFacingError
from bot.intake_vocabulary import IntakeState, Source
from bot.internals.sqlmodel_objects import detached
from bot.models import Case, IntakeRequest, OutboxMessage, UTCDateTime
from bot.outbox_kinds import OutboxKind, intake_reply_key, page_key
from bot.outbox_queue import OutboxItem, enqueue_many

if TYPE_CHECKING:
    from bot.intake import Intake

# Requests opened in one transaction at most: a burst's worth, delivered in well under a second.
BATCH = 50
# Request ids a process remembers as carried out by its own batches (a burst's worth).
REMEMBERED = 10_000
# A confirmation later than this after the request (or of a spooled one) says when it was received.
LATE = timedelta(seconds=30)


@dataclass
class _Batch:
    """The requests a batch carries out: the cases to open, and what cannot be opened (and why)."""

    prepared: list[tuple[IntakeRequest, Prepared]]
    refused: list[tuple[IntakeRequest, UserFacingError]]


class Batches:
    """An Intake's batches, and the requests they carried out lately: a listener whose request a batch of
    this process took returns at once, without asking the database (whose answer would be the same)."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self._done: dict[str, None] = {}  # request ids, oldest first, at most REMEMBERED
        self._lock = threading.Lock()

    def took(self, request_id: str) -> bool:
        """Whether a batch of this process carried the request out already."""
        return request_id in self._done

    def carry_out(self, request_id: str, numbers: list[int] | None = None) -> CaseChange | None:
        """Open the case of `request_id` (unless it is done already) with those of other waiting requests.

        Returns the change for `request_id` when this call opened it; the numbers of every case the batch
        opened are added to `numbers` when given (the intake job's report)."""
        if request_id in self._done:
            return None
        intake, now = self.intake, self.intake.clock.now()
        crash_point("intake.received")
        with intake.db.transaction() as session:
            rows = _claim(session, request_id, now)
            batch = _prepare(intake, session, rows, now)
            opened = open_prepared(session, intake.cases.sla, [p for _, p in batch.prepared], now)
            crash_point("intake.opening")
            replies = _record(intake, session, batch, opened, now)
        if not rows:
            return None
        self._remember([row.request_id for row in rows])
        if numbers is not None:
            numbers.extend(o.case.number for o in opened if o.case.number is not None)
        with just_opened(o.case for o in opened):
            intake.outbox.deliver_for_cases([o.case.id for o in opened if o.case.id is not None])
        intake.outbox.deliver_keys(replies)
        return _change_of(intake, request_id, batch, opened)

    def _remember(self, request_ids: list[str]) -> None:
        with self._lock:
            self._done.update(dict.fromkeys(request_ids))
            while len(self._done) > REMEMBERED:
                del self._done[next(iter(self._done))]


@functools.cache
def _claim_statement(postgres: bool) -> Any:
    """Take the request (if it is pending) and the oldest others a batch may take (`request_id`, `now`)."""
    table = table_of(IntakeRequest)
    mine = table.c.request_id == bindparam("wanted")
    fellow = (table.c.attempts == 0) & (table.c.source == Source.DATABASE)
    pending = (
        select(table.c.id)
        .where(table.c.state == IntakeState.PENDING, or_(mine, fellow))
        .order_by(case((mine, 0), else_=1), table.c.received_at, table.c.id)
        .limit(BATCH)
    )
    if postgres:
        pending = pending.with_for_update(skip_locked=True)
    return (
        update(table)
        .where(table.c.id.in_(pending), table.c.state == IntakeState.PENDING)
        .values(state=IntakeState.DONE, processed_at=bindparam("claimed_at", type_=UTCDateTime()))
        .returning(table.c.id, table.c.request_id, table.c.payload, table.c.received_at, table.c.source)
    )


def _claim(session: Session, request_id: str, now: datetime) -> list[IntakeRequest]:
    """The request (if it is pending) and the oldest others a batch may take, marked done in the
    transaction that opens their cases.

    On PostgreSQL rows another transaction holds are skipped (it is carrying them out); everywhere,
    a row done meanwhile is not pending any more: either way, not ours."""
    statement = _claim_statement(is_postgres(session))
    found = session.execute(statement, {"wanted": request_id, "claimed_at": now}).mappings()
    rows = [detached(IntakeRequest, dict(row)) for row in found]
    return sorted(rows, key=lambda r: (r.received_at, r.id or 0))  # the cases' numbers follow the arrival


def _prepare(intake: Intake, session: Session, rows: list[IntakeRequest], now: datetime) -> _Batch:
    """Check each request and build its case; what cannot be opened is refused."""
    batch = _Batch([], [])
    channels: dict[str, CustomerRecord | None] = {}
    for row in rows:
        new = NewCase(**row.payload["case"], received_at=row.received_at)
        try:
            batch.prepared.append((row, prepare(intake.cases, session, new, row.payload["user"], now, channels)))
        except UserFacingError as error:
            batch.refused.append((row, error))
    return batch


def _record(intake: Intake, session: Session, batch: _Batch, opened: list[Opened], now: datetime) -> list[str]:
    """Each request's outcome on its row, and its confirmation queued; the keys of those for refusals."""
    table = table_of(IntakeRequest)
    if opened:
        done = update(table).where(table.c.id == bindparam("row_id")).values(case_id=bindparam("opened"))
        rows = [{"row_id": r.id, "opened": o.case.id} for (r, _), o in zip(batch.prepared, opened, strict=True)]
        session.execute(done, rows)
    if batch.refused:
        refuse = update(table).where(table.c.id == bindparam("row_id"))
        refuse = refuse.values(state=IntakeState.REFUSED, last_error=bindparam("error"))
        session.execute(refuse, [{"row_id": row.id, "error": error.key} for row, error in batch.refused])
    items: list[OutboxItem] = []
    for (row, _), change in zip(batch.prepared, opened, strict=True):
        if change.paged is not None and late(row, now):
            page_says_received(session, change.case, row.received_at)
        if change.case.origin_thread_ts is not None and not row.payload.get("response_url"):
            continue  # a form from an FAQ thread: the reporter hears of the case there (bot/case_notices.py)
        payload = reply_payload(row, now) | {
            "paged": change.paged.source if change.paged is not None else None,
            "outside_hours": intake.cases.sla.is_outside_hours(change.case),
            "customer_channel": change.customer_channel,
        }
        items.append(OutboxItem(intake_reply_key(row.request_id), OutboxKind.INTAKE_REPLY, change.case.id, payload))
    refusals = [_refusal(row, error, now) for row, error in batch.refused]
    enqueue_many(session, items + refusals, now)
    return [item.key for item in refusals]


def _refusal(row: IntakeRequest, error: UserFacingError, now: datetime) -> OutboxItem:
    """What was acknowledged cannot be opened (say, the configuration changed meanwhile): the person is told why."""
    values = json_safe(error.values)
    payload = reply_payload(row, now) | {"error": error.key, "values": values}
    return OutboxItem(intake_reply_key(row.request_id), OutboxKind.INTAKE_REPLY, None, payload)


def _change_of(intake: Intake, request_id: str, batch: _Batch, opened: list[Opened]) -> CaseChange | None:
    for (row, _), change in zip(batch.prepared, opened, strict=True):
        if row.request_id == request_id:
            outside = intake.cases.sla.is_outside_hours(change.case)
            theirs = change.customer_channel
            return CaseChange(
                change.case, change.event, outside_hours=outside, paged=change.paged, customer_channel=theirs
            )
    return None


def json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """An error's values as JSON keeps them (dates as text)."""
    return dict(json.loads(json.dumps(values, default=str)))


def reply_payload(row: IntakeRequest, now: datetime) -> dict[str, Any]:
    payload = row.payload
    return {
        "user": payload["user"],
        "channel": payload.get("channel"),
        "response_url": payload.get("response_url"),
        "received_at": row.received_at.isoformat(),
        "late": late(row, now),
        "language": payload["case"].get("language"),
    }


def late(row: IntakeRequest, now: datetime) -> bool:
    """Opened late: received during an outage (spooled), or left by a replica that died."""
    return row.source == Source.SPOOL or now - row.received_at > LATE


def page_says_received(session: Session, case: Case, received_at: datetime) -> None:
    """The page queued with a case opened late says when the case was received."""
    assert case.id is not None
    key = page_key(case.id, EventKind.OPENED)
    page = session.execute(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == key)  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if page is not None:
        page.payload = {**page.payload, "received_at": received_at.isoformat()}
