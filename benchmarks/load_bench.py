"""Ack throughput and latency of the HTTP server: signed `/case 中 <title>` commands over loopback.

Usage:
    python benchmarks/load_bench.py [--rate 50] [--duration 10] [--max-duration 5] [--concurrency 20]
                                    [--threads 8] [--databases postgresql,sqlite] [--postgres URL]
                                    [--knowledge DIR] [--new-connections] [--drain]

Measured in one run, one after the other, on the same machine (it is shared and noisy: compare
numbers from the same run only), as an outside load generator sees them:

- bare: a Bolt App whose `/case` listener only acks, on the same waitress server with the same
  thread count: the ceiling for the ack path. Measured first and again last; ratios are against
  the mean of the two, so drift in the machine's load shows as the difference between them;
- ours: `python -m bot run` exactly as in production (migrations, waitress, the scheduler, the
  outbox), once per database: a temporary PostgreSQL database created for the run and dropped
  afterwards, and a SQLite file; it talks to a FakeSlack in a third process. Each command opens a
  case, posts its card and answers on the response_url, after the ack. Its resident memory is
  reported (`memory_mb`: after start, after the load, and its peak) with the bundled knowledge base,
  or the one `--knowledge` names (e.g. the 10,000-entry base benchmarks/faq_bench.py generates).

Each server gets a warm-up, then a fixed offered rate (`--rate` requests/s for `--duration` s, open
loop: latency counts from when a request was due, so a slow server cannot hide its queue), then a
closed loop with `--concurrency` clients (keep-alive connections, one each) for `--max-duration` s:
the maximum acked throughput. The work queued behind the acks (a few thousand cases) is not waited
for unless `--drain` (then `drain_s` says how long the cards took; benchmarks/pipeline_bench.py
measures that pipeline on its own); without it the server is killed once measured.

Goals: p99 ack < 300 ms at 50 requests/s, and ours' maximum acked throughput >= 0.7 x bare's, on
PostgreSQL and on SQLite. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bot.database import temporary_postgres_database  # noqa: E402

DEFAULT_POSTGRES = os.environ.get("SUPPORTBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SIGNING_SECRET = "bench0signing0secret0000000000000"
BOT_TOKEN = "xoxb-bench-0000000000-benchbenchbench"
CONFIG = """language = "ja"

[channels]
cases = "C0CASES"
emergency = "C0EMERG"
faq = ["C0FAQ"]

[agents]
users = ["U0AGENT"]

[sla.medium]
target = "6h"
calendar = "24x7"

[oncall]
rotation = ["U0ONCALL1"]
"""


# --- the servers (also run as child processes of this script) -----------------------------------


def serve_fake() -> None:
    """FakeSlack in its own process, so its work does not take the app's (or the load's) CPU."""
    from bot.devtools.fake_slack import FakeSlack

    fake = FakeSlack(ts_clock=None).start()
    print(fake.root_url, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    fake.stop()


def serve_bare(port: int, threads: int, fake_root: str) -> None:
    """The ceiling: Bolt and waitress, a listener that only acks.

    Its client points at the fake too: Bolt's authorization calls auth.test once, on the first request.
    """
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient
    from waitress.server import create_server

    app = App(
        signing_secret=SIGNING_SECRET,
        token=BOT_TOKEN,
        token_verification_enabled=False,
        client=WebClient(token=BOT_TOKEN, base_url=f"{fake_root}/api/"),
    )

    @app.command("/case")
    def case(ack: Callable[[], None]) -> None:
        ack()

    server = create_server(
        SlackRequestHandler(app),
        host="127.0.0.1",
        port=port,
        threads=threads,
        ident="bare",
        max_request_body_size=2 * 1024 * 1024,
        channel_timeout=30,
    )
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.run()


# --- helpers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[index]


def wait_ready(url_path: tuple[int, str], process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    port, path = url_path
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if status in (200, 404, 405):  # the bare server has no /readyz: any answer means it listens
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not become ready")


class Load:
    """Signed slash commands on keep-alive connections (one per client thread)."""

    def __init__(self, port: int, fake_root: str, *, keep_alive: bool = True) -> None:
        self.port = port
        self.fake_root = fake_root
        self.keep_alive = keep_alive  # False: a new connection per request, as some load generators do
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        self.local = threading.local()
        self.counter = 0
        self.lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.local.connection = connection
        return connection

    def body(self) -> str:
        with self.lock:
            self.counter += 1
            n = self.counter
        return urlencode(
            {
                "token": "bench",
                "team_id": "T0TEAM",
                "team_domain": "bench",
                "channel_id": "C0CASES",
                "channel_name": "cases",
                "user_id": "U0AGENT",
                "user_name": "agent",
                "command": "/case",
                "text": f"中 ベンチマークのケース {n}",
                "api_app_id": "A0APP",
                "is_enterprise_install": "false",
                "response_url": f"{self.fake_root}/response/{n}",
                "trigger_id": f"bench.{n}",
            }
        )

    def send(self) -> bool:
        """One command; True when acked with HTTP 200."""
        body = self.body()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=timestamp, body=body) or "",
        }
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            connection = self._connection()
            try:
                connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
                response = connection.getresponse()
                response.read()
                if not self.keep_alive:
                    connection.close()
                    self.local.connection = None
                return response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    return False
        return False


def summary(latencies: list[float], acked: int, sent: int, elapsed: float) -> dict[str, Any]:
    return {
        "sent": sent,
        "acked": acked,
        "rps": round(acked / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else math.nan,
    }


def fixed_rate(load: Load, rate: float, duration: float) -> dict[str, Any]:
    """Open loop: request i is due at start + i/rate; latency is measured from when it was due."""
    total = int(rate * duration)
    latencies: list[float] = []
    acked = 0
    lock = threading.Lock()

    def one(due: float) -> None:
        nonlocal acked
        ok = load.send()
        done = time.perf_counter()
        with lock:
            if ok:
                acked += 1
                latencies.append(done - due)

    with ThreadPoolExecutor(max_workers=64, thread_name_prefix="fixed") as pool:
        start = time.perf_counter()
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, due)
    elapsed = time.perf_counter() - start
    return {"offered_rps": rate, **summary(latencies, acked, total, elapsed)}


def closed_loop(load: Load, concurrency: int, duration: float) -> dict[str, Any]:
    """`concurrency` clients, each sending its next request when the last is acked."""
    latencies: list[float] = []
    counts = {"sent": 0, "acked": 0}
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def client() -> None:
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            ok = load.send()
            took = time.perf_counter() - began
            with lock:
                counts["sent"] += 1
                if ok:
                    counts["acked"] += 1
                    latencies.append(took)

    start = time.perf_counter()
    threads = [threading.Thread(target=client, name=f"closed-{n}") for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {"concurrency": concurrency, **summary(latencies, counts["acked"], counts["sent"], elapsed)}


def measure(port: int, fake_root: str, args: argparse.Namespace) -> dict[str, Any]:
    load = Load(port, fake_root, keep_alive=not args.new_connections)
    closed_loop(load, 4, 1.0)  # warm-up: imports, connection pools, JIT-less caches
    at_rate = fixed_rate(load, args.rate, args.duration)
    at_max = closed_loop(load, args.concurrency, args.max_duration)
    return {"fixed_rate": at_rate, "max": at_max, "requests": load.counter}


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of process `pid` now (rss) and at its peak (peak_rss), in MB (Linux's /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    sizes = {"rss": "VmRSS", "peak_rss": "VmHWM"}
    return {name: round(int(fields[key].split()[0]) / 1024, 1) for name, key in sizes.items() if key in fields}


def wait_drained(engine: Engine, expected: int, timeout: float) -> float | None:
    """Seconds until every case's card is posted (the work queued behind the acks), or None."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        with engine.connect() as connection:
            sent = connection.execute(
                text("SELECT count(*) FROM outbox WHERE kind = 'case.card' AND state = 'sent'")
            ).scalar_one()
        if sent >= expected:
            return round(time.perf_counter() - start, 2)
        time.sleep(0.2)
    return None


@contextlib.contextmanager
def serve_ours(
    database_url: str, fake_root: str, workdir: Path, threads: int, knowledge: str | None = None
) -> Iterator[tuple[int, int]]:
    """`python -m bot run` on `database_url` (migrated at start), until the block ends; yields (port, pid).

    At the end it is killed: a benchmark that left thousands of cases queued need not wait for them.
    """
    config = workdir / "supportbot.toml"
    # Embeddings off: their warm-up (seconds here, 20-40 minutes of one core on the 10k base) would
    # run beside the load; benchmarks/faq_dense_cost.py measures what they cost.
    faq = '\n[faq]\ndense = "off"\n' + (f'knowledge_path = "{Path(knowledge).resolve()}"\n' if knowledge else "")
    config.write_text(CONFIG + faq, encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SUPPORTBOT_", "LOG_"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_BASE_URL=f"{fake_root}/api/",
        DATABASE_URL=database_url,
        SUPPORTBOT_CONFIG=str(config),
        WEB_THREADS=str(threads),
        LOG_FORMAT="json",
    )
    with (workdir / "ours.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready((port, "/readyz"), process)
        yield port, process.pid
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@contextlib.contextmanager
def database(kind: str, postgres: str, workdir: Path) -> Iterator[str]:
    """A fresh database of `kind` (postgresql: a temporary one on `postgres`; sqlite: a file in `workdir`)."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:6]}.db"
        yield f"sqlite:///{path}"
        return
    with temporary_postgres_database(postgres, "supportbot_bench") as url:
        yield url


def run_ours(args: argparse.Namespace, fake_root: str, kind: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="supportbot-bench-") as tmp:
        workdir = Path(tmp)
        with (
            database(kind, args.postgres, workdir) as url,
            serve_ours(url, fake_root, workdir, args.threads, args.knowledge) as ours,
        ):
            port, pid = ours
            idle = memory_mb(pid)
            result = measure(port, fake_root, args)
            result["memory_mb"] = {"idle": idle.get("rss"), **memory_mb(pid)}
            if args.drain:
                engine = create_engine(url)
                result["drain_s"] = wait_drained(engine, result["requests"], timeout=300)
                engine.dispose()
            return {"database": kind, **result}


def run_bare(args: argparse.Namespace, fake_root: str) -> dict[str, Any]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-bare", str(port), "--threads", str(args.threads), "--fake", fake_root],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready((port, "/"), process)
        return measure(port, fake_root, args)
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=50.0, help="offered requests/s in the fixed-rate phase")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of the fixed-rate phase")
    parser.add_argument("--max-duration", type=float, default=5.0, help="seconds of the closed-loop phase")
    parser.add_argument("--concurrency", type=int, default=20, help="clients in the closed-loop phase")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (WEB_THREADS) for both servers")
    parser.add_argument("--databases", default="postgresql,sqlite", help="comma-separated: postgresql, sqlite")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server to create the temporary database on")
    parser.add_argument("--new-connections", action="store_true", help="a new connection per request")
    parser.add_argument("--knowledge", help="the knowledge base ours loads (default: the bundled one)")
    parser.add_argument("--drain", action="store_true", help="wait for every card to be posted (slow)")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fake", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake()
        return
    if args.serve_bare:
        serve_bare(args.serve_bare, args.threads, args.fake)
        return

    fake = subprocess.Popen(
        [sys.executable, __file__, "--serve-fake"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert fake.stdout is not None
        fake_root = fake.stdout.readline().strip()
        bare_before = run_bare(args, fake_root)
        ours = [run_ours(args, fake_root, kind.strip()) for kind in args.databases.split(",") if kind.strip()]
        bare_after = run_bare(args, fake_root)
    finally:
        if fake.stdin is not None:
            fake.stdin.close()
        fake.wait(timeout=10)
    print(json.dumps(report(args, ours, [bare_before, bare_after]), ensure_ascii=False, indent=2))


def report(args: argparse.Namespace, ours: list[dict[str, Any]], bares: list[dict[str, Any]]) -> dict[str, Any]:
    bare_rps = statistics.mean(b["max"]["rps"] for b in bares)
    results: dict[str, Any] = {}
    goals: dict[str, bool] = {}
    for run in ours:
        kind = run["database"]
        ratio = run["max"]["rps"] / bare_rps if bare_rps else math.nan
        results[kind] = {
            "rps": run["max"]["rps"],
            "ratio": round(ratio, 2),
            "p50_ms_at_rate": run["fixed_rate"]["p50_ms"],
            "p99_ms_at_rate": run["fixed_rate"]["p99_ms"],
            **run,
        }
        goals[f"{kind}_p99_ms_at_rate_under_300"] = run["fixed_rate"]["p99_ms"] < 300
        goals[f"{kind}_all_acked_at_rate"] = run["fixed_rate"]["acked"] == run["fixed_rate"]["sent"]
        goals[f"{kind}_throughput_ratio_at_least_0.7"] = ratio >= 0.7
    return {
        "ours": results,
        "bare": {
            "rps": round(bare_rps, 1),
            "rps_before_after": [b["max"]["rps"] for b in bares],
            "p99_ms_at_rate": [b["fixed_rate"]["p99_ms"] for b in bares],
            "runs": bares,
        },
        "goals": goals,
        "setup": {
            "offered_rps": args.rate,
            "duration_s": args.duration,
            "max_duration_s": args.max_duration,
            "concurrency": args.concurrency,
            "web_threads": args.threads,
            "knowledge": args.knowledge or "bundled",
            "keep_alive": not args.new_connections,
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
    }


if __name__ == "__main__":
    main()
