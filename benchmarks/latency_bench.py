"""Small timing goals that unit tests used to assert with a wall clock: now measured here, as JSON.

Usage:
    python benchmarks/latency_bench.py [--repeat 5]

- listener pool: a burst of slash commands bigger than the pool, while every listener's work is held
  back: the slowest ack (goal: far below Bolt's 3 s, under 1.5 s);
- fake Slack: how soon `wait_for_calls` wakes on a call from another thread (goal < 100 ms), how soon a
  client with a 0.1 s timeout gives up on a delayed call (goal < 0.9 s), and how soon `stop()` returns
  with a delayed request in flight (goal < 0.5 s).

Medians and maxima over `--repeat` runs; the machine is shared, so compare figures from one run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_bolt import Ack, App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.devtools.fake_slack import FakeSlack  # noqa: E402
from bot.devtools.signing import slash_command_body  # noqa: E402
from bot.internals.bolt_ack import pace_listeners  # noqa: E402
from bot.listener_pool import ListenerPool  # noqa: E402
from bot.web import WebApp  # noqa: E402


def burst_ack_seconds(fake: FakeSlack, size: int = 8) -> float:
    """The slowest ack of `size` concurrent commands on a pool of 1 work slot and 3 threads, work held back."""
    pool = ListenerPool(work_slots=1, max_threads=3)
    app = App(
        client=WebClient(token="xoxb-bench", base_url=fake.base_url),
        request_verification_enabled=False,
        listener_executor=pool,
    )
    pace_listeners(app, pool)
    gate = threading.Event()

    @app.command("/case")
    def case(ack: Ack) -> None:
        ack()
        gate.wait(30)

    web = WebApp(app, lambda: (True, {}))

    def one(n: int) -> float:
        body = slash_command_body(
            "/case", f"中 {n}", user_id="U1", channel_id="C1", response_url=fake.new_response_url()
        )
        environ = {
            "PATH_INFO": "/slack/events",
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body.encode())),
            "wsgi.input": io.BytesIO(body.encode()),
        }
        started = time.perf_counter()
        list(web(environ, lambda status, headers: None))
        return time.perf_counter() - started

    with ThreadPoolExecutor(size) as clients:
        took = max(clients.map(one, range(size)))
    gate.set()
    pool.shutdown(wait=True)
    return took


def wake_seconds(fake: FakeSlack, client: WebClient) -> float:
    timer = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="後で"))
    started = time.perf_counter()
    timer.start()
    fake.wait_for_calls("chat.postMessage", where=lambda c: c.args.get("text") == "後で", timeout=5)
    timer.join()
    fake.reset()
    return time.perf_counter() - started - 0.05


def client_timeout_seconds(fake: FakeSlack) -> float:
    fake.fail("chat.postMessage", delay=1.0, after_effect=True)
    slow = WebClient(token="xoxb-bench", base_url=fake.base_url, timeout=0.1, retry_handlers=[])  # type: ignore[arg-type]
    started = time.perf_counter()
    with contextlib.suppress(TimeoutError):
        slow.chat_postMessage(channel="C1", text="遅い")
    return time.perf_counter() - started


def stop_seconds() -> float:
    fake = FakeSlack(record=None).start()
    fake.fail("auth.test", delay=5)
    client = WebClient(token="xoxb-bench", base_url=fake.base_url, timeout=0.05, retry_handlers=[])  # type: ignore[arg-type]
    with contextlib.suppress(TimeoutError):
        client.auth_test()
    started = time.perf_counter()
    fake.stop()
    return time.perf_counter() - started


def summary(values: list[float], goal: float) -> dict[str, Any]:
    return {
        "median_ms": round(statistics.median(values) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "goal_ms": goal * 1000,
        "met": max(values) < goal,
    }


def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)  # expected: timeouts, and requests acked on the listeners' behalf
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    burst, wake, timeout, stop = [], [], [], []
    for _ in range(args.repeat):
        with FakeSlack(record=None) as fake:
            client = WebClient(token="xoxb-bench", base_url=fake.base_url, retry_handlers=[])
            burst.append(burst_ack_seconds(fake))
            wake.append(wake_seconds(fake, client))
            timeout.append(client_timeout_seconds(fake))
        stop.append(stop_seconds())
    report = {
        "listener_pool_burst_slowest_ack": summary(burst, 1.5),
        "fake_slack_wait_for_wakes": summary(wake, 0.1),
        "client_timeout_on_a_delayed_call": summary(timeout, 0.9),
        "fake_slack_stop_with_a_request_in_flight": summary(stop, 0.5),
        "setup": {
            "repeat": args.repeat,
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
