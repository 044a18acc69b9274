from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.database import Database, DatabaseUnavailable
from bot.models import OutboxMessage
from bot.notify import (
    Delivered,
    NotReady,
    Obsolete,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDelivery,
)
from bot.outbox import DROPPED, FAILED, PENDING, SENT, UNCERTAIN, Outbox, enqueue


class Recorder:
    """A notifier that records deliveries and fails on request."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bool]] = []
        self.failures: dict[str, list[Exception]] = {}
        self.lock = threading.Lock()

    def fail(self, key: str, *errors: Exception) -> None:
        self.failures.setdefault(key, []).extend(errors)

    def deliver(self, message: OutboxMessage, *, verify: bool) -> Delivered:
        with self.lock:
            errors = self.failures.get(message.dedupe_key)
            if errors:
                raise errors.pop(0)
            self.sent.append((message.dedupe_key, verify))
            return Delivered(channel="C1", ts=f"{len(self.sent)}.0")


def add(db: Database, clock: ManualClock, key: str, kind: str = "test") -> bool:
    with db.transaction() as session:
        return enqueue(session, kind=kind, key=key, now=clock.now(), payload={"n": 1})


def state(db: Database, key: str) -> OutboxMessage:
    outbox = Outbox(db, ManualClock())
    message = outbox.get(key)
    assert message is not None
    return message


def test_enqueue_is_idempotent_by_key(db: Database, clock: ManualClock) -> None:
    assert add(db, clock, "a")
    assert not add(db, clock, "a")
    recorder = Recorder()
    report = Outbox(db, clock, recorder).deliver()
    assert len(report.sent) == 1
    assert recorder.sent == [("a", False)]
    assert state(db, "a").state == SENT and state(db, "a").sent_ts == "1.0"


def test_sent_messages_are_not_sent_again(db: Database, clock: ManualClock) -> None:
    add(db, clock, "a")
    recorder = Recorder()
    outbox = Outbox(db, clock, recorder)
    outbox.deliver()
    outbox.deliver()
    Outbox(db, clock, recorder).deliver()  # a restart: a new process, the same database
    assert recorder.sent == [("a", False)]


def test_transient_failure_is_retried_after_backoff(db: Database, clock: ManualClock) -> None:
    add(db, clock, "a")
    recorder = Recorder()
    recorder.fail("a", TransientDeliveryError("rate limited", retry_after=30))
    outbox = Outbox(db, clock, recorder)
    assert outbox.deliver().retrying
    assert state(db, "a").state == PENDING and state(db, "a").attempts == 1
    assert not outbox.deliver().sent  # not due yet
    clock.advance(timedelta(seconds=31))
    assert outbox.deliver().sent
    assert recorder.sent == [("a", False)]


def test_uncertain_delivery_is_verified_before_sending_again(db: Database, clock: ManualClock) -> None:
    add(db, clock, "a")
    recorder = Recorder()
    recorder.fail("a", UncertainDelivery("HTTP 500 after sending"))
    outbox = Outbox(db, clock, recorder)
    outbox.deliver()
    assert state(db, "a").state == UNCERTAIN
    clock.advance(timedelta(minutes=1))
    outbox.deliver()
    assert recorder.sent == [("a", True)]  # the second attempt was told to check first


def test_permanent_failure_stops(db: Database, clock: ManualClock) -> None:
    add(db, clock, "a")
    recorder = Recorder()
    recorder.fail("a", PermanentDeliveryError("channel_not_found"))
    outbox = Outbox(db, clock, recorder)
    assert outbox.deliver().failed
    clock.advance(timedelta(hours=1))
    outbox.deliver()
    assert state(db, "a").state == FAILED and "channel_not_found" in (state(db, "a").last_error or "")
    assert recorder.sent == []


def test_not_ready_waits_without_counting_an_attempt(db: Database, clock: ManualClock) -> None:
    add(db, clock, "a")
    recorder = Recorder()
    recorder.fail("a", NotReady("card not posted"))
    outbox = Outbox(db, clock, recorder)
    outbox.deliver()
    assert state(db, "a").attempts == 0
    clock.advance(timedelta(seconds=6))
    assert outbox.deliver().sent


def test_a_crashed_claim_is_taken_over_after_the_lease_and_verified(db: Database, clock: ManualClock) -> None:
    add(db, clock, "a")
    crashed = Outbox(db, clock, Recorder(), worker_id="dead")
    claimed = crashed._claim(ids=None, limit=10)  # claimed, then the process died before sending
    assert len(claimed) == 1
    recorder = Recorder()
    survivor = Outbox(db, clock, recorder, worker_id="alive", lease=timedelta(minutes=5))
    assert not survivor.deliver().sent  # still leased to the dead worker
    clock.advance(timedelta(minutes=6))
    assert survivor.deliver().sent
    assert recorder.sent == [("a", True)]


def test_sent_hooks_run_with_the_delivery(db: Database, clock: ManualClock) -> None:
    add(db, clock, "card", kind="card")
    seen: list[str | None] = []
    outbox = Outbox(db, clock, Recorder())
    outbox.on_sent("card", lambda session, message, delivered: seen.append(delivered.ts))
    outbox.deliver_keys(["card"])
    assert seen == ["1.0"]


def test_deliver_keys_sends_only_those(db: Database, clock: ManualClock) -> None:
    add(db, clock, "a")
    add(db, clock, "b")
    recorder = Recorder()
    Outbox(db, clock, recorder).deliver_keys(["b"])
    assert recorder.sent == [("b", False)]


def test_concurrent_workers_send_each_message_once(db: Database, clock: ManualClock) -> None:
    for n in range(40):
        add(db, clock, f"m{n}")
    recorder = Recorder()
    workers = [Outbox(db, clock, recorder, worker_id=f"w{i}") for i in range(4)]
    barrier = threading.Barrier(len(workers))

    def run(outbox: Outbox) -> None:
        barrier.wait()
        for _ in range(3):
            outbox.deliver(limit=7)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [key for key, _ in recorder.sent]
    assert sorted(keys) == sorted(f"m{n}" for n in range(40))


def test_a_follow_up_queued_by_a_hook_is_sent_in_the_same_delivery(db: Database, clock: ManualClock) -> None:
    add(db, clock, "page", kind="page")
    recorder = Recorder()
    outbox = Outbox(db, clock, recorder)

    def refresh(session: Any, message: OutboxMessage, delivered: Delivered) -> list[str]:
        enqueue(session, kind="card", key=f"{message.dedupe_key}:card", now=clock.now())
        return [f"{message.dedupe_key}:card"]

    outbox.on_sent("page", refresh)
    report = outbox.deliver_keys(["page"])
    assert [key for key, _ in recorder.sent] == ["page", "page:card"]
    assert len(report.sent) == 2


def test_a_message_dropped_on_purpose_is_stored_as_dropped_not_failed(db: Database, clock: ManualClock) -> None:
    """A page nobody needs any more (the case was answered) is dropped; it is no failure for an admin to chase."""
    add(db, clock, "page")
    add(db, clock, "broken")
    recorder = Recorder()
    recorder.fail("page", Obsolete("the case was acknowledged"))
    recorder.fail("broken", PermanentDeliveryError("channel_not_found"))
    report = Outbox(db, clock, recorder).deliver()
    assert (len(report.dropped), len(report.failed)) == (1, 1)
    assert state(db, "page").state == DROPPED and state(db, "page").last_error == "the case was acknowledged"
    assert state(db, "broken").state == FAILED


class Outage:
    """Makes the database unreachable for the outbox from a given moment (e.g. while Slack is called)."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.down = False
        real = db.transaction

        def transaction() -> Any:
            if self.down:
                raise DatabaseUnavailable("connection refused")
            return real()

        monkeypatch.setattr(db, "transaction", transaction)


class CuttingRecorder(Recorder):
    """Slack accepts the message, and the database goes away before the outcome is written."""

    def __init__(self, outage: Outage, *, fail: Exception | None = None) -> None:
        super().__init__()
        self.outage: Outage | None = outage
        self.error = fail

    def deliver(self, message: OutboxMessage, *, verify: bool) -> Delivered:
        if self.outage is not None:  # once
            self.outage.down, self.outage = True, None
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return super().deliver(message, verify=verify)


def test_a_send_that_cannot_be_recorded_is_recorded_as_soon_as_the_database_returns(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: the claim stayed for the whole lease (two minutes) after the database came back."""
    add(db, clock, "a")
    add(db, clock, "b")
    outage = Outage(db, monkeypatch)
    recorder = CuttingRecorder(outage)
    outbox = Outbox(db, clock, recorder)
    report = outbox.deliver()
    assert report.retrying and not report.sent
    assert [key for key, _ in recorder.sent] == ["a"]  # "b" was not sent blind while nothing could be recorded
    assert not outbox.deliver().sent  # still down: nothing sent, nothing lost
    outage.down = False
    clock.advance(timedelta(seconds=1))  # seconds, not the two-minute lease
    outbox.deliver()
    assert state(db, "a").state == SENT and state(db, "a").sent_ts == "1.0"  # Slack's answer kept
    assert state(db, "b").state == SENT
    assert [key for key, _ in recorder.sent] == ["a", "b"]  # "a" not sent twice


def test_an_outcome_lost_with_the_database_is_checked_in_slack_at_once(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(db, clock, "a")
    outage = Outage(db, monkeypatch)
    outbox = Outbox(db, clock, CuttingRecorder(outage, fail=UncertainDelivery("HTTP 500")))
    outbox.deliver()
    outage.down = False
    assert outbox.settle_unrecorded()
    message = state(db, "a")
    assert message.state == UNCERTAIN and message.claimed_by is None and message.next_attempt_at <= clock.now()
    recorder = Recorder()
    Outbox(db, clock, recorder).deliver()  # another replica, a second later
    assert recorder.sent == [("a", True)]  # checked for an earlier landing before posting
