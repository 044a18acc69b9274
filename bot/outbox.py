"""The outbox: every message to Slack is a row first, then a delivery.

A state change and the messages that report it are committed together, so nothing is lost if
Slack (or the process) fails afterwards. Delivery claims a row before sending — a conditional
UPDATE, or `FOR UPDATE SKIP LOCKED` on PostgreSQL — so two replicas never send the same row, and
records Slack's `ts` once Slack accepts it. A failed send goes back to the queue; one that may
have landed is marked "uncertain" and checked before it is sent again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from bot.clock import Clock
from bot.crash_points import crash_point
from bot.database import Database, DatabaseUnavailable
from bot.internals.sqlmodel_objects import detached
from bot.models import OutboxMessage
from bot.notify import (
    Delivered,
    Notifier,
    NotReady,
    Obsolete,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDelivery,
)
from bot.outbox_marks import RECORDED_LATER, mark_sent
from bot.outbox_queue import OutboxItem, enqueue, enqueue_many

__all__ = ["Outbox", "OutboxItem", "enqueue", "enqueue_many"]  # queueing: bot/outbox_queue.py

log = logging.getLogger(__name__)

PENDING, SENDING, UNCERTAIN, SENT, FAILED, DROPPED = "pending", "sending", "uncertain", "sent", "failed", "dropped"
# How long a claim protects a message being sent. Longer than the slowest send (a 10 s timeout,
# retried, plus short rate-limit waits); after a crash, the claim is taken over once it expires.
LEASE = timedelta(minutes=2)
# Outcomes of one delivery attempt that leave the message queued.
WAITING, RETRYING = "waiting", "retrying"

# Called in the transaction that marks a message sent, e.g. to remember a case card's ts.
# It may queue follow-up messages (returning their keys), which the same delivery then sends too.
SentHook = Callable[[Session, OutboxMessage, Delivered], Iterable[str] | None]
# The same for all the messages of one kind recorded together (bot/outbox_marks.py); queues nothing.
SentManyHook = Callable[[Session, list[tuple[OutboxMessage, Delivered]]], None]


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)

    def merge(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.dropped += other.dropped


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Outbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        notifier: Notifier | None = None,
        *,
        worker_id: str | None = None,
        lease: timedelta = LEASE,
        max_backoff: timedelta = timedelta(minutes=10),
        max_uncertain_attempts: int = 20,
    ) -> None:
        self.db = db
        self.clock = clock
        self.notifier = notifier
        self.worker_id = worker_id or default_worker_id()
        self.lease = lease
        self.max_backoff = max_backoff
        self.max_uncertain_attempts = max_uncertain_attempts
        self._hooks: dict[str, list[SentHook]] = {}
        self._many_hooks: dict[str, list[SentManyHook]] = {}
        # Deliveries whose outcome could not be written (the database went away mid-delivery): the
        # outcome (Slack's answer, or None for "not known as sent"), written as soon as it can be.
        self._unrecorded: dict[int, tuple[OutboxMessage, Delivered | None]] = {}
        self._unrecorded_lock = threading.Lock()

    def on_sent(self, kind: str, hook: SentHook) -> None:
        self._hooks.setdefault(kind, []).append(hook)

    def on_sent_many(self, kind: str, hook: SentManyHook) -> None:
        """`hook` runs once for all the messages of `kind` recorded in one transaction (one statement for a batch)."""
        self._many_hooks.setdefault(kind, []).append(hook)

    # --- queries ------------------------------------------------------------------------

    def ids_for_keys(self, keys: Iterable[str]) -> list[int]:
        keys = list(keys)
        if not keys:
            return []
        with self.db.transaction() as session:
            rows = session.execute(select(col(OutboxMessage.id)).where(col(OutboxMessage.dedupe_key).in_(keys)))
            return [row[0] for row in rows]

    def get(self, key: str) -> OutboxMessage | None:
        with self.db.transaction() as session:
            return session.execute(
                select(OutboxMessage).where(col(OutboxMessage.dedupe_key) == key)
            ).scalar_one_or_none()

    # --- delivery -----------------------------------------------------------------------

    def deliver_keys(self, keys: Iterable[str]) -> DeliveryReport:
        """Send these messages now (right after the transaction that enqueued them)."""
        try:
            ids = self.ids_for_keys(keys)
        except DatabaseUnavailable as exc:
            log.warning("outbox: database unavailable, the delivery job will send these later: %s", exc)
            return DeliveryReport()
        return self.deliver(ids=ids)

    def deliver_for_case(self, case_id: int) -> DeliveryReport:
        """Send what a case has waiting (its card, a thread line, an update), right after a change."""
        return self.deliver_for_cases([case_id])

    def deliver_for_cases(self, case_ids: list[int]) -> DeliveryReport:
        """Send what these cases have waiting, right after the change (or the batch of new cases)."""
        crash_point("outbox.committed")
        if not case_ids:
            return DeliveryReport()
        try:
            with self.db.transaction() as session:
                rows = session.execute(
                    select(col(OutboxMessage.id)).where(
                        col(OutboxMessage.case_id).in_(case_ids), col(OutboxMessage.state).in_([PENDING, UNCERTAIN])
                    )
                ).scalars()
                ids = [i for i in rows if i is not None]
        except DatabaseUnavailable as exc:
            log.warning("outbox: database unavailable, cases %s' messages wait for the delivery job: %s", case_ids, exc)
            return DeliveryReport()
        return self.deliver(ids=ids, limit=max(100, 4 * len(case_ids)))

    def deliver(self, *, ids: list[int] | None = None, limit: int = 100) -> DeliveryReport:
        """Claim due messages (or the given ones, if due) and send them; returns what happened.

        Never raises for a database outage: what is committed stays queued and the delivery job
        sends it once the database is back (a claim cut short expires after `lease`, and is then
        checked before it is sent again).
        """
        if self.notifier is None or ids == []:
            return DeliveryReport()
        with self.db.pinned():  # a transaction per recorded message: one connection for them all
            return self._deliver(ids, limit)

    def _deliver(self, ids: list[int] | None, limit: int) -> DeliveryReport:
        report = DeliveryReport()
        if not self.settle_unrecorded():
            log.warning("outbox: database still unavailable, delivery postponed")
            return report
        # A message that waits on another (a thread reply on its case card) may become ready
        # within this call, and a sent message may queue a follow-up (a card refresh after a
        # page): go round again for those.
        for _ in range(5):
            try:
                claimed = self._claim(ids=ids, limit=limit)
            except DatabaseUnavailable as exc:
                log.warning("outbox: database unavailable, delivery postponed: %s", exc)
                break
            if not claimed:
                break
            follow_ups: list[str] = []
            outcomes = self._send_all(claimed, follow_ups)
            for (message, _verify), outcome in zip(claimed, outcomes, strict=True):
                assert message.id is not None
                bucket = {SENT: report.sent, FAILED: report.failed, DROPPED: report.dropped}.get(
                    outcome, report.retrying
                )
                bucket.append(message.id)
            if self._unrecorded:
                break  # the database went away: the rest waits until outcomes can be recorded again
            if follow_ups and ids is not None:
                try:
                    ids = [*ids, *self.ids_for_keys(follow_ups)]
                except DatabaseUnavailable:
                    break  # the delivery job sends them
            if not follow_ups and (SENT not in outcomes or WAITING not in outcomes):
                break
            report.retrying = [i for i in report.retrying if i not in report.sent]
        return report

    def _claim(self, *, ids: list[int] | None, limit: int) -> list[tuple[OutboxMessage, bool]]:
        # Core statements over the table: the ORM's loading and bulk UPDATE were most of a case's delivery CPU
        # (benchmarks/pipeline_bench.py); the messages are built from the rows, outside any session.
        outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
        now = self.clock.now()
        stale = now - self.lease
        due = or_(
            outbox.c.state.in_([PENDING, UNCERTAIN]) & (outbox.c.next_attempt_at <= now),
            (outbox.c.state == SENDING) & (outbox.c.claimed_at < stale),
        )
        query = select(outbox).where(due).order_by(outbox.c.id).limit(limit)
        if ids is not None:
            query = query.where(outbox.c.id.in_(ids))
        claimed: list[tuple[OutboxMessage, bool]] = []
        with self.db.transaction() as session:
            if self.db.is_postgres:
                query = query.with_for_update(skip_locked=True)
            # The rows are locked (PostgreSQL) or the transaction writes alone (SQLite): one UPDATE claims them all.
            for row in session.execute(query).mappings().all():
                message = detached(OutboxMessage, dict(row))
                claimed.append((message, message.state in (UNCERTAIN, SENDING)))
                message.state = SENDING
            if claimed:
                ids = [message.id for message, _ in claimed if message.id is not None]
                session.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(ids))
                    .values(state=SENDING, claimed_by=self.worker_id, claimed_at=now)
                )
        return claimed

    def _send_all(self, claimed: list[tuple[OutboxMessage, bool]], follow_ups: list[str]) -> list[str]:
        """Send the claimed messages in order, each one's outcome; deliveries are recorded together where
        that is safe (bot/outbox_marks.py), and always before a message that may wait on them is sent."""
        outcomes: list[str] = []
        later: list[tuple[int, OutboxMessage, Delivered]] = []
        for message, verify in claimed:
            if later and message.kind not in RECORDED_LATER:
                self._record(later, outcomes, follow_ups)
            outcome, delivered = self._send_safely(message, verify)
            outcomes.append(outcome)
            if delivered is not None:
                later.append((len(outcomes) - 1, message, delivered))
                if message.kind not in RECORDED_LATER:
                    self._record(later, outcomes, follow_ups)
        self._record(later, outcomes, follow_ups)
        return outcomes

    def _record(
        self, later: list[tuple[int, OutboxMessage, Delivered]], outcomes: list[str], follow_ups: list[str]
    ) -> None:
        """Write the deliveries waiting in `later` (which empties) and run their hooks; in an outage each
        waits in memory until it can be written (settle_unrecorded), and counts as retrying."""
        batch, later[:] = list(later), []
        if not batch:
            return
        try:
            follow_ups.extend(self._mark_sent([(message, delivered) for _, message, delivered in batch]))
        except DatabaseUnavailable as exc:  # Slack has them: recorded as sent once the database is back
            log.warning("outbox: %d sent, but the database is unavailable to record it: %s", len(batch), exc)
            for index, message, delivered in batch:
                self._remember(message, delivered)
                outcomes[index] = RETRYING

    def _send_safely(self, message: OutboxMessage, verify: bool) -> tuple[str, Delivered | None]:
        if self._unrecorded:  # an earlier message of this batch met the outage: do not send blind
            self._remember(message, None)
            return RETRYING, None
        try:
            return self._send_one(message, verify)
        except DatabaseUnavailable as exc:  # released as soon as the database is back
            log.warning("outbox %s: database unavailable while recording the delivery: %s", message.id, exc)
            self._remember(message, None)
            return RETRYING, None

    def _remember(self, message: OutboxMessage, delivered: Delivered | None) -> None:
        assert message.id is not None
        with self._unrecorded_lock:
            self._unrecorded[message.id] = (message, delivered)

    def settle_unrecorded(self) -> bool:
        """Write the outcomes an outage kept from being written; True when none is left.

        A message Slack accepted is marked sent (its hooks run); any other goes back to the queue at
        once, "uncertain" (checked in Slack before it is sent again) — rather than waiting for its
        claim's lease to run out. Called before every delivery, so within seconds of the database's return.
        """
        with self._unrecorded_lock:
            waiting = list(self._unrecorded.items())
        for message_id, (message, delivered) in waiting:
            try:
                if delivered is not None:
                    self._mark_sent([(message, delivered)])
                else:
                    self._release(message, state=UNCERTAIN, delay=timedelta(0), error="outcome not recorded")
            except DatabaseUnavailable:
                return False
            with self._unrecorded_lock:
                self._unrecorded.pop(message_id, None)
        return True

    def _send_one(self, message: OutboxMessage, verify: bool) -> tuple[str, Delivered | None]:
        """Send one claimed message: SENT and Slack's answer (to record), or FAILED, DROPPED, WAITING, RETRYING."""
        assert self.notifier is not None
        try:
            delivered = self.notifier.deliver(message, verify=verify)
        except NotReady as exc:
            state = UNCERTAIN if verify else PENDING
            self._release(message, state=state, delay=timedelta(seconds=5), error=str(exc), count_attempt=False)
            return WAITING, None
        except TransientDeliveryError as exc:
            delay = self._backoff(message.attempts + 1)
            if exc.retry_after:
                delay = max(delay, timedelta(seconds=exc.retry_after))
            self._release(message, state=UNCERTAIN if verify else PENDING, delay=delay, error=str(exc))
            log.warning("outbox %s (%s) not sent, retrying in %ss: %s", message.id, message.kind, delay.seconds, exc)
            return RETRYING, None
        except Obsolete as exc:
            self._fail(message, str(exc), state=DROPPED)
            log.info("outbox %s (%s) dropped: %s", message.id, message.kind, exc)
            return DROPPED, None
        except PermanentDeliveryError as exc:
            self._fail(message, str(exc))
            log.error("outbox %s (%s) cannot be sent: %s", message.id, message.kind, exc)
            return FAILED, None
        except DatabaseUnavailable:  # a renderer reading the database: nothing was sent
            raise
        except Exception as exc:  # UncertainDelivery, or a bug: check before sending again
            if not isinstance(exc, UncertainDelivery):
                log.exception("outbox %s (%s): unexpected error while sending", message.id, message.kind)
            if message.attempts + 1 >= self.max_uncertain_attempts:
                self._fail(message, repr(exc))
                return FAILED, None
            self._release(message, state=UNCERTAIN, delay=self._backoff(message.attempts + 1), error=repr(exc))
            log.warning("outbox %s (%s) may not have been sent, will check: %s", message.id, message.kind, exc)
            return RETRYING, None
        return SENT, delivered

    def _backoff(self, attempts: int) -> timedelta:
        seconds = min(5 * (2 ** max(attempts - 1, 0)), self.max_backoff.total_seconds())
        return timedelta(seconds=seconds)

    def _mine(self, message: OutboxMessage) -> Any:
        return (
            (col(OutboxMessage.id) == message.id)
            & (col(OutboxMessage.claimed_by) == self.worker_id)
            & (col(OutboxMessage.state) == SENDING)
        )

    def _mark_sent(self, sent: list[tuple[OutboxMessage, Delivered]]) -> list[str]:
        """Record the deliveries and run their kinds' hooks, in one transaction; the keys of follow-ups they queued."""
        with self.db.transaction() as session:
            answers = [(message.id or 0, delivered) for message, delivered in sent]
            recorded = mark_sent(session, answers, self.worker_id, self.clock.now())
            follow_ups: list[str] = []
            by_kind: dict[str, list[tuple[OutboxMessage, Delivered]]] = {}
            for message, delivered in sent:
                if message.id not in recorded:
                    log.warning("outbox %s was reclaimed while sending; keeping the other worker's result", message.id)
                    continue
                message.state, message.sent_channel, message.sent_ts = SENT, delivered.channel, delivered.ts
                by_kind.setdefault(message.kind, []).append((message, delivered))
                for hook in self._hooks.get(message.kind, []):
                    follow_ups.extend(hook(session, message, delivered) or ())
            for kind, landed in by_kind.items():
                for many in self._many_hooks.get(kind, []):
                    many(session, landed)
            return follow_ups

    def _release(
        self, message: OutboxMessage, *, state: str, delay: timedelta, error: str, count_attempt: bool = True
    ) -> None:
        with self.db.transaction() as session:
            session.execute(
                update(OutboxMessage)
                .where(self._mine(message))
                .values(
                    state=state,
                    claimed_by=None,
                    next_attempt_at=self.clock.now() + delay,
                    last_error=error[:2000],
                    attempts=col(OutboxMessage.attempts) + (1 if count_attempt else 0),
                )
            )

    def _fail(self, message: OutboxMessage, error: str, *, state: str = FAILED) -> None:
        """Finish a message that will not be sent: FAILED (an admin should look), or DROPPED on purpose."""
        with self.db.transaction() as session:
            session.execute(
                update(OutboxMessage)
                .where(self._mine(message))
                .values(state=state, claimed_by=None, last_error=error[:2000], attempts=col(OutboxMessage.attempts) + 1)
            )
