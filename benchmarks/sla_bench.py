"""Speed of one SLA sweep: 100,000 open cases of which 1,000 are due, on SQLite and PostgreSQL.

Usage:
    python benchmarks/sla_bench.py [--cases 100000] [--due 1000] [--repeat 5] [--postgres URL]

For each database the cases are bulk-inserted (SQLAlchemy Core executemany) with `sla_check_at`
set so that exactly `--due` of them need the sweep now: 40 % high cases past their target (a re-page,
the edit of their page and a DM each; the escalation chain's DM to the CS Lead for those it reaches),
30 % medium/low cases past their target (a CS Lead ping) and 30 % high cases in
their warning window. What is timed is one batch of the sweep (`SlaClock.sweep`, bot/sla_clock.py) in its own transaction, commit included:
the decide-and-queue part of the job. Slack is not involved (the outbox's notifier does nothing,
and nothing is delivered). Between runs the due cases are put back and the queued rows removed.

The sweep's own statements are captured as they run; its SELECT and its UPDATE of the cases are
EXPLAINed, to show that it reads the index on `sla_check_at` and updates by primary key rather
than scanning the table. `sweep_ms` is wall time (median of --repeat runs), `sweep_cpu_ms` this
process's CPU time: on a shared machine read them with `load_average_1m`.

SQLite uses a temporary file; PostgreSQL a temporary database created on the server given by
--postgres (default: $SUPPORTBOT_BENCH_POSTGRES_URL, else postgres@127.0.0.1:5432) and dropped
afterwards; it is skipped with a note when the server is unreachable.

Goal: sweep_ms < 200 on both. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, delete, event, insert, text, update  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.config import parse_behaviour  # noqa: E402
from bot.database import Database, DatabaseUnavailable, table_of, temporary_postgres_database  # noqa: E402
from bot.metrics import Metrics  # noqa: E402
from bot.models import Case, CaseEvent, CaseParty, Counter, OutboxMessage  # noqa: E402
from bot.notify import Delivered  # noqa: E402
from bot.priorities import Priority  # noqa: E402
from bot.services import Services, build_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.sla_clock import SweepReport  # noqa: E402
from knowledge import BUNDLED_KNOWLEDGE  # noqa: E402
from knowledge.search import KnowledgeIndex  # noqa: E402
from scheduler.sla_sweep import BATCH  # noqa: E402

TARGET_MS = 200
DEFAULT_POSTGRES = os.environ.get("SUPPORTBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Wednesday 2026-11-18 14:00 in Tokyo: inside business hours, so every priority has cases at every stage.
NOW = datetime(2026, 11, 18, 5, 0, tzinfo=UTC)
CHUNK = 5000
CONFIG = {
    "language": "ja",
    "channels": {"cases": "C0CASES", "emergency": "C0EMERG"},
    "agents": {"users": ["U0AGENT"]},
    "escalation": {"cs_lead": "U0LEAD"},
    "oncall": {"rotation": ["U0ONCALL1", "U0ONCALL2"], "secondary": ["U0BACKUP1"], "handoff": "mon 10:00"},
}


class NullNotifier:
    """Accepts every message and sends nothing: Slack is outside what is measured."""

    def deliver(self, message: OutboxMessage, *, verify: bool) -> Delivered:
        return Delivered(channel="C0NULL", ts="0.000000")


@dataclass(frozen=True)
class Asking:
    """What the target policy is asked about (a case: here only its priority)."""

    priority: str


def make_services(db: Database, clock: ManualClock, index: KnowledgeIndex) -> Services:
    config = parse_behaviour(CONFIG, "sla_bench config", ROOT)
    services = build_services(Settings(database_url=db.url), config, clock=clock, db=db, index=index)
    services.attach_notifier(NullNotifier())
    return services


# --- data -----------------------------------------------------------------------------------------


def populate(db: Database, services: Services, cases: int, due: int, seed: int) -> dict[int, datetime]:
    """Insert `cases` open cases, `due` of them due at NOW; returns the due ones' sla_check_at by id."""
    rng = random.Random(seed)
    rules = services.sla.rules

    @cache
    def times(created_at: datetime, priority: str) -> tuple[datetime, datetime]:
        case = Asking(Priority(priority))
        return rules.due_at(case, created_at), rules.first_check(case, created_at)

    breaches, leads = int(due * 0.4), int(due * 0.3)
    due_numbers = set(rng.sample(range(1, cases + 1), due))
    stages = ["breach"] * breaches + ["lead"] * leads + ["warning"] * (due - breaches - leads)
    rng.shuffle(stages)
    rows: list[dict[str, Any]] = []
    due_checks: dict[int, datetime] = {}
    for number in range(1, cases + 1):
        if number in due_numbers:
            stage = stages.pop()
            if stage == "breach":  # 1 to 90 minutes past a 2 h target
                priority, created_at = "high", NOW - timedelta(hours=2, minutes=rng.randint(1, 90))
                check = times(created_at, priority)[0]
            elif stage == "lead":  # opened yesterday afternoon: 6 or 8 business hours have passed
                priority, created_at = (
                    rng.choice(["medium", "low"]),
                    NOW - timedelta(days=1, minutes=rng.randint(0, 59)),
                )
                check = times(created_at, priority)[0]
            else:  # 1h30m to 1h55m into a 2 h target: the warning is due
                priority, created_at = "high", NOW - timedelta(minutes=rng.randint(90, 115))
                check = times(created_at, priority)[1]
            due_checks[number] = check
        else:  # opened within the last hour: the first check (the warning) is still ahead
            priority = rng.choice(["high", "medium", "medium", "low", "low"])
            created_at = NOW - timedelta(minutes=rng.randint(0, 59))
            check = times(created_at, priority)[1]
        assert (check <= NOW) == (number in due_numbers)
        rows.append(
            {
                "number": number,
                "title": f"ログインできない #{number}",
                "priority": priority,
                "status": "open",
                "escalation_level": 1,
                "reporter_id": "U0CUSTOMER",
                "created_at": created_at,
                "updated_at": created_at,
                "due_at": times(created_at, priority)[0],
                "sla_check_at": check,
                "sla_breach_count": 0,
                "message_channel": "C0CASES",
                "message_ts": f"{1_700_000_000 + number}.000100",
            }
        )
    table = table_of(Case)
    with db.engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            connection.execute(insert(table), rows[start : start + CHUNK])
        connection.execute(insert(table_of(Counter)), [{"name": "case", "value": cases}])
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))  # what autovacuum / a DBA would have done by now
    with db.engine.connect() as connection:
        ids = dict(connection.execute(text("SELECT number, id FROM cases")).all())
    return {ids[number]: check for number, check in due_checks.items()}


def reset(db: Database, due_checks: dict[int, datetime]) -> None:
    """Put the due cases back as they were and forget what the sweep queued."""
    table = table_of(Case)
    with db.engine.begin() as connection:
        for model in (OutboxMessage, CaseEvent, CaseParty):
            connection.execute(delete(table_of(model)))
        statement = (
            update(table)
            .where(table.c.id == bindparam("case_id"))
            .values(sla_check_at=bindparam("check"), sla_breach_count=0)
        )
        connection.execute(statement, [{"case_id": i, "check": c} for i, c in due_checks.items()])


# --- measuring ------------------------------------------------------------------------------------


@contextmanager
def recording(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent to the database inside the block, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def timed_sweep(services: Services) -> tuple[float, float, SweepReport]:
    """One sweep in its own transaction, commit included: (wall ms, this process's CPU ms, report)."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    with services.db.transaction() as session:
        report = services.sla.sweep(session, services.clock.now(), limit=BATCH)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, report


def explain(db: Database, statement: str, parameters: Any) -> list[str]:
    """The plan of one recorded statement (the first row's, for an executemany), one line per node."""
    if isinstance(parameters, list):
        parameters = parameters[0]
    with db.engine.connect() as connection:
        if db.dialect == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return [str(row[-1]) for row in rows]
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        connection.rollback()
        return [str(row[0]).strip() for row in rows]


def bench(db: Database, args: argparse.Namespace, index: KnowledgeIndex) -> dict[str, Any]:
    clock = ManualClock(NOW)
    db.create_all()  # before the services: they read the teaching counter at start
    services = make_services(db, clock, index)
    started = time.perf_counter()
    due_checks = populate(db, services, args.cases, args.due, args.seed)
    insert_s = time.perf_counter() - started
    runs: list[float] = []
    cpu_runs: list[float] = []
    report = SweepReport()
    statements: list[tuple[str, Any]] = []
    for run in range(args.repeat):
        if run:
            reset(db, due_checks)
        if run == 0:
            with recording(db) as statements:
                elapsed, cpu, report = timed_sweep(services)
        else:
            elapsed, cpu, report = timed_sweep(services)
        runs.append(round(elapsed, 1))
        cpu_runs.append(round(cpu, 1))
    touching_cases = [(s, p) for s, p in statements if "FROM cases" in s or s.lstrip().startswith("UPDATE cases")]
    selects = [(s, p) for s, p in touching_cases if s.lstrip().upper().startswith("SELECT")]
    updates = [(s, p) for s, p in touching_cases if s.lstrip().upper().startswith("UPDATE")]
    plan = explain(db, *selects[0]) if selects else []
    update_plan = explain(db, *updates[0]) if updates else []
    plan_text = " ".join(plan)
    median = statistics.median(runs)
    return {
        "backend": db.dialect,
        "cases": args.cases,
        "due": args.due,
        "sweep_ms": round(median, 1),
        "target_ms": TARGET_MS,
        "within_target": median < TARGET_MS,
        "runs_ms": runs,
        "sweep_cpu_ms": round(statistics.median(cpu_runs), 1),  # the bot's own CPU; the rest is the database
        "examined": report.examined,
        "warnings": len(report.warnings),
        "breaches": len(report.breaches),
        "lead_pings": len(report.lead_pings),
        "queued": len(report.keys),
        "statements_per_sweep": len(statements),
        "index_used": "ix_cases_sla_check_at" in plan_text,
        "plan": plan,
        "update_plan": update_plan,
        "update_scans_table": any(("Seq Scan on cases" in line or "SCAN cases" in line) for line in update_plan),
        "insert_s": round(insert_s, 2),
        "metrics_scrape_ms": scrape_ms(db, services),
    }


def scrape_ms(db: Database, services: Services) -> float:
    """What GET /metrics costs the database over these cases (open cases by priority, breached, the outbox
    backlog): the median of 5 reads, in ms."""
    figures = Metrics(db, services.clock).database_figures
    assert figures is not None
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        figures._read()
        runs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(runs), 1)


# --- databases ------------------------------------------------------------------------------------


def run_sqlite(args: argparse.Namespace, index: KnowledgeIndex) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sla_bench_") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            return bench(db, args, index)
        finally:
            db.dispose()


def run_postgres(args: argparse.Namespace, index: KnowledgeIndex) -> dict[str, Any]:
    try:
        with temporary_postgres_database(args.postgres, "supportbot_bench") as url:
            db = Database(url)
            try:
                result = bench(db, args, index)
                with db.engine.connect() as connection:
                    result["server"] = str(connection.execute(text("SHOW server_version")).scalar())
                return result
            finally:
                db.dispose()
    except DatabaseUnavailable:
        return {"backend": "postgresql", "skipped": f"PostgreSQL not reachable at {args.postgres}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server to create the temporary database on")
    args = parser.parse_args()
    if not 0 < args.due <= args.cases:
        parser.error("--due must be between 1 and --cases")
    index = KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE)  # the services need one; the sweep does not use it
    results = [run_sqlite(args, index), run_postgres(args, index)]
    print(
        json.dumps(
            {
                "benchmark": "sla_sweep",
                "goal": f"one sweep (decide and queue, no Slack) under {TARGET_MS} ms",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 2),  # a shared machine: read the numbers with it
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
