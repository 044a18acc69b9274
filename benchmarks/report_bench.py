"""Speed of the reports over 100,000 cases: the figures for a week, 30 days and a month, and the export.

Usage:
    python benchmarks/report_bench.py [--cases 100000] [--repeat 5] [--postgres URL]

Two years of the sample activity (bot/reports/sample.py) are scaled to about --cases cases (with
their events, pages and about 2.4 FAQ questions per case) and bulk-written, on SQLite (a temporary
file) and PostgreSQL (a temporary database on --postgres, default $SUPPORTBOT_BENCH_POSTGRES_URL or
postgres@127.0.0.1:5432, dropped afterwards, ANALYZEd after the load as autovacuum would; skipped
with a note when unreachable). Timed, as the
median of --repeat runs: `Reports.figures()` for the last 7 days, the last 30 days and the last full
month of the data, exporting the month's cases as CSV (to memory), and an agent's App Home (its
content from the database, the on-call rota and the figures, and the Block Kit view built from it;
whoever answered a case is made its 担当者 first, as acknowledging does).

Goal: figures_7d_ms < 500 on both. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.config import load_default_behaviour  # noqa: E402
from bot.database import Database, DatabaseUnavailable, temporary_postgres_database  # noqa: E402
from bot.reports import ReportRules, Reports  # noqa: E402
from bot.reports.export import write_csv  # noqa: E402
from bot.reports.sample import sample_history  # noqa: E402

TARGET_MS = 500
DAYS = 728  # 104 weeks
FIRST_DAY = date(2024, 11, 18)
DEFAULT_POSTGRES = os.environ.get("SUPPORTBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CASES_PER_SCALE = 4150  # cases the two-year sample has at scale 1


def timed(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        runs.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(runs), 1), result


def measure(url: str, cases: int, repeat: int) -> dict[str, Any]:
    db = Database(url)
    db.create_all()
    rules = ReportRules.from_config(load_default_behaviour())
    start = time.perf_counter()
    history = sample_history(rules, first_day=FIRST_DAY, days=DAYS, scale=cases / CASES_PER_SCALE)
    generated = time.perf_counter()
    history.write(db)
    written = time.perf_counter()
    if db.is_postgres:  # what autovacuum does soon after a bulk load: the planner needs the statistics
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    now = datetime.combine(FIRST_DAY + timedelta(days=DAYS), datetime.min.time(), tzinfo=UTC)
    reports = Reports(db, ManualClock(now), rules)
    result: dict[str, Any] = {
        "cases": len(history.cases),
        "events": sum(len(c.events) for c in history.cases),
        "faq_questions": len(history.replies),
        "generate_s": round(generated - start, 1),
        "write_s": round(written - generated, 1),
    }
    for name, spec in (("7d", "7d"), ("30d", "30d"), ("month", f"{(now.replace(day=1) - timedelta(days=1)):%Y-%m}")):
        period = reports.period(spec)
        ms, report = timed(lambda period=period: reports.figures(period), repeat)
        result[f"figures_{name}_ms"] = ms
        result[f"opened_{name}"] = report.cases.opened
    month = reports.period(f"{(now.replace(day=1) - timedelta(days=1)):%Y-%m}")
    ms, rows = timed(lambda: write_csv(reports.case_rows(month), io.StringIO(), rules.timezone), repeat)
    result["export_month_csv_ms"] = ms
    result["export_month_rows"] = rows
    result["open_at_end"] = report.cases.open_at_end
    result.update(measure_home(db, ManualClock(now), reports, repeat))
    db.dispose()
    return result


def measure_home(db: Database, clock: ManualClock, reports: Reports, repeat: int) -> dict[str, Any]:
    from sqlalchemy import update
    from sqlmodel import col

    from bot.agents import ConfiguredAgents
    from bot.home import AgentHome, HomeService
    from bot.models import Case
    from bot.oncall import OncallService
    from bot.slack.desk import Desk
    from bot.slack.home_blocks import home_view

    config = load_default_behaviour()
    with db.transaction() as session:
        session.execute(update(Case).values(assignee_id=col(Case.first_response_by)))
    if db.is_postgres:  # as after the load: the planner needs to know who the cases are assigned to now
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE cases"))
    agents = ConfiguredAgents(config.agents)
    home = HomeService(db, clock, agents, OncallService(db, clock, config.oncall, agents), reports)
    desk = Desk.from_config(config)
    agent = config.agents.users[0]
    ms, view = timed(lambda: home_view(home.content(agent), desk), repeat)
    content = home.content(agent)
    assert isinstance(content, AgentHome)
    return {
        "app_home_ms": ms,
        "app_home_blocks": len(view["blocks"]),
        "app_home_my_open_cases": content.mine.total,
        "app_home_unassigned": content.queue.total,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    output: dict[str, Any] = {
        "benchmark": "reports",
        "target_figures_7d_ms": TARGET_MS,
        "python": platform.python_version(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    with tempfile.TemporaryDirectory() as folder:
        output["sqlite"] = measure(f"sqlite:///{folder}/bench.db", args.cases, args.repeat)
    try:
        with temporary_postgres_database(args.postgres, "supportbot_bench") as url:
            output["postgresql"] = measure(url, args.cases, args.repeat)
    except DatabaseUnavailable as exc:
        output["postgresql"] = {"skipped": str(exc)}
    output["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
