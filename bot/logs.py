"""Logging: readable text by default, one JSON object per line with LOG_FORMAT=json; no secrets.

Redaction happens once, in a filter on the handler, over everything a record can print: the
message, its arguments, the traceback and the stack. Slack tokens are recognised by their shape;
the signing secret (and any other configured secret) by its value, since it has no shape.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import traceback
from datetime import UTC, datetime
from typing import Any

# Slack tokens (bot, user, app, refresh, config) and anything written as "signing_secret=value" or
# "signing secret: value" (on one line: a traceback's source line must not swallow the next one).
_SECRET = re.compile(
    r"(xox[abeposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+"
    r"|(?i:signing[_ -]?secret)[\"']?[ \t]*[:=][ \t]*[\"']?[^\s\"',}]+)"
)
REDACTED = "[redacted]"

# Attributes every LogRecord has; anything else was passed with `extra=` and goes into the JSON.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    text = _SECRET.sub(REDACTED, text)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Removes secrets from a record before any formatter sees it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # Short values would redact ordinary words; real tokens and secrets are long.
        self.secrets = tuple(s for s in secrets if s and len(s) >= 8)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad %-arguments: show what was logged rather than lose the line
            message = f"{record.msg!r} % {record.args!r}"
        cleaned = redact(message, self.secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is printed redacted.
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value, self.secrets))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, process and thread, and any `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
            "thread": record.threadName,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in payload:
                payload[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exception"] = record.exc_text
        if record.stack_info:
            payload["stack"] = record.stack_info
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text", secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "urllib3", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # waitress warns "Task queue depth is N" on every queued request under load: a line per request.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # Warnings and uncaught exceptions go through the same handler too: redacted, and JSON when asked.
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("supportbot").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    if args.exc_value is None:
        logging.getLogger("supportbot").error("uncaught %s in thread %s", args.exc_type.__name__, name)
        return
    logging.getLogger("supportbot").error(
        "uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback)
    )
