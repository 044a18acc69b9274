"""Secrets and locations, from the environment (.env.example lists them all).

Behaviour lives in supportbot.toml (bot/config.py). Every mistake here is reported at start with the
variable that is wrong and how to fix it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_SLACK_API_BASE_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///supportbot.db"
DEFAULT_CONFIG_PATH = "supportbot.toml"
DEFAULT_SPOOL_DIR = "spool"  # in the working directory, like the default SQLite file


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message says which and how to fix it."""


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    """Environment variables: secrets and locations (see .env.example)."""

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_base_url: str = DEFAULT_SLACK_API_BASE_URL
    database_url: str = DEFAULT_DATABASE_URL
    config_path: Path = Path(DEFAULT_CONFIG_PATH)
    config_path_given: bool = False
    database_url_given: bool = False
    faq_index_cache: Path | None = None
    spool_dir: Path = Path(DEFAULT_SPOOL_DIR)  # requests acknowledged while the database was down (bot/spool.py)
    port: int = 3000
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    web_threads: int = 8

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def has_slack(self) -> bool:
        return bool(self.slack_bot_token)

    def require_slack(self) -> None:
        """Fail with a clear message when tokens needed for Slack are missing or malformed."""
        problems = []
        if not self.slack_bot_token or not self.slack_bot_token.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN must be the Bot User OAuth Token (starts with xoxb-)")
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN must be an app-level token with connections:write (starts with xapp-)")
        if not self.slack_app_token and not self.slack_signing_secret:
            problems.append(
                "SLACK_SIGNING_SECRET is required in HTTP mode (Basic Information > App Credentials); "
                "or set SLACK_APP_TOKEN for Socket Mode"
            )
        if problems:
            raise ConfigError("Slack settings:\n" + "\n".join(f"  - {p}" for p in problems))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        problems: list[str] = []

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        base_url = get("SLACK_API_BASE_URL") or DEFAULT_SLACK_API_BASE_URL
        if not re.match(r"^https?://", base_url):
            problems.append(
                f"SLACK_API_BASE_URL={base_url!r} must start with https:// (e.g. {DEFAULT_SLACK_API_BASE_URL})"
            )
        if not base_url.endswith("/"):
            base_url += "/"
        port = _whole_number("PORT", get("PORT"), 3000, (0, 65535), "a port number", problems)
        threads = _whole_number("WEB_THREADS", get("WEB_THREADS"), 8, (1, 256), "a number of threads", problems)
        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in _LOG_LEVELS:
            problems.append(f"LOG_LEVEL={log_level!r} must be one of {', '.join(_LOG_LEVELS)}")
        log_format = (get("LOG_FORMAT") or "text").lower()
        if log_format not in ("text", "json"):
            problems.append(f'LOG_FORMAT={log_format!r} must be "text" or "json"')
        database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        if "://" not in database_url:
            problems.append(
                f"DATABASE_URL={database_url!r} must be a SQLAlchemy URL such as sqlite:///supportbot.db "
                "or postgresql+psycopg://user@host:5432/dbname"
            )
        if problems:
            raise ConfigError("Environment:\n" + "\n".join(f"  - {p}" for p in problems))
        return cls(
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_base_url=base_url,
            database_url=normalise_database_url(database_url),
            config_path=Path(get("SUPPORTBOT_CONFIG") or DEFAULT_CONFIG_PATH),
            config_path_given=get("SUPPORTBOT_CONFIG") is not None,
            database_url_given=get("DATABASE_URL") is not None,
            faq_index_cache=Path(cache) if (cache := get("SUPPORTBOT_FAQ_INDEX_CACHE")) else None,
            spool_dir=Path(get("SUPPORTBOT_SPOOL_DIR") or DEFAULT_SPOOL_DIR),
            port=port,
            log_level=log_level,
            log_format=log_format,  # type: ignore[arg-type]
            web_threads=threads,
        )


def _whole_number(
    name: str, text: str | None, default: int, bounds: tuple[int, int], what: str, problems: list[str]
) -> int:
    """An integer variable within `bounds`; a wrong one is added to `problems` (and the default used)."""
    if text is None:
        return default
    if not text.isdigit() or not bounds[0] <= int(text) <= bounds[1]:
        problems.append(f"{name}={text!r} must be {what} such as {default}")
        return default
    return int(text)


def normalise_database_url(url: str) -> str:
    """Accept the URLs platforms hand out (postgres://, postgresql://) and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
