"""Durable intake: a request Slack is told "OK" about is recorded first, then carried out (issue 14).

Slack does not send a request again once it was acknowledged, so before the ack:

- `receive` records the raw request in the `intake` table in one short transaction, under its stable
  identity (`Received.request_id`); when the database cannot be reached, it appends the request to
  this process's spool file instead (bot/spool.py, fsynced) and the person is told that it was
  received and will be opened once the system has recovered;
- `process` carries a recorded request out: the case is opened in the transaction that marks the
  request done (so it is opened exactly once, whichever replica gets there first and however often
  it is tried), together with the confirmation to the person, which the outbox delivers;
- `run` (a scheduled job on every replica) moves spool files nobody writes to any more into the
  table once the database answers — a replica that restarts finds its own — and carries out what is
  pending, oldest first: requests whose replica died after the ack, or that met the outage.

A case received during an outage starts at its receipt (its SLA clock too), and a high one pages
as soon as it is opened.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlmodel import Session, col

from bot.cases import CaseChange, CaseService, NewCase
from bot.clock import Clock
from bot.crash_points import crash_point
from bot.database import Database, DatabaseUnavailable, insert_ignore, rowcount
from bot.errors import UserFacingError
from bot.intake_batch import Batches, json_safe
from bot.intake_batch import late as _late
from bot.intake_batch import page_says_received as _page_says_received
from bot.intake_batch import reply_payload as _reply_payload
from bot.intake_vocabulary import IntakeKind, IntakeState, Source
from bot.intake_writer import IntakeWriter
from bot.models import Case, CustomerChannel, IntakeRequest
from bot.oncall import OnCall
from bot.outbox import Outbox, enqueue
from bot.outbox_kinds import OutboxKind, intake_reply_key
from bot.spool import Spool, SpoolError

log = logging.getLogger(__name__)

# The worker leaves a request this fresh to the replica that received it (which is opening it now).
GRACE = timedelta(seconds=5)
# A request that fails this often for a reason other than the database is left for an admin.
MAX_ATTEMPTS = 10
BATCH = 100
# Requests carried out (done, refused) are kept this long — to answer a retried request once, and for
# an admin looking into one — then deleted by the intake job, at most once per PRUNE_EVERY, in
# batches of PRUNE_BATCH. Failed ones stay until an admin deals with them.
KEEP_DONE = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)
PRUNE_BATCH = 1000


class Unavailable(Exception):
    """Neither the database nor the spool could record the request: it must not be acknowledged as received."""


@dataclass(frozen=True)
class Received:
    """A request as it arrived: who, where, the raw command, and the case it asks for (NewCase's fields)."""

    user: str
    channel: str | None
    text: str
    case: dict[str, Any]
    team: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    command: str = "/case"
    # A form's submission: its view id and hash (which change with each submission of a view), its
    # identity instead of the command's text.
    view: str | None = None

    @property
    def request_id(self) -> str:
        """The request's identity: the same request, recorded twice, is one row (and one case)."""
        parts = [self.team, self.user, self.channel, self.command, self.text, self.trigger_id]
        if self.view is not None:
            parts = [self.team, self.user, self.command, self.view]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Receipt:
    request_id: str
    spooled: bool  # in the local spool: the database was unreachable


@dataclass
class IntakeReport:
    replayed: int = 0
    pruned: int = 0
    opened: list[int] = field(default_factory=list)


class _Taken(Exception):
    """Another replica (or an earlier try) carried the request out already."""


class Intake:
    def __init__(self, db: Database, clock: Clock, cases: CaseService, outbox: Outbox, spool: Spool | None) -> None:
        self.db = db
        self.clock = clock
        self.cases = cases
        self.outbox = outbox
        self.spool = spool
        self.writer = IntakeWriter(db)
        self.batches = Batches(self)  # carrying out (process)
        self._pruned_at: datetime | None = None
        # Called before each request the job carries out: the web front's acks go first (bot/ack_priority.py).
        self.pace: Callable[[], None] = lambda: None

    # --- before the ack ---------------------------------------------------------------------------

    def receive(self, received: Received) -> Receipt:
        """Record the request durably; raises Unavailable when it cannot be (then it must not be acked as received)."""
        request_id, now = received.request_id, self.clock.now()
        row: dict[str, Any] = {
            "request_id": request_id,
            "kind": IntakeKind.CASE_OPEN,
            "payload": dict(vars(received)),  # not asdict(), which deep-copies: 4% of an ack's CPU
            "received_at": now,
        }
        try:
            self.writer.write(_values(row, Source.DATABASE))  # committed with whatever else is arriving
            return Receipt(request_id, spooled=False)
        except DatabaseUnavailable as exc:
            if self.spool is None:
                raise Unavailable(str(exc)) from exc
            log.warning("intake: database unavailable, request %s spooled: %s", request_id[:12], exc)
        try:
            self.spool.append({**row, "received_at": now.isoformat()})
        except SpoolError as exc:
            log.error("intake: request %s could not be recorded anywhere: %s", request_id[:12], exc)
            raise Unavailable(str(exc)) from exc
        return Receipt(request_id, spooled=True)

    # --- carrying it out -----------------------------------------------------------------------------

    def process(self, request_id: str) -> CaseChange | None:
        """Open the case of a recorded request, unless it is open already, with the cases of other waiting
        requests (bot/intake_batch.py); each confirmation is queued with its case."""
        try:
            return self.batches.carry_out(request_id)
        except DatabaseUnavailable:
            raise
        except Exception:  # a bug one of the batch's requests meets: this request alone, as Intake.run would
            log.exception("intake: the batch with request %s failed; carrying it out alone", request_id[:12])
        return self._process_one(request_id)

    def _process_one(self, request_id: str) -> CaseChange | None:
        with self.db.transaction() as session:
            row = session.execute(
                select(IntakeRequest).where(col(IntakeRequest.request_id) == request_id)
            ).scalar_one_or_none()
            session.expunge_all()
        if row is None or row.state != IntakeState.PENDING:
            return None
        crash_point("intake.received")
        return self._carry_out(row)

    def _carry_out(self, row: IntakeRequest) -> CaseChange | None:
        payload = row.payload
        new = NewCase(**payload["case"], received_at=row.received_at)
        try:
            return self.cases.open(new, reporter=payload["user"], step=_Opening(self, row))
        except _Taken:
            return None
        except UserFacingError as error:
            self._refuse(row, error)
            return None

    def _refuse(self, row: IntakeRequest, error: UserFacingError) -> None:
        """What was acknowledged cannot be opened (say, the configuration changed meanwhile): the person is told why."""
        now = self.clock.now()
        values = json_safe(error.values)
        with self.db.transaction() as session:
            result = session.execute(
                update(IntakeRequest)
                .where(col(IntakeRequest.id) == row.id, col(IntakeRequest.state) == IntakeState.PENDING)
                .values(state=IntakeState.REFUSED, processed_at=now, last_error=error.key)
            )
            if rowcount(result) == 1:
                payload = _reply_payload(row, now) | {"error": error.key, "values": values}
                enqueue(
                    session,
                    kind=OutboxKind.INTAKE_REPLY,
                    key=intake_reply_key(row.request_id),
                    now=now,
                    payload=payload,
                )
        self.outbox.deliver_keys([intake_reply_key(row.request_id)])

    # --- the worker ----------------------------------------------------------------------------------

    def run(self) -> IntakeReport:
        """Move free spool files into the table, then carry out what is pending, oldest first."""
        report = IntakeReport()
        try:
            report.replayed = self.replay_spool()
            for row in self._pending():
                if row.attempts == 0 and self.batches.took(row.request_id):
                    continue  # opened with an earlier request's batch
                self.pace()
                self._attempt(row, report.opened)
            report.pruned = self.prune()
        except DatabaseUnavailable as exc:
            log.info("intake: database unavailable, pending requests wait: %s", exc)
        if report.replayed or report.opened:
            log.info("intake: %d spooled request(s) recorded, case(s) opened: %s", report.replayed, report.opened)
        return report

    def prune(self, *, force: bool = False) -> int:
        """Delete requests carried out more than KEEP_DONE ago (at most once per PRUNE_EVERY unless forced)."""
        now = self.clock.now()
        if not force and self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return 0
        old = (
            select(col(IntakeRequest.id))
            .where(col(IntakeRequest.state).in_([IntakeState.DONE, IntakeState.REFUSED]))
            .where(col(IntakeRequest.processed_at) < now - KEEP_DONE)
            .limit(PRUNE_BATCH)
        )
        with self.db.transaction() as session:
            ids = list(session.execute(old).scalars())
            if ids:
                session.execute(delete(IntakeRequest).where(col(IntakeRequest.id).in_(ids)))
        if len(ids) < PRUNE_BATCH:  # else more are waiting: the next run goes on
            self._pruned_at = now
        if ids:
            log.info("intake: %d request(s) carried out more than %s ago deleted", len(ids), KEEP_DONE)
        return len(ids)

    def _pending(self) -> list[IntakeRequest]:
        fresh = self.clock.now() - GRACE
        with self.db.transaction() as session:
            rows = (
                session.execute(
                    select(IntakeRequest)
                    .where(col(IntakeRequest.state) == IntakeState.PENDING)
                    .where(or_(col(IntakeRequest.received_at) < fresh, col(IntakeRequest.source) == Source.SPOOL))
                    .order_by(col(IntakeRequest.received_at), col(IntakeRequest.id))
                    .limit(BATCH)
                )
                .scalars()
                .all()
            )
            session.expunge_all()
        return list(rows)

    def _attempt(self, row: IntakeRequest, opened: list[int]) -> CaseChange | None:
        """Carry `row` out; the numbers of the cases this opened (a batch's too) are added to `opened`."""
        try:
            if row.attempts == 0:  # a first try: with the other requests waiting (bot/intake_batch.py)
                return self.batches.carry_out(row.request_id, opened)
            change = self._carry_out(row)
            if change is not None and change.case.number is not None:
                opened.append(change.case.number)
            return change
        except DatabaseUnavailable:
            raise
        except Exception as exc:  # a bug: tried again at the next run, then left for an admin
            log.exception("intake: request %s could not be carried out", row.request_id[:12])
            state = IntakeState.FAILED if row.attempts + 1 >= MAX_ATTEMPTS else IntakeState.PENDING
            with self.db.transaction() as session:
                session.execute(
                    update(IntakeRequest)
                    .where(col(IntakeRequest.id) == row.id)
                    .values(attempts=row.attempts + 1, last_error=repr(exc)[:2000], state=state)
                )
            return None

    def replay_spool(self) -> int:
        """Spooled requests into the table (each once, by its identity); the files are deleted after."""
        if self.spool is None or not (self.spool.pending or self.spool.replayable()):
            return 0
        if not self.db.ping():
            return 0
        self.spool.close_current()
        moved = 0
        for path in self.spool.replayable():
            with self.spool.taken(path) as found:
                if found is None:
                    continue
                if found.problem:
                    log.warning("intake spool %s: %s", path.name, found.problem)
                with self.db.transaction() as session:
                    for record in found.records:
                        record["received_at"] = datetime.fromisoformat(record["received_at"])
                        moved += _insert(session, record, Source.SPOOL)
        return moved


def _values(row: dict[str, Any], source: Source) -> dict[str, Any]:
    return {**row, "source": source, "state": IntakeState.PENDING, "attempts": 0}


def _insert(session: Session, row: dict[str, Any], source: Source) -> int:
    return int(insert_ignore(session, IntakeRequest, _values(row, source), ["request_id"]))


class _Opening:
    """The request's part of the transaction that opens its case (CaseService.open's OpeningStep)."""

    def __init__(self, intake: Intake, row: IntakeRequest) -> None:
        self.intake = intake
        self.row = row
        self.now = intake.clock.now()

    def claim(self, session: Session) -> None:
        result = session.execute(
            update(IntakeRequest)
            .where(col(IntakeRequest.id) == self.row.id, col(IntakeRequest.state) == IntakeState.PENDING)
            .values(state=IntakeState.DONE, processed_at=self.now)
        )
        if rowcount(result) != 1:
            raise _Taken(self.row.request_id)

    @staticmethod
    def _in_customer_channel(session: Session, case: Case) -> bool:
        """Opened in its own customer's channel: the confirmation takes the customer-facing tone."""
        if case.customer_id is None or not case.origin_channel:
            return False
        link = session.get(CustomerChannel, case.origin_channel)
        return link is not None and link.customer_id == case.customer_id

    def opened(self, session: Session, case: Case, paged: OnCall | None) -> None:
        session.execute(update(IntakeRequest).where(col(IntakeRequest.id) == self.row.id).values(case_id=case.id))
        crash_point("intake.opening")
        if paged is not None and _late(self.row, self.now):
            _page_says_received(session, case, self.row.received_at)
        if case.origin_thread_ts is not None and not self.row.payload.get("response_url"):
            return  # a form from an FAQ thread: the reporter hears of the case there (bot/case_notices.py)
        payload = _reply_payload(self.row, self.now) | {
            "paged": paged.source if paged is not None else None,
            "outside_hours": self.intake.cases.sla.is_outside_hours(case),
            "customer_channel": self._in_customer_channel(session, case),
        }
        key = intake_reply_key(self.row.request_id)
        enqueue(session, kind=OutboxKind.INTAKE_REPLY, key=key, now=self.now, case_id=case.id, payload=payload)
