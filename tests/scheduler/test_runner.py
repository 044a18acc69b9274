"""The APScheduler wiring: which jobs, how they may overlap, start and stop with the app, and one real run."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.triggers.interval import IntervalTrigger
from waitress import wasyncore

from bot.cases import NewCase
from bot.clock import ManualClock, SystemClock
from bot.database import Database
from bot.devtools.fake_slack import Call, FakeSlack
from bot.runtime import Runtime
from knowledge.search import KnowledgeIndex
from scheduler import jobs
from scheduler.runner import (
    DIGEST_INTERVAL,
    FAQ_SYNC_INTERVAL,
    INTAKE_INTERVAL,
    OUTBOX_INTERVAL,
    PRUNE_INTERVAL,
    build_scheduler,
)
from tests.harness import AppHarness, make_config, make_runtime


@pytest.fixture
def runtime(sqlite_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex) -> Runtime:
    """The wiring does not depend on the database: SQLite only, with a 45 s sweep interval."""
    config = make_config(sla={"check_interval": "45s"})
    return make_runtime(fake=fake_slack, db=sqlite_db, clock=clock, config=config, index=knowledge_index)


def test_one_job_per_periodic_task_never_overlapping(runtime: Runtime) -> None:
    scheduler = build_scheduler(runtime.services)
    by_id = {job.id: job for job in scheduler.get_jobs()}
    assert set(by_id) == {"intake", "sla_sweep", "deliver_outbox", "prune_events", "faq_sync", "weekly_digest"}
    expected = {
        "intake": INTAKE_INTERVAL,
        "sla_sweep": timedelta(seconds=45),
        "deliver_outbox": OUTBOX_INTERVAL,
        "prune_events": PRUNE_INTERVAL,
        "faq_sync": FAQ_SYNC_INTERVAL,
        "weekly_digest": DIGEST_INTERVAL,
    }
    for job_id, every in expected.items():
        job = by_id[job_id]
        assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval == every
        assert job.max_instances == 1 and job.coalesce is True  # no two sweeps at once; missed runs fold into one
        assert job.misfire_grace_time == int(every.total_seconds())
    assert not scheduler.running  # built with the app, started only when it serves


def test_the_sweep_job_runs_the_plain_sweep_function(
    runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    runtime.services.cases.open(NewCase(title="ログインできない", priority="高"), reporter="U0CUSTOMER")
    clock.advance(timedelta(hours=2, minutes=1))
    runtime.scheduler.get_job("sla_sweep").func()
    (page,) = [m for m in fake_slack.messages("C0EMERG") if m.get("thread_ts", m["ts"]) != m["ts"]]  # the re-page
    assert "<@U0ONCALL1>" in page["text"]


def test_a_failing_job_is_logged_and_does_not_escape(
    sqlite_db: Database,
    clock: ManualClock,
    fake_slack: FakeSlack,
    knowledge_index: KnowledgeIndex,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*uses: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(jobs, "run_sla_sweep", broken)
    runtime = make_runtime(fake=fake_slack, db=sqlite_db, clock=clock, index=knowledge_index)
    with caplog.at_level(logging.ERROR, logger="scheduler.runner"):
        runtime.scheduler.get_job("sla_sweep").func()  # the scheduler would run it again next interval
    assert "scheduled job sla_sweep failed" in caplog.text and "database went away" in caplog.text


def test_started_and_stopped_with_the_app(runtime: Runtime) -> None:
    runtime.start_scheduler()
    runtime.start_scheduler()  # idempotent
    assert runtime.scheduler.running
    runtime.stop()
    assert not runtime.scheduler.running
    runtime.stop()  # a second stop (signal, then atexit) is harmless


def test_sigterm_stops_the_server_and_the_scheduler_cleanly(runtime: Runtime) -> None:
    """serve_http installs its own SIGTERM handler, and on SIGTERM drains, stops the jobs and returns."""
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: received.append(signum))
    seen_running: list[bool] = []

    def send_sigterm_once_serving() -> None:
        """Polls for the app to be up (no hook says so), then sends SIGTERM; no job is waited for."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if runtime.scheduler.running and signal.getsignal(signal.SIGTERM) is not mine:
                seen_running.append(True)
                signal.raise_signal(signal.SIGTERM)
                return
            time.sleep(0.01)

    mine = signal.getsignal(signal.SIGTERM)
    killer = threading.Thread(target=send_sigterm_once_serving)
    try:
        killer.start()
        runtime.serve_http(host="127.0.0.1", port=0, threads=2)  # returns once SIGTERM is handled
        killer.join(timeout=5)
        assert seen_running == [True] and received == []  # the app's handler took it, not ours
        assert not runtime.scheduler.running
        assert signal.getsignal(signal.SIGTERM) is mine  # the previous handler is back
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- end to end: the real scheduler on real time -----------------------------------------------------------


@pytest.fixture
def live(sqlite_db: Database, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex) -> Iterator[AppHarness]:
    """The app over HTTP on the system clock, sweeping every second, with a two-second target for high cases."""
    config = make_config(
        sla={"check_interval": "1s", "high": {"target": "2s", "calendar": "24x7"}},
        oncall={"rotation": ["U0ONCALL1"]},  # whatever today's date, U0ONCALL1 is on call
    )
    harness = AppHarness(fake=fake_slack, db=sqlite_db, clock=SystemClock(), config=config, index=knowledge_index)
    yield harness
    if harness.runtime.scheduler.running:
        harness.runtime.scheduler.shutdown(wait=True)
    server = harness.server  # closed from inside waitress's loop: AppHarness.stop() waits for its 1 s timeout

    def close_in_loop() -> None:
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)

    server.trigger.pull_trigger(close_in_loop)
    harness._thread.join(timeout=5)
    harness.stop()


def _is_breach_page(call: Call) -> bool:
    key = ((call.args.get("metadata") or {}).get("event_payload") or {}).get("key", "")
    return call.fault is None and call.args.get("channel") == "C0EMERG" and ":breach:" in key


@pytest.mark.e2e
def test_a_high_case_opened_by_slash_command_is_paged_once_by_the_running_scheduler(
    live: AppHarness, fake_slack: FakeSlack
) -> None:
    sweeps: list[JobExecutionEvent] = []
    swept = threading.Condition()

    def on_executed(event: JobExecutionEvent) -> None:
        if event.job_id == "sla_sweep":
            with swept:
                sweeps.append(event)
                swept.notify_all()

    response = live.command("/case", "高 ログインできない", user="U0AGENT", channel="C0CASES")
    assert response.status == 200
    fake_slack.wait_for_calls("chat.postMessage", where=lambda c: c.args.get("channel") == "C0CASES")  # the card
    live.runtime.scheduler.add_listener(on_executed, EVENT_JOB_EXECUTED)
    live.runtime.start_scheduler()

    (page,) = fake_slack.wait_for_calls("chat.postMessage", where=_is_breach_page, timeout=8)
    assert "<@U0ONCALL1>" in page.args["text"] and "#1" in page.args["text"]
    # Let the next sweep run (an event from the scheduler, not a sleep): the page is not sent again.
    paged_at = datetime.now(UTC)
    with swept:
        assert swept.wait_for(lambda: any(e.scheduled_run_time > paged_at for e in sweeps), timeout=5)
    assert len([c for c in fake_slack.calls("chat.postMessage") if _is_breach_page(c)]) == 1
    assert all(event.exception is None for event in sweeps)
