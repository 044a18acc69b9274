"""End-to-end helpers: real `supportbot run` processes, fresh PostgreSQL databases, signed requests.

Each process-level test starts the bot exactly as production does (`python -m bot run`, migrations
at start, waitress, the scheduler) against a FakeSlack in the test process and a database of its
own, created and dropped by the test. Waits are on conditions (a call to the fake, a row in the
database, a port that answers), never on fixed sleeps.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.database import DatabaseUnavailable, temporary_postgres_database
from bot.devtools.fake_slack import Call, FakeSlack
from bot.devtools.recording import Recorder, signing_of
from bot.devtools.signing import signed_headers, slash_command_body

T = TypeVar("T")

POSTGRES_URL = os.environ.get("SUPPORTBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("SUPPORTBOT_REQUIRE_POSTGRES") == "1"

BOT_TOKEN = "xoxb-e2e-1234567890-abcdefghijkl"
SIGNING_SECRET = "e2e0signing0secret0abcdef01234567"
APP_TOKEN = "xapp-1-A0APP-e2e-0123456789abcdef"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN)
# The session's FAQ index cache folder (tests/conftest.py), passed to every bot process as
# SUPPORTBOT_FAQ_INDEX_CACHE: the first start embeds the bundled base (seconds of CPU), the others read it.
E2E_INDEX_CACHE_ENV = "SUPPORTBOT_TEST_INDEX_CACHE"

# Short SLA targets and a one-second sweep, so that breaches happen within a test.
BASE_CONFIG: dict[str, Any] = {
    "language": "ja",
    "channels": {"cases": "C0CASES", "emergency": "C0EMERG", "faq": ["C0FAQ"]},
    "agents": {"users": ["U0AGENT"]},
    "escalation": {"cs_lead": "U0LEAD"},
    "sla": {
        "check_interval": "1s",
        "warn_at": 0.0,
        "renotify": "0",
        "high": {"target": "2s", "calendar": "24x7"},
        "medium": {"target": "8h", "calendar": "24x7"},
        "low": {"target": "8h", "calendar": "24x7"},
    },
    "oncall": {"rotation": ["U0ONCALL1"]},  # one person: on call whatever the date
}


def wait_until(predicate: Callable[[], T], *, timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll a condition (a database row, a port) that no FakeSlack call signals."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- PostgreSQL -----------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (the processes migrate it), dropped afterwards."""
    try:
        with temporary_postgres_database(POSTGRES_URL, "supportbot_e2e") as url:
            yield url
    except DatabaseUnavailable:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but {POSTGRES_URL} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")


def query(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql), params))


# --- configuration ---------------------------------------------------------------------------------


def merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(base))
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def toml_text(data: dict[str, Any], prefix: str = "") -> str:
    """Just enough TOML for supportbot.toml: strings, numbers, booleans, lists of strings, tables."""
    lines: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((f"{prefix}{key}", value))
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    out = "\n".join(lines) + "\n"
    for name, table in tables:
        out += f"\n[{name}]\n" + toml_text(table, prefix=f"{name}.")
    return out


def write_config(directory: Path, **overrides: Any) -> Path:
    path = directory / "supportbot.toml"
    path.write_text(toml_text(merged(BASE_CONFIG, overrides)), encoding="utf-8")
    return path


def bot_env(fake: FakeSlack, database_url: str, config: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process, pointed at the fake Slack; nothing inherited from the shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SUPPORTBOT_", "LOG_"))}
    for name in ("DATABASE_URL", "PORT", "WEB_THREADS"):
        env.pop(name, None)
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_BASE_URL=fake.base_url,
        DATABASE_URL=database_url,
        SUPPORTBOT_CONFIG=str(config),
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    if cache := os.environ.get(E2E_INDEX_CACHE_ENV):
        env["SUPPORTBOT_FAQ_INDEX_CACHE"] = cache
    env.update(extra)
    return env


# --- requests --------------------------------------------------------------------------------------


def http_request(
    url: str,
    path: str,
    *,
    method: str = "GET",
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, str]:
    """One request on its own connection; (status, body)."""
    status, answer, _ = http_exchange(url, path, method=method, body=body, headers=headers, timeout=timeout)
    return status, answer


def http_exchange(
    url: str,
    path: str,
    *,
    method: str = "GET",
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, str, str]:
    """One request on its own connection; (status, body, content type)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        data = body.encode("utf-8") if isinstance(body, str) else body
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        answer = response.read().decode("utf-8", errors="replace")
        return response.status, answer, response.getheader("Content-Type") or ""
    finally:
        connection.close()


def case_command_body(fake: FakeSlack, text: str, *, user: str = "U0AGENT", channel: str = "C0CASES") -> str:
    return slash_command_body(
        "/case",
        text,
        user_id=user,
        channel_id=channel,
        response_url=fake.new_response_url(),
        trigger_id=f"trigger.{uuid.uuid4().hex[:10]}",
    )


def signed(body: str) -> dict[str, str]:
    return signed_headers(body, SIGNING_SECRET)


# --- reading what reached Slack ----------------------------------------------------------------------


def outbox_key(call: Call) -> str:
    """The outbox key a post carries in its metadata ("" for posts that are not from the outbox)."""
    metadata = call.args.get("metadata") or {}
    payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
    return str((payload or {}).get("key", ""))


def landed_posts(fake: FakeSlack) -> list[Call]:
    """chat.postMessage calls that Slack applied (faults with after_effect included, dropped ones not)."""
    return [c for c in fake.calls("chat.postMessage") if c.response is not None and c.response.get("ok")]


def is_breach_page(call: Call) -> bool:
    return call.args.get("channel") == "C0EMERG" and ":breach:" in outbox_key(call)


# --- processes -------------------------------------------------------------------------------------


class BotProcess:
    """`python -m bot run` as a child process, its log in a file (one JSON object per line)."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str, *, port: int | None = None) -> None:
        self.env = env
        self.workdir = workdir
        self.name = name
        self.port = port or free_port()
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BotProcess:
        # Started in its own directory, so a developer's .env in the checkout cannot leak in.
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--port", str(self.port)],
                env=self.env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 20.0) -> None:
        def ready() -> bool:
            if not self.alive():
                raise AssertionError(f"{self.name} exited with {self.returncode()}:\n{self.logs()[-3000:]}")
            try:
                return http_request(self.url, "/readyz", timeout=2)[0] == 200
            except OSError:
                return False

        wait_until(ready, timeout=timeout, what=f"{self.name} to be ready")

    def post(self, body: str, *, headers: dict[str, str] | None = None, timeout: float = 10.0) -> tuple[int, str]:
        """A request from Slack; the answer goes to the conformance record (see bot.devtools.recording)."""
        headers = headers or signed(body)
        status, answer, content_type = http_exchange(
            self.url, "/slack/events", method="POST", body=body, headers=headers, timeout=timeout
        )
        if (recorder := Recorder.from_env()) is not None:
            signing = signing_of(body, headers, SIGNING_SECRET)
            recorder.ack(body, status=status, content_type=content_type, body=answer, signing=signing)
        return status, answer

    def sigterm(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """kill -9: no handler runs, nothing is flushed or released."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def log_records(self) -> list[dict[str, Any]]:
        """Every line of the log parsed as JSON: fails on a line that is not (LOG_FORMAT=json)."""
        records = []
        for line in self.logs().splitlines():
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError:
                    raise AssertionError(f"{self.name} wrote a line that is not JSON: {line[:300]}") from None
        return records

    def assert_clean_logs(self) -> None:
        """Structured, no secret, no stack trace from a request."""
        records = self.log_records()
        text_ = self.logs()
        for secret in SECRETS:
            assert secret not in text_, f"a secret appears in {self.name}'s log"
        assert not [r for r in records if r.get("level") in ("ERROR", "CRITICAL")], self.logs()[-3000:]

    def stop(self) -> None:
        """Cleanup: whatever state the test left the process in."""
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait(timeout=10)
