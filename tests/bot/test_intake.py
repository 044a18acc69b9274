"""Durable intake (issue 14): recorded before the ack, opened exactly once, in order, after outages and crashes."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.database import Database, DatabaseUnavailable
from bot.intake import GRACE, KEEP_DONE, PRUNE_EVERY, Intake, IntakeState, Received, Source, Unavailable, _values
from bot.intake_batch import open_prepared as real_open
from bot.intake_writer import IntakeWriter
from bot.models import Case, IntakeRequest, OutboxMessage
from bot.outbox_kinds import OutboxKind
from bot.spool import Spool
from tests.bot.test_cases import Desk, build_desk


class Switch:
    """The database as the intake sees it: reachable, or not (as when PostgreSQL is down)."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.down = False
        transaction, ping = db.transaction, db.ping

        def guarded() -> Any:
            if self.down:
                raise DatabaseUnavailable("connection refused")
            return transaction()

        insert_rows = IntakeWriter.insert_rows

        def writing(writer: IntakeWriter, rows: list[dict[str, Any]]) -> None:  # the writer's own connection
            if self.down:
                raise DatabaseUnavailable("connection refused")
            insert_rows(writer, rows)

        monkeypatch.setattr(db, "transaction", guarded)
        monkeypatch.setattr(IntakeWriter, "insert_rows", writing)
        monkeypatch.setattr(db, "ping", lambda: not self.down and ping())


@pytest.fixture
def desk(db: Database, clock: ManualClock) -> Desk:
    return build_desk(db, clock)


def make_intake(desk: Desk, spool_dir: Path | None) -> Intake:
    spool = Spool(spool_dir) if spool_dir is not None else None
    return Intake(desk.db, desk.clock, desk.service, desk.service.outbox, spool)


def request(n: int, priority: str = "中", user: str = "U0CUSTOMER") -> Received:
    case = {"title": f"ログインできない {n}", "priority": priority, "description": None, "origin_channel": "C0FAQ"}
    return Received(
        user=user,
        channel="C0FAQ",
        text=f"{priority} ログインできない {n}",
        case=case,
        team="T0TEAM",
        trigger_id=f"trigger.{n}",
        response_url=f"https://hooks.slack.test/response/{n}",
    )


def rows(desk: Desk) -> list[IntakeRequest]:
    with desk.db.transaction() as session:
        return list(session.exec(select(IntakeRequest).order_by(IntakeRequest.id)).all())


def cases(desk: Desk) -> list[Case]:
    with desk.db.transaction() as session:
        return list(session.exec(select(Case).order_by(Case.number)).all())


def replies(desk: Desk) -> list[OutboxMessage]:
    with desk.db.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.INTAKE_REPLY)
        return list(session.exec(query).all())


def test_a_request_is_one_row_however_often_it_is_recorded(desk: Desk, tmp_path: Path) -> None:
    intake = make_intake(desk, tmp_path)
    first = intake.receive(request(1))
    again = intake.receive(request(1))
    assert first == again and not first.spooled
    assert [r.request_id for r in rows(desk)] == [first.request_id]
    assert request(1).request_id != request(2).request_id


def test_a_recorded_request_opens_one_case_with_its_confirmation(desk: Desk, tmp_path: Path) -> None:
    intake = make_intake(desk, tmp_path)
    receipt = intake.receive(request(1, "高"))
    change = intake.process(receipt.request_id)
    assert change is not None and change.case.number == 1
    assert intake.process(receipt.request_id) is None  # done: never a second case
    (row,) = rows(desk)
    assert row.state == IntakeState.DONE and row.case_id == change.case.id
    (reply,) = replies(desk)
    assert reply.case_id == change.case.id and reply.payload["response_url"].endswith("/1")
    assert reply.payload["paged"] is not None and reply.payload["late"] is False
    assert "intake.reply" in desk.recorder.kinds()  # delivered with the card, right after the commit


def test_a_listener_opens_the_waiting_requests_with_its_own_in_one_transaction(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake = make_intake(desk, tmp_path)
    receipts = [intake.receive(request(n, "高" if n == 2 else "中")) for n in range(4)]
    too_long = request(9)
    too_long.case["title"] = "あ" * 500  # the rules changed since its ack
    intake.receive(too_long)
    opening = []
    monkeypatch.setattr("bot.intake_batch.open_prepared", lambda *a: opening.append(len(a[2])) or real_open(*a))
    change = intake.process(receipts[2].request_id)
    assert opening == [4]  # the four cases in one go
    assert change is not None and change.case.title == "ログインできない 2" and change.paged is not None
    opened = cases(desk)
    assert [(c.number, c.title) for c in opened] == [(n + 1, f"ログインできない {n}") for n in range(4)]  # as received
    assert [r.state for r in rows(desk)] == [IntakeState.DONE] * 4 + [IntakeState.REFUSED]
    assert [r.case_id for r in rows(desk)] == [c.id for c in opened] + [None]
    kinds = desk.recorder.kinds()
    assert kinds.count("case.card") == 4 and kinds.count("intake.reply") == 5 and kinds.count("case.emergency") == 1
    assert all(intake.process(r.request_id) is None for r in receipts)  # their listeners find them done
    other_replica = make_intake(desk, tmp_path / "other")
    assert all(other_replica.process(r.request_id) is None for r in receipts)  # from the database too
    assert len(cases(desk)) == 4 and len(replies(desk)) == 5


def test_spooled_and_failing_requests_are_left_to_the_worker(desk: Desk, tmp_path: Path) -> None:
    intake = make_intake(desk, tmp_path)
    mine = intake.receive(request(1))
    spooled = _values({**vars_of(request(2)), "received_at": desk.clock.now()}, Source.SPOOL)
    failing = _values({**vars_of(request(3)), "received_at": desk.clock.now()}, Source.DATABASE) | {"attempts": 1}
    with desk.db.transaction() as session:
        session.add_all([IntakeRequest(**spooled), IntakeRequest(**failing)])
    assert intake.process(mine.request_id) is not None
    assert [r.state for r in rows(desk)] == [IntakeState.DONE, IntakeState.PENDING, IntakeState.PENDING]


def test_two_replicas_carrying_out_one_request_open_one_case(desk: Desk, tmp_path: Path) -> None:
    intake = make_intake(desk, tmp_path)
    receipt = intake.receive(request(1))
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: intake.process(receipt.request_id), range(4)))
    assert len([o for o in outcomes if o is not None]) == 1
    assert [c.number for c in cases(desk)] == [1] and len(replies(desk)) == 1


def test_during_an_outage_requests_are_spooled_and_opened_in_order_once_it_is_back(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake = make_intake(desk, tmp_path)
    switch = Switch(desk.db, monkeypatch)
    switch.down = True
    received_at = []
    for n in range(3):
        received_at.append(desk.clock.now())
        assert intake.receive(request(n, "高" if n == 1 else "中")).spooled
        desk.clock.advance(timedelta(seconds=20))
    assert intake.run().opened == []  # still down: nothing lost, nothing done
    assert len(list(tmp_path.glob("*.spool"))) == 1

    switch.down = False
    desk.clock.advance(timedelta(minutes=1))
    report = intake.run()
    assert report.replayed == 3 and report.opened == [1, 2, 3]
    assert list(tmp_path.glob("*.spool")) == []
    opened = cases(desk)
    assert [c.title for c in opened] == [f"ログインできない {n}" for n in range(3)]  # in the order received
    assert [c.created_at for c in opened] == received_at  # the SLA clock starts at receipt
    assert opened[1].due_at == received_at[1] + timedelta(hours=2)
    assert all(r.source == Source.SPOOL and r.state == IntakeState.DONE for r in rows(desk))
    assert all(r.payload["late"] for r in replies(desk))
    assert desk.recorder.kinds().count("case.emergency") == 1  # the high one paged as soon as it opened
    (page,) = outbox(desk, OutboxKind.PAGE)
    assert page.payload["received_at"] == received_at[1].isoformat()  # and the page says when it was received
    assert intake.run().opened == []  # and only once


def test_a_case_opened_at_once_pages_without_a_receipt_time(desk: Desk, tmp_path: Path) -> None:
    intake = make_intake(desk, tmp_path)
    intake.process(intake.receive(request(1, "高")).request_id)
    (page,) = outbox(desk, OutboxKind.PAGE)
    assert "received_at" not in page.payload


def outbox(desk: Desk, kind: str) -> list[OutboxMessage]:
    with desk.db.transaction() as session:
        found = list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)).all())
        session.expunge_all()
        return found


def test_a_request_left_by_a_replica_that_died_is_opened_by_the_worker(desk: Desk, tmp_path: Path) -> None:
    intake = make_intake(desk, tmp_path)
    receipt = intake.receive(request(1))  # acked; the replica dies before opening it
    assert intake.run().opened == []  # fresh: its own replica may still be opening it
    desk.clock.advance(GRACE + timedelta(seconds=1))
    assert intake.run().opened == [1]
    assert intake.process(receipt.request_id) is None


def test_the_intake_job_asks_for_its_turn_before_each_batch(desk: Desk, tmp_path: Path) -> None:
    """Between batches the job gives way to the acks of the web front (bot/ack_priority.py); the
    requests a batch took with the first are not asked for again."""
    intake = make_intake(desk, tmp_path)
    turns: list[int] = []
    intake.pace = lambda: turns.append(len(cases(desk)))
    for n in range(3):
        intake.receive(request(n))
    desk.clock.advance(GRACE * 2)
    assert intake.run().opened == [1, 2, 3]
    assert turns == [0]  # asked for before the batch that opened all three
    intake.receive(request(9))
    desk.clock.advance(GRACE * 2)
    assert intake.run().opened == [4]
    assert turns == [0, 3]


def test_a_spool_left_by_a_dead_process_is_replayed_by_the_next(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    switch = Switch(desk.db, monkeypatch)
    switch.down = True
    before_crash = make_intake(desk, tmp_path)
    assert before_crash.receive(request(1)).spooled
    assert before_crash.spool is not None and before_crash.spool._fd is not None
    os.close(before_crash.spool._fd)  # as at kill -9: the file's lock goes with the process
    switch.down = False
    restarted = make_intake(desk, tmp_path)
    assert restarted.run().opened == [1]


def test_without_database_or_spool_the_request_is_not_acknowledged_as_received(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Switch(desk.db, monkeypatch).down = True
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(Unavailable):
        make_intake(desk, blocked / "spool").receive(request(1))
    with pytest.raises(Unavailable):
        make_intake(desk, None).receive(request(1))


def test_a_request_that_cannot_be_opened_any_more_is_refused_through_the_outbox(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake = make_intake(desk, tmp_path)
    bad = request(1)
    bad.case["title"] = "あ" * 500  # checked before the ack in Slack; here the rules changed meanwhile
    receipt = intake.receive(bad)
    assert intake.process(receipt.request_id) is None
    (row,) = rows(desk)
    assert row.state == IntakeState.REFUSED and cases(desk) == []
    (reply,) = replies(desk)
    assert reply.payload["error"] == "case.error.title_too_long"


def test_requests_arriving_together_are_committed_together(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = IntakeWriter(desk.db)
    transactions = []
    real = writer.insert_rows

    def counted(rows: list[dict[str, Any]]) -> None:
        transactions.append(1)
        time.sleep(0.05)  # a commit takes a while: requests queue up behind it
        real(rows)

    monkeypatch.setattr(writer, "insert_rows", counted)
    rows_ = [_values({**vars_of(request(n)), "received_at": desk.clock.now()}, Source.DATABASE) for n in range(40)]
    with ThreadPoolExecutor(20) as pool:
        list(pool.map(writer.write, rows_))
    writer.close()
    assert len(rows(desk)) == 40 and len(transactions) < 20


def test_a_database_that_hangs_is_an_outage_for_the_ack(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = IntakeWriter(desk.db, timeout=0.1)
    release = threading.Event()
    real = writer.insert_rows

    def hanging(rows: list[dict[str, Any]]) -> None:
        release.wait(5)
        real(rows)

    monkeypatch.setattr(writer, "insert_rows", hanging)
    row = _values({**vars_of(request(1)), "received_at": desk.clock.now()}, Source.DATABASE)
    with pytest.raises(DatabaseUnavailable):
        writer.write(row)  # the request is spooled and acked instead; if this commits later, it is one row
    release.set()
    writer.close()


def vars_of(received: Received) -> dict[str, Any]:
    return {"request_id": received.request_id, "kind": "case.open", "payload": dataclasses.asdict(received)}


def test_requests_carried_out_long_ago_are_deleted_by_the_intake_job(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake = make_intake(desk, tmp_path)
    for n in range(3):
        intake.process(intake.receive(request(n)).request_id)
    monkeypatch.setattr("bot.intake.MAX_ATTEMPTS", 1)
    monkeypatch.setattr(desk.service, "open", lambda *a, **k: 1 / 0)  # a bug: this one fails, for an admin
    monkeypatch.setattr("bot.intake_batch.open_prepared", lambda *a, **k: 1 / 0)  # in a batch too
    intake.receive(request(9))
    desk.clock.advance(GRACE * 2)
    assert intake.run().opened == [] and rows(desk)[-1].state == IntakeState.FAILED
    desk.clock.advance(KEEP_DONE - timedelta(minutes=1))
    assert intake.prune(force=True) == 0  # not old enough yet
    desk.clock.advance(PRUNE_EVERY)
    assert intake.run().pruned == 3
    assert [r.state for r in rows(desk)] == [IntakeState.FAILED]  # kept for an admin
    assert len(cases(desk)) == 3  # the cases stay, of course
    assert intake.run().pruned == 0


def test_on_sqlite_the_writer_tries_again_as_soon_as_the_write_lock_is_free(
    sqlite_db: Database, clock: ManualClock
) -> None:
    """SQLite's own wait sleeps up to 100 ms between tries; the writer polls every millisecond instead."""
    desk = build_desk(sqlite_db, clock)
    writer = IntakeWriter(desk.db)
    row = _values({**vars_of(request(1)), "received_at": clock.now()}, Source.DATABASE)
    written = threading.Event()

    def write() -> None:
        writer.write(row)
        written.set()

    with sqlite_db.engine.connect() as other:
        holding = other.begin()  # BEGIN IMMEDIATE: a case being opened holds the write lock
        thread = threading.Thread(target=write)
        thread.start()
        assert not written.wait(0.2)
        holding.commit()
        assert written.wait(1.0)
    thread.join()
    writer.close()
    assert len(rows(desk)) == 1
