"""Logs: one JSON object per line with LOG_FORMAT=json, and no token or signing secret, anywhere in a record."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.logs import REDACTED, JsonFormatter, RedactingFilter, configure_logging, redact

BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A0APP-1234567890-abcdef0123456789"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # no recognisable shape: redacted by value
SECRETS = [BOT_TOKEN, SIGNING_SECRET, APP_TOKEN]


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], io.StringIO]]:
    """configure_logging into a buffer; everything it changes globally is put back afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook, threading.excepthook)
    levels = {name: logging.getLogger(name).level for name in ("apscheduler", "urllib3", "waitress.queue")}

    def run(fmt: str) -> io.StringIO:
        buffer = io.StringIO()
        monkeypatch.setattr(sys, "stderr", buffer)
        configure_logging("INFO", fmt, secrets=SECRETS)
        return buffer

    yield run
    root.handlers[:], level, sys.excepthook, threading.excepthook = saved
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)
    logging.captureWarnings(False)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_time_level_logger_message_process_thread_and_extras(
    configure: Callable[[str], io.StringIO],
) -> None:
    buffer = configure("json")
    logging.getLogger("bot.cases").info("opened case #%d", 42, extra={"case": 42, "channel": "C0CASES"})
    (record,) = lines(buffer)
    assert record["level"] == "INFO" and record["logger"] == "bot.cases" and record["message"] == "opened case #42"
    assert record["case"] == 42 and record["channel"] == "C0CASES"
    assert record["pid"] > 0 and record["thread"] == threading.current_thread().name
    assert record["time"].endswith("+00:00")


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_secrets_are_redacted_in_messages_arguments_tracebacks_stacks_and_extras(
    configure: Callable[[str], io.StringIO], fmt: str
) -> None:
    buffer = configure(fmt)
    log = logging.getLogger("slack_sdk.web.base_client")
    log.info("calling with token=%s", BOT_TOKEN)
    log.warning("Socket Mode with %s", APP_TOKEN)
    log.info("signing secret is %s", SIGNING_SECRET, extra={"header": f"Bearer {BOT_TOKEN}"})
    try:
        raise RuntimeError(f"auth failed for {BOT_TOKEN} / {SIGNING_SECRET}")
    except RuntimeError:
        log.exception("request failed")
    log.info("where am I (%s)", SIGNING_SECRET, stack_info=True)
    output = buffer.getvalue()
    for secret in SECRETS:
        assert secret not in output
    assert output.count(REDACTED) >= 6
    assert "RuntimeError: auth failed for [redacted] / [redacted]" in output
    if fmt == "json":
        records = lines(buffer)
        assert len(records) == 5
        assert records[2]["header"] == f"Bearer {REDACTED}"
        assert "Traceback" in records[3]["exception"] and "stack" in records[4]


def test_short_or_empty_secrets_do_not_redact_ordinary_words() -> None:
    record = logging.makeLogRecord({"msg": "the case is open", "args": None})
    RedactingFilter(["", "case", "open"]).filter(record)
    assert record.getMessage() == "the case is open"


def test_token_shapes_are_recognised_without_being_configured() -> None:
    assert redact(f"tokens {BOT_TOKEN} and xoxp-1-2-3 and xoxe.xoxp-1-abc") == (
        f"tokens {REDACTED} and {REDACTED} and xoxe.{REDACTED}"
    )
    assert redact("SLACK_SIGNING_SECRET=abc123 rest") == f"SLACK_{REDACTED} rest"


def test_a_record_with_bad_arguments_is_still_logged() -> None:
    record = logging.makeLogRecord({"msg": "two values %s %s", "args": ("one",)})
    assert RedactingFilter(SECRETS).filter(record)
    assert "two values" in JsonFormatter().format(record)


def test_uncaught_exceptions_in_threads_and_warnings_are_json_too(configure: Callable[[str], io.StringIO]) -> None:
    buffer = configure("json")

    def crash() -> None:
        raise ValueError(f"boom with {BOT_TOKEN}")

    thread = threading.Thread(target=crash, name="worker-1")
    thread.start()
    thread.join()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
    records = lines(buffer)  # every line parsed: nothing bypassed the formatter
    crashed = next(r for r in records if r["message"] == "uncaught exception in thread worker-1")
    assert crashed["level"] == "ERROR" and "ValueError: boom with [redacted]" in crashed["exception"]
    assert any("old API" in r["message"] and r["logger"] == "py.warnings" for r in records)
    assert BOT_TOKEN not in buffer.getvalue()


def test_waitress_queue_depth_warnings_are_silenced(configure: Callable[[str], io.StringIO]) -> None:
    buffer = configure("json")
    logging.getLogger("waitress.queue").warning("Task queue depth is 3")
    logging.getLogger("waitress").error("a real waitress error")
    assert [r["message"] for r in lines(buffer)] == ["a real waitress error"]
