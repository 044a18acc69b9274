"""The SLA sweep against the real services and the fake Slack: warnings, pages, CS Lead pings, exactly once."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, text, update
from sqlmodel import Session

from bot.cases import NewCase
from bot.clock import ManualClock
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from bot.errors import UserFacingError
from bot.models import Case, CaseEvent, OutboxMessage
from bot.outbox import PENDING, SENT, UNCERTAIN
from bot.runtime import Runtime
from bot.sla_clock import SweepReport, breach_sequence
from bot.slack.case_blocks import ACTION_ACK
from knowledge.search import KnowledgeIndex
from scheduler import jobs, sla_sweep
from scheduler.sla_sweep import SWEEP_LOCK, run_sla_sweep
from tests.harness import find_button, make_config, make_runtime

JST = ZoneInfo("Asia/Tokyo")
M = timedelta(minutes=1)
H = timedelta(hours=1)

# The test config: high = 2h around the clock, warnings at 75 % (1h30m), pages repeated every 30m.
# At the `clock` fixture's Monday 10:30 JST, U0ONCALL1 is on call until Monday 11/23 10:00.


# --- helpers ------------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_runtime(
    sqlite_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> Runtime:
    """For tests of who and what a notification names: nothing there depends on the database."""
    return make_runtime(fake=fake_slack, db=sqlite_db, clock=clock, index=knowledge_index)


def open_case(runtime: Runtime, priority: str = "高", title: str = "ログインできない") -> Case:
    return runtime.services.cases.open(NewCase(title=title, priority=priority), reporter="U0CUSTOMER").case


def sweep(runtime: Runtime) -> SweepReport:
    """What the scheduled job does: decide, queue and deliver."""
    services = runtime.services
    return run_sla_sweep(services.sla, services.db, services.outbox, services.clock)


def decide(runtime: Runtime, session: Session) -> SweepReport:
    """One batch decided and queued in the caller's transaction, nothing delivered (a process that dies next)."""
    return runtime.services.sla.sweep(session, runtime.services.clock.now(), limit=sla_sweep.BATCH)


def outbox_key(message: dict[str, Any]) -> str:
    """The outbox key a bot message carries in its Slack metadata ("" for other messages)."""
    return str(((message.get("metadata") or {}).get("event_payload") or {}).get("key", ""))


def sla_posts(fake: FakeSlack, channel: str, kind: str) -> list[dict[str, Any]]:
    """Messages that landed in `channel` (thread replies included) from outbox keys `sla:<id>:<kind>:…`."""
    return [
        m for m in fake.messages(channel) if outbox_key(m).startswith("sla:") and outbox_key(m).split(":")[2] == kind
    ]


def pages(fake: FakeSlack) -> list[dict[str, Any]]:
    """The re-pages: replies in the thread of the case's page in the emergency channel."""
    return sla_posts(fake, "C0EMERG", "breach")


def the_page(fake: FakeSlack) -> dict[str, Any]:
    """The case's one message in the emergency channel (the page when it opened), as it reads now."""
    (page,) = [m for m in fake.messages("C0EMERG") if m.get("thread_ts", m["ts"]) == m["ts"]]
    return page


def dms(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    """Breach DMs to `user` (the fake keeps a DM under "D" + the user ID)."""
    return [m for m in sla_posts(fake, user, "breach") if outbox_key(m).endswith(":dm")]


def card_of(fake: FakeSlack, case: Case) -> dict[str, Any]:
    (card,) = [m for m in fake.messages("C0CASES") if outbox_key(m) == f"case:{case.id}:card"]
    return card


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def reload(runtime: Runtime, case: Case) -> Case:
    return runtime.services.cases.get(case.number)


# --- warning -----------------------------------------------------------------------------------------


def test_warning_once_in_the_case_thread_at_warn_at(
    runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    case = open_case(runtime)
    clock.advance(90 * M - timedelta(seconds=1))
    assert sweep(runtime).warnings == []
    clock.advance(timedelta(seconds=1))
    assert sweep(runtime).warnings == [case.number]
    (warning,) = sla_posts(fake_slack, "C0CASES", "warning")
    assert warning["thread_ts"] == card_of(fake_slack, case)["ts"]
    assert "初期対応期限まで残り30分" in warning["text"]
    clock.advance(10 * M)
    sweep(runtime)
    assert len(sla_posts(fake_slack, "C0CASES", "warning")) == 1
    assert pages(fake_slack) == []


def test_an_acknowledged_case_gets_no_warning_and_no_page(
    sqlite_runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    runtime = sqlite_runtime
    case = open_case(runtime)
    runtime.services.cases.acknowledge(case.number, "U0AGENT")
    assert reload(runtime, case).sla_check_at is None
    clock.advance(3 * H)
    report = sweep(runtime)
    assert report.examined == 0
    assert sla_posts(fake_slack, "C0CASES", "warning") == [] and pages(fake_slack) == []


def test_a_case_looked_at_before_its_warning_time_is_warned_later_not_skipped(
    sqlite_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    """[sla] warn_at went from 50 % to 75 % after the case was opened: its stored check is now early."""
    before = make_config(sla={"warn_at": 0.5})
    open_case(make_runtime(fake=fake_slack, db=sqlite_db, clock=clock, config=before, index=knowledge_index))
    runtime = make_runtime(fake=fake_slack, db=sqlite_db, clock=clock, index=knowledge_index)
    clock.advance(H)
    report = sweep(runtime)
    assert report.examined == 1 and report.warnings == []
    clock.advance(30 * M)
    assert sweep(runtime).warnings == [1]
    assert len(sla_posts(fake_slack, "C0CASES", "warning")) == 1


# --- breach: high ------------------------------------------------------------------------------------


def test_high_breach_pages_the_emergency_channel_and_dms_the_on_call_person(
    runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    case = open_case(runtime, title="決済が <!channel> 失敗する")
    clock.advance(2 * H + 5 * M)
    report = sweep(runtime)
    assert report.breaches == [case.number]
    (page,) = pages(fake_slack)  # a re-page: a reply under the page, mentioning the person on call
    first = the_page(fake_slack)
    assert page["thread_ts"] == first["ts"] and page["text"].startswith("🔁 再通知 1回目")
    assert "<@U0ONCALL1>" in page["text"] and "#1" in page["text"] and "5分超過" in page["text"]
    assert "<!channel>" not in page["text"]  # the title is user text: no @channel ping
    card = card_of(fake_slack, case)
    assert f"C0CASES/p{card['ts'].replace('.', '')}" in str(page["blocks"])  # links the case message
    assert "🔁 再通知 1回目 · 起票から2時間5分 (期限を5分超過)" in first["text"]  # the page, edited in place
    button, _ = find_button(first, ACTION_ACK)
    assert button["text"]["text"] == "対応開始" and button["value"] == str(case.number)
    (dm,) = dms(fake_slack, "U0ONCALL1")
    assert "あなたがオンコール担当です" in dm["text"] and "#1" in dm["text"]
    find_button(dm, ACTION_ACK)
    # The sweep also keeps a trail on the case.
    events = runtime.services.cases.details(case.number).events
    assert [e.new_value for e in events if e.kind == "sla_breach"] == ["1"]


def test_a_re_page_calls_an_override_then_the_chain_adds_the_secondary(
    sqlite_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    config = make_config(oncall={"secondary": ["U0BACKUP1", "U0BACKUP2"]})
    runtime = make_runtime(fake=fake_slack, db=sqlite_db, clock=clock, config=config, index=knowledge_index)
    open_case(runtime)
    runtime.services.oncall.set_override("U0AGENT2", None, "U0AGENT")
    clock.advance(2 * H + M)
    sweep(runtime)
    (page,) = pages(fake_slack)
    assert "<@U0AGENT2>" in page["text"] and "U0ONCALL1" not in page["text"] and "U0BACKUP1" not in page["text"]
    assert len(dms(fake_slack, "U0AGENT2")) == 1
    clock.advance(60 * M)  # re-page 3: after [sla] escalate_after = 2 re-pages nobody acknowledged
    sweep(runtime)
    third = pages(fake_slack)[-1]
    assert (
        "<@U0AGENT2> <@U0BACKUP1>" in third["text"]
        and "⬆️ 2回呼び出しても応答がないため、<@U0BACKUP1> も呼び出します" in third["text"]
    )
    (chained,) = [m for m in fake_slack.messages("U0BACKUP1") if ":chain:" in outbox_key(m)]
    assert "セカンダリのあなたを呼び出しています" in chained["text"]


def test_breach_mentions_the_fallback_user_group_when_nobody_is_on_call(
    sqlite_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    config = make_config(oncall={"rotation": [], "fallback": "S0SRE"})
    runtime = make_runtime(fake=fake_slack, db=sqlite_db, clock=clock, config=config, index=knowledge_index)
    case = open_case(runtime)
    clock.advance(2 * H + M)
    report = sweep(runtime)
    (page,) = pages(fake_slack)
    assert "<!subteam^S0SRE>" in page["text"] and "<!here>" not in page["text"]
    assert [k for k in report.keys if k.endswith(":dm")] == []  # a user group gets no DM
    # A member of the group presses 「対応開始」 on the page (issue 9, defect 1).
    runtime.services.cases.acknowledge(case.number, "U0ONCALL2", via="button")


def test_with_nobody_on_call_the_breach_says_so_and_calls_here(
    sqlite_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    """Issue 9, defect 3: no rotation and [oncall] fallback = "here" (the default)."""
    config = make_config(oncall={"rotation": []})
    runtime = make_runtime(fake=fake_slack, db=sqlite_db, clock=clock, config=config, index=knowledge_index)
    open_case(runtime)
    clock.advance(2 * H + M)
    report = sweep(runtime)
    (page,) = pages(fake_slack)
    assert page["text"].split("\n")[1].startswith("<!here> ⚠️ オンコール担当者がいません")
    assert "[oncall] fallback" in page["text"]
    assert [k for k in report.keys if k.endswith(":dm")] == []


def test_whoever_a_breach_pages_may_act_on_the_case(runtime: Runtime, clock: ManualClock) -> None:
    """The page at opening called U0ONCALL1; an override later puts U0COVER on call: the breach page calls them."""
    cases = runtime.services.cases
    case = open_case(runtime)
    runtime.services.oncall.set_override("U0COVER", None, "U0AGENT")
    with pytest.raises(UserFacingError):
        cases.acknowledge(case.number, "U0COVER")  # not paged for it yet
    clock.advance(2 * H + M)
    sweep(runtime)
    assert cases.acknowledge(case.number, "U0COVER", via="button").case.first_response_by == "U0COVER"


def test_the_cs_lead_pinged_for_a_missed_target_may_act_on_the_case(runtime: Runtime, clock: ManualClock) -> None:
    cases = runtime.services.cases
    medium = open_case(runtime, priority="中")
    with pytest.raises(UserFacingError):
        cases.resolve(medium.number, None, "U0LEAD")
    clock.set(jst("2026-11-16T16:30"))
    assert sweep(runtime).lead_pings == [medium.number]
    assert cases.acknowledge(medium.number, "U0LEAD").case.first_response_by == "U0LEAD"


def test_the_page_repeats_every_renotify_until_acknowledged(
    runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    case = open_case(runtime)
    clock.advance(2 * H + M)
    sweep(runtime)
    clock.advance(28 * M)  # due + 29m
    assert sweep(runtime).breaches == []
    clock.advance(M)  # due + 30m
    assert sweep(runtime).breaches == [case.number]
    assert len(pages(fake_slack)) == 2 and len(dms(fake_slack, "U0ONCALL1")) == 2
    assert "30分超過" in pages(fake_slack)[-1]["text"]
    assert reload(runtime, case).sla_breach_count == 2
    # Someone presses 「対応開始」 on the page: the pages stop.
    runtime.services.cases.acknowledge(case.number, "U0AGENT", via="button")
    for _ in range(3):
        clock.advance(30 * M)
        assert sweep(runtime).breaches == []
    assert len(pages(fake_slack)) == 2


def test_a_reply_in_the_case_thread_also_stops_the_pages(
    sqlite_runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    runtime = sqlite_runtime
    case = open_case(runtime)
    clock.advance(2 * H + M)
    sweep(runtime)
    runtime.services.cases.record_reply(case.number, "U0AGENT")
    clock.advance(H)
    assert sweep(runtime).examined == 0
    assert len(pages(fake_slack)) == 1


def test_a_repeat_after_the_handoff_pages_the_new_on_call_person(
    sqlite_runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    runtime = sqlite_runtime
    clock.set(jst("2026-11-23T07:30"))  # due 09:30; the rotation hands over at 10:00
    open_case(runtime)
    clock.set(jst("2026-11-23T09:31"))
    sweep(runtime)
    clock.set(jst("2026-11-23T10:00"))
    sweep(runtime)
    first, second = pages(fake_slack)
    assert "<@U0ONCALL1>" in first["text"] and "<@U0ONCALL2>" in second["text"]
    assert len(dms(fake_slack, "U0ONCALL1")) == 1 and len(dms(fake_slack, "U0ONCALL2")) == 1


def test_catch_up_after_downtime_sends_one_page_not_one_per_missed_interval(
    runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    case = open_case(runtime)
    clock.advance(5 * H + 10 * M)  # the bot was down through the warning, the breach and six repeats
    report = sweep(runtime)
    assert report.warnings == [] and report.breaches == [case.number]
    assert len(pages(fake_slack)) == 1 and sla_posts(fake_slack, "C0CASES", "warning") == []
    assert reload(runtime, case).sla_breach_count == breach_sequence(3 * H + 10 * M, 30 * M) == 7
    assert sweep(runtime).breaches == []
    clock.advance(20 * M)  # due + 3h30m: the next regular repeat
    assert sweep(runtime).breaches == [case.number]
    assert len(pages(fake_slack)) == 2


def test_renotify_zero_pages_once(
    sqlite_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    runtime = make_runtime(
        fake=fake_slack, db=sqlite_db, clock=clock, config=make_config(sla={"renotify": "0"}), index=knowledge_index
    )
    case = open_case(runtime)
    clock.advance(2 * H + M)
    sweep(runtime)
    assert reload(runtime, case).sla_check_at is None
    clock.advance(5 * H)
    sweep(runtime)
    assert len(pages(fake_slack)) == 1


# --- breach: medium and low ---------------------------------------------------------------------------


def test_medium_and_low_ping_the_cs_lead_once_in_the_case_thread(
    runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    medium, low = open_case(runtime, priority="中"), open_case(runtime, priority="低")
    # Business hours (Mon–Fri 10:00–18:00): 6h from Monday 10:30 is 16:30, 8h is Tuesday 10:30.
    assert (medium.due_at, low.due_at) == (jst("2026-11-16T16:30"), jst("2026-11-17T10:30"))
    clock.set(jst("2026-11-16T16:30") - timedelta(seconds=1))
    assert sweep(runtime).lead_pings == []
    clock.set(jst("2026-11-16T16:30"))
    assert sweep(runtime).lead_pings == [medium.number]
    clock.set(jst("2026-11-17T10:30"))
    assert sweep(runtime).lead_pings == [low.number]
    pings = sla_posts(fake_slack, "C0CASES", "lead")
    assert [p["thread_ts"] for p in pings] == [card_of(fake_slack, c)["ts"] for c in (medium, low)]
    assert all("<@U0LEAD>" in p["text"] for p in pings)
    assert f"#{medium.number}" in pings[0]["text"] and f"#{low.number}" in pings[1]["text"]
    clock.advance(24 * H)
    assert sweep(runtime).examined == 0
    assert len(sla_posts(fake_slack, "C0CASES", "lead")) == 2
    assert pages(fake_slack) == [] and dms(fake_slack, "U0ONCALL1") == []


# --- exactly once -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "left_as"),
    [
        ({"status": 429, "retry_after": 60}, PENDING),  # rate limited, longer than the client waits
        ({"status": 500, "after_effect": True}, UNCERTAIN),  # it landed anyway: a blind retry would duplicate
    ],
    ids=["429", "500-landed"],
)
def test_a_slack_failure_is_retried_and_the_page_lands_once(
    runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack, fault: dict[str, Any], left_as: str
) -> None:
    open_case(runtime)
    clock.advance(2 * H + M)
    fake_slack.fail("chat.postMessage", **fault)
    report = sweep(runtime)
    (page_key,) = [k for k in report.keys if ":breach:" in k and not k.endswith(":dm")]
    message = runtime.services.outbox.get(page_key)
    assert message is not None and message.state == left_as
    assert len(pages(fake_slack)) == (1 if fault.get("after_effect") else 0)
    assert sweep(runtime).breaches == []  # the next sweep queues nothing new …
    clock.advance(61 * 1000 * timedelta(milliseconds=1))
    jobs.deliver_outbox(runtime.services.outbox)  # … the outbox job retries (checking first if it may have landed)
    jobs.deliver_outbox(runtime.services.outbox)
    message = runtime.services.outbox.get(page_key)
    assert message is not None and message.state == SENT
    (page,) = pages(fake_slack)
    assert message.sent_ts == page["ts"]
    assert len(dms(fake_slack, "U0ONCALL1")) == 1


def test_restarts_on_the_same_database_send_each_page_once(
    runtime: Runtime,
    db: Database,
    clock: ManualClock,
    fake_slack: FakeSlack,
    knowledge_index: KnowledgeIndex,
) -> None:
    open_case(runtime)
    clock.advance(2 * H + M)
    with db.transaction() as session:  # the first process decides and commits, then dies before sending
        assert decide(runtime, session).breaches == [1]
    assert pages(fake_slack) == []
    for _ in range(2):  # two restarts: new processes, new schedulers, new outbox workers
        restarted = make_runtime(fake=fake_slack, db=db, clock=clock, index=knowledge_index)
        assert restarted.services.outbox.worker_id != runtime.services.outbox.worker_id
        # The new scheduler's jobs, called directly rather than on its timer.
        for job_id in ("sla_sweep", "deliver_outbox", "sla_sweep", "deliver_outbox"):
            restarted.scheduler.get_job(job_id).func()
        clock.advance(10 * M)
    assert len(pages(fake_slack)) == 1 and len(dms(fake_slack, "U0ONCALL1")) == 1


def test_the_sweep_reads_only_due_cases(runtime: Runtime, db: Database, clock: ManualClock) -> None:
    open_case(runtime, priority="中")  # its warning is at 15:00
    acknowledged = open_case(runtime)
    runtime.services.cases.acknowledge(acknowledged.number, "U0AGENT")
    due = open_case(runtime)
    clock.advance(90 * M)
    report = sweep(runtime)
    assert report.examined == 1 and report.warnings == [due.number]
    assert sweep(runtime).examined == 0  # its next check moved to the due time
    with db.transaction() as session:
        assert session.get(Case, due.id).sla_check_at == due.due_at  # type: ignore[union-attr]


def test_a_stale_check_on_an_answered_or_closed_case_is_dropped_without_a_notification(
    sqlite_runtime: Runtime, sqlite_db: Database, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    runtime, db = sqlite_runtime, sqlite_db
    answered, resolved = open_case(runtime), open_case(runtime)
    runtime.services.cases.acknowledge(answered.number, "U0AGENT")
    runtime.services.cases.resolve(resolved.number, None, "U0AGENT")
    with db.transaction() as session:  # e.g. left by an older version, or restored from a backup
        session.execute(update(Case).values(sla_check_at=clock.now()))
    clock.advance(3 * H)
    report = sweep(runtime)
    assert report.examined == 2 and report.keys == []
    assert pages(fake_slack) == [] and sweep(runtime).examined == 0


def test_the_sweep_reads_cases_through_the_index_on_sla_check_at(
    sqlite_runtime: Runtime, sqlite_db: Database, clock: ManualClock
) -> None:
    """SQLite's plan is stable even for a tiny table; benchmarks/sla_bench.py shows PostgreSQL's on 100,000 rows."""
    open_case(sqlite_runtime)
    clock.advance(2 * H + M)
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(sqlite_db.engine, "before_cursor_execute", record)
    try:
        with sqlite_db.transaction() as session:
            assert decide(sqlite_runtime, session).breaches == [1]
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", record)
    (select_due,) = [(s, p) for s, p in statements if s.startswith("SELECT") and "FROM cases" in s]
    with sqlite_db.engine.connect() as connection:
        plan = " | ".join(
            str(row[-1]) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + select_due[0], select_due[1])
        )
    assert "USING INDEX ix_cases_sla_check_at" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # the index gives the order too: no sort of the due rows


@pytest.mark.postgres
def test_a_sweep_is_skipped_while_another_replica_holds_the_sweep_lock(
    postgres_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    runtime = make_runtime(fake=fake_slack, db=postgres_db, clock=clock, index=knowledge_index)
    open_case(runtime)
    clock.advance(2 * H + M)
    with postgres_db.engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": SWEEP_LOCK})
        try:
            assert sweep(runtime).skipped
        finally:
            other.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": SWEEP_LOCK})
    report = sweep(runtime)
    assert not report.skipped and report.breaches == [1]


def test_more_due_cases_than_a_batch_are_taken_earliest_first_and_all_in_one_sweep(
    runtime: Runtime, db: Database, clock: ManualClock, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sla_sweep, "BATCH", 1)
    medium = open_case(runtime, priority="中")  # first check at 15:00 (its warning)
    high = open_case(runtime)  # first check at 12:00, though opened second
    clock.advance(10 * M)
    later = open_case(runtime)  # first check at 12:10
    clock.set(jst("2026-11-16T15:30"))
    with db.transaction() as session:  # one batch: the longest-waiting case first
        assert decide(runtime, session).breaches == [high.number]
    report = sweep(runtime)  # after downtime, everything overdue goes out in this sweep, a batch at a time
    assert (report.examined, report.breaches, report.warnings) == (2, [later.number], [medium.number])
    assert len(sla_posts(fake_slack, "C0CASES", "warning")) == 1
    assert sweep(runtime).examined == 0


# --- two replicas on one PostgreSQL ------------------------------------------------------------------

RACE_CASES = 6


def _replica(url: str, fake: FakeSlack, clock: ManualClock, index: KnowledgeIndex, name: str) -> Runtime:
    """A second bot process: its own engine and connection pool, its own outbox worker id."""
    runtime = make_runtime(fake=fake, db=Database(url), clock=clock, index=index)
    runtime.services.outbox.worker_id = name
    return runtime


def _keys_landed(fake: FakeSlack) -> list[str]:
    keys = [outbox_key(m) for channel in ("C0EMERG", "U0ONCALL1") for m in fake.messages(channel)]
    return [k for k in keys if k.startswith("sla:")]


@pytest.mark.postgres
def test_two_replicas_racing_on_postgres_send_each_page_once(
    postgres_db: Database,
    postgres_url: str,
    clock: ManualClock,
    fake_slack: FakeSlack,
    knowledge_index: KnowledgeIndex,
) -> None:
    first = make_runtime(fake=fake_slack, db=postgres_db, clock=clock, index=knowledge_index)
    for n in range(RACE_CASES):
        open_case(first, title=f"障害 {n}")
    clock.advance(2 * H + M)
    replicas = [first, _replica(postgres_url, fake_slack, clock, knowledge_index, "replica-b")]
    first.services.outbox.worker_id = "replica-a"
    barrier = threading.Barrier(len(replicas))
    errors: list[BaseException] = []

    def run(replica: Runtime) -> None:
        try:
            barrier.wait(timeout=5)
            sweep(replica)
            for _ in range(3):
                jobs.deliver_outbox(replica.services.outbox)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
    finally:
        replicas[1].services.db.dispose()
    assert errors == []
    landed = _keys_landed(fake_slack)
    assert len(landed) == len(set(landed)) == 2 * RACE_CASES  # one page and one DM per case
    with postgres_db.transaction() as session:
        events = session.execute(select(CaseEvent).where(CaseEvent.kind == "sla_breach")).scalars().all()
        assert len(events) == RACE_CASES
        states = session.execute(select(OutboxMessage.state).where(OutboxMessage.kind == "sla.breach")).scalars()
        assert set(states) == {SENT}


@pytest.mark.postgres
def test_a_second_sweep_skips_cases_another_replica_is_deciding(
    postgres_db: Database,
    postgres_url: str,
    clock: ManualClock,
    fake_slack: FakeSlack,
    knowledge_index: KnowledgeIndex,
) -> None:
    """Without the sweep-wide advisory lock, the row locks (FOR UPDATE SKIP LOCKED) still keep replicas apart."""
    first = make_runtime(fake=fake_slack, db=postgres_db, clock=clock, index=knowledge_index)
    for n in range(3):
        open_case(first, title=f"障害 {n}")
    clock.advance(2 * H + M)
    second = _replica(postgres_url, fake_slack, clock, knowledge_index, "replica-b")
    a_decided, b_done = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def replica_b() -> None:
        a_decided.wait(timeout=5)
        with second.services.db.transaction() as session:
            seen["b"] = decide(second, session)
        b_done.set()

    thread = threading.Thread(target=replica_b)
    thread.start()
    try:
        with postgres_db.transaction() as session:
            seen["a"] = decide(first, session)
            a_decided.set()
            assert b_done.wait(timeout=5), "replica B blocked on A's rows instead of skipping them"
        thread.join(timeout=5)
        assert sorted(seen["a"].breaches) == [1, 2, 3] and seen["b"].examined == 0  # ties on due time: any order
        # After A commits, a later sweep by B finds nothing left to decide.
        assert sweep(second).examined == 0
        first.services.outbox.deliver_keys(seen["a"].keys)
        second.services.outbox.deliver()
    finally:
        second.services.db.dispose()
    landed = _keys_landed(fake_slack)
    assert len(landed) == len(set(landed)) == 6


def test_a_page_waiting_on_a_rate_limit_is_dropped_once_the_case_is_acknowledged(
    sqlite_runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    case = open_case(sqlite_runtime)
    clock.advance(2 * H + M)
    fake_slack.fail("chat.postMessage", status=429, retry_after=60)
    sweep(sqlite_runtime)
    sqlite_runtime.services.cases.acknowledge(case.number, "U0AGENT")
    clock.advance(2 * M)
    report = jobs.deliver_outbox(sqlite_runtime.services.outbox)
    assert pages(fake_slack) == []
    assert report.dropped  # dropped on purpose, not failed


def test_the_case_card_shows_the_breach(runtime: Runtime, clock: ManualClock, fake_slack: FakeSlack) -> None:
    case = open_case(runtime)
    clock.advance(90 * M)
    sweep(runtime)  # the warning goes to the thread; the card still reads "残り…"
    assert fake_slack.calls("chat.update") == []
    clock.advance(31 * M)
    sweep(runtime)
    jobs.deliver_outbox(runtime.services.outbox)  # the refresh queued when the page went out
    (late,) = [c for c in fake_slack.calls("chat.update") if c.args["channel"] == "C0CASES"]
    assert late.args["ts"] == runtime.services.cases.get(case.number).message_ts
    assert "1分超過" in json.dumps(late.args["blocks"], ensure_ascii=False)
