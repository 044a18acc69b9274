"""The case pipeline: `/case 中 …` → case stored → card posted, in cases per second and CPU per case.

Usage:
    python benchmarks/pipeline_bench.py [--cases 600] [--burst 3388] [--burst-seconds 10]
                                        [--postgres URL] [--sqlite] [--no-burst]

Two measurements, each printed in one JSON object:

- `pipeline`: in this process, the production Runtime (services, the Bolt app, the listener pool;
  no HTTP server) on a temporary PostgreSQL database (and SQLite with --sqlite): signed `/case`
  commands are dispatched to Bolt from 8 threads, as waitress would, and each one opens a case,
  posts its card to a FakeSlack in another process and answers on the response_url. `cases_per_s`
  is cases whose card was posted per second of wall time; `cpu_ms_per_case` is this process's CPU
  time (both cores) over the run divided by the cases. Goal: >= 200 cases/s, <= 5 ms CPU per case
  (PostgreSQL).
- `burst`: `python -m bot run` (the HTTP server, as in production) takes `--burst` commands
  offered evenly over `--burst-seconds` (open loop, 64 connections); reported are how many were
  acked, when the last card was posted (from the first command) and each card's delay from when
  its command was due to when it was posted (p50/p99). Goal: 3,388 commands in 10 s, all cards posted within 20 s.

Profile it with py-spy (`pip install py-spy`; it samples every thread, which the listeners need):
    py-spy record --gil --nonblocking -r 200 -o pipeline.svg -- python benchmarks/pipeline_bench.py --no-burst
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_bolt import BoltRequest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks import load_bench  # noqa: E402
from bot.config import parse_behaviour  # noqa: E402
from bot.database import Database, temporary_postgres_database  # noqa: E402
from bot.devtools.signing import signed_headers, slash_command_body  # noqa: E402
from bot.migrate import upgrade_database  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge import BUNDLED_KNOWLEDGE  # noqa: E402
from knowledge.search import KnowledgeIndex  # noqa: E402

DEFAULT_POSTGRES, SIGNING_SECRET, BOT_TOKEN = (
    load_bench.DEFAULT_POSTGRES,
    load_bench.SIGNING_SECRET,
    load_bench.BOT_TOKEN,
)
DISPATCH_THREADS = 8
CONFIG = {
    "language": "ja",
    "channels": {"cases": "C0CASES", "emergency": "C0EMERG", "faq": ["C0FAQ"]},
    "agents": {"users": ["U0AGENT"]},
    "sla": {"medium": {"target": "6h", "calendar": "24x7"}},
    "oncall": {"rotation": ["U0ONCALL1"]},
    "faq": {"dense": "off"},  # cases only: no embeddings warming up beside them
}


@contextmanager
def fake_slack() -> Iterator[str]:
    """FakeSlack in its own process (benchmarks/load_bench.py's), so its CPU is not counted as ours."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "load_bench.py"), "--serve-fake"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=10)


def command_request(fake_root: str, n: int) -> BoltRequest:
    body = slash_command_body(
        "/case",
        f"中 パイプラインのケース {n}",
        user_id="U0AGENT",
        channel_id="C0CASES",
        response_url=f"{fake_root}/response/{n}",
        trigger_id=f"bench.{n}.{uuid.uuid4().hex[:6]}",
    )
    return BoltRequest(body=body, headers=signed_headers(body, SIGNING_SECRET))


def cards_sent(db: Database) -> int:
    with db.transaction() as session:
        return int(
            session.execute(
                text("SELECT count(*) FROM outbox WHERE kind = 'case.card' AND state = 'sent'")
            ).scalar_one()
        )


def pipeline(database_url: str, fake_root: str, cases: int) -> dict[str, Any]:
    db = Database(database_url)
    upgrade_database(database_url)
    settings = Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_base_url=f"{fake_root}/api/",
        database_url=database_url,
    )
    config = parse_behaviour(CONFIG, "bench config", ROOT)
    runtime = Runtime(settings, config, db=db, index=KnowledgeIndex.from_path(BUNDLED_KNOWLEDGE))
    try:
        with ThreadPoolExecutor(DISPATCH_THREADS) as pool:
            list(pool.map(runtime.app.dispatch, [command_request(fake_root, -n) for n in range(1, 41)]))
            assert runtime.wait_idle(60)
            warm = cards_sent(db)
            requests = [command_request(fake_root, n) for n in range(cases)]
            cpu, wall = time.process_time(), time.perf_counter()
            list(pool.map(runtime.app.dispatch, requests))
            assert runtime.wait_idle(300), "listeners still running"
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        posted = cards_sent(db) - warm
    finally:
        runtime.stop()
    return {
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "cases": cases,
        "cards_posted": posted,
        "wall_s": round(wall, 2),
        "cases_per_s": round(posted / wall, 1),
        "cpu_ms_per_case": round(cpu * 1000 / max(posted, 1), 2),
    }


def burst(args: argparse.Namespace, fake_root: str, kind: str) -> dict[str, Any]:
    """`--burst` commands over `--burst-seconds` to `python -m bot run`; when every card was posted."""
    rate = args.burst / args.burst_seconds
    with tempfile.TemporaryDirectory(prefix="supportbot-burst-") as tmp:
        workdir = Path(tmp)
        with (
            load_bench.database(kind, args.postgres, workdir) as url,
            load_bench.serve_ours(url, fake_root, workdir, threads=8) as (port, _),
        ):
            load = load_bench.Load(port, fake_root)
            load_bench.closed_loop(load, 4, 1.0)  # warm-up, as load_bench does
            warm = load.counter
            engine = create_engine(url)
            started, started_wall = time.perf_counter(), time.time()
            offered = load_bench.fixed_rate(load, rate, args.burst_seconds)
            posted_s = load_bench.wait_drained(engine, load.counter, timeout=300)
            total_s = round(time.perf_counter() - started, 2) if posted_s is not None else None
            delays = post_delays(engine, lambda n: started_wall + (n - warm - 1) / rate, first=warm + 1)
            engine.dispose()
    return {
        "database": kind,
        "commands": offered["sent"],
        "acked": offered["acked"],
        "offered_over_s": args.burst_seconds,
        "ack_p99_ms": offered["p99_ms"],
        "all_posted_after_s": total_s,
        "post_delay_p50_s": round(load_bench.percentile(delays, 50), 2),
        "post_delay_p99_s": round(load_bench.percentile(delays, 99), 2),
    }


def post_delays(engine: Any, due: Callable[[int], float], *, first: int) -> list[float]:
    """Seconds from when each command was due (`due(n)`, Unix time) to its card's post, from command `first` on.

    A command's number is in its case's title (benchmarks/load_bench.py's Load.body)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.title, o.sent_at FROM outbox o JOIN cases c ON c.id = o.case_id "
                "WHERE o.kind = 'case.card' AND o.state = 'sent'"
            )
        ).all()
    delays = []
    for title, sent in rows:
        n = int(str(title).rsplit(" ", 1)[-1])
        if n >= first:
            delays.append(_moment(sent).timestamp() - due(n))
    return delays


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def goals(report: dict[str, Any]) -> dict[str, bool]:
    met: dict[str, bool] = {}
    for run in report["pipeline"]:
        if run["database"] == "postgresql":
            met["postgresql_at_least_200_cases_per_s"] = run["cases_per_s"] >= 200
            met["postgresql_at_most_5_ms_cpu_per_case"] = run["cpu_ms_per_case"] <= 5
    if "burst" in report:
        after = report["burst"]["all_posted_after_s"]
        met["burst_all_posted_within_20_s"] = after is not None and after <= 20
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--burst", type=int, default=3388)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--sqlite", action="store_true", help="measure the pipeline on SQLite too")
    parser.add_argument("--no-burst", action="store_true", help="the in-process pipeline only")
    args = parser.parse_args()
    report: dict[str, Any] = {"pipeline": []}
    with fake_slack() as fake_root:
        with temporary_postgres_database(args.postgres, "supportbot_pipe") as url:
            report["pipeline"].append(pipeline(url, fake_root, args.cases))
        if args.sqlite:
            with tempfile.TemporaryDirectory(prefix="supportbot-pipe-") as workdir:
                url = f"sqlite:///{workdir}/bench.db"
                report["pipeline"].append(pipeline(url, fake_root, args.cases))
        if not args.no_burst:
            report["burst"] = burst(args, fake_root, "postgresql")
    report["goals"] = goals(report)
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
