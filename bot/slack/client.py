"""The one factory for Slack Web API clients, with retries that never post twice.

slack-sdk retries only connection errors, once, by default. Here every client also waits out
rate limits (429 + Retry-After, up to a bound) and retries server errors and dropped connections —
but only for calls that are safe to repeat. A `chat.postMessage` that timed out or got a 5xx may
have landed; repeating it blindly posts twice, so those errors go back to the caller (the outbox
keeps the message and checks before sending again).
"""

from __future__ import annotations

from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.internals.slack_sdk_transport import KeepAliveWebClient

# Methods whose repetition has a visible effect (a second message, a second modal).
NOT_IDEMPOTENT = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "chat.meMessage",
        "views.open",
        "views.push",
        "files.upload",
        "files.completeUploadExternal",
    }
)

MAX_RATE_LIMIT_WAIT = 10  # seconds; longer waits go back to the caller, who reschedules
# How long a client waits before retrying a dropped connection or a server error: slack-sdk's own backoff
# (0.5 s, then 1 s, each plus up to a second of jitter). The test suite, whose fake Slack fails on purpose,
# makes it a few milliseconds (tests/conftest.py).
RETRY_INTERVAL: RetryIntervalCalculator = BackoffRetryIntervalCalculator(backoff_factor=0.5)


def api_method(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1]


def _refused_before_sending(error: Exception | None) -> bool:
    return isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError)


class SafeConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """Connection errors: any method when the connection was refused, idempotent methods otherwise."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if api_method(request) in NOT_IDEMPOTENT and not _refused_before_sending(error):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class IdempotentServerErrorRetryHandler(ServerErrorRetryHandler):
    """5xx: retried only where a repeat cannot duplicate anything."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if api_method(request) in NOT_IDEMPOTENT:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """429: wait and retry when Slack asks for a short pause; give up on long ones (the caller reschedules)."""

    def __init__(self, max_retry_count: int = 2, max_wait: float = MAX_RATE_LIMIT_WAIT) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        return retry_after_seconds(response.headers) <= self.max_wait


def retry_after_seconds(headers: dict[str, Any]) -> float:
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return 1.0
    return 1.0


def make_web_client(token: str | None, base_url: str, *, timeout: int = 10) -> WebClient:
    """Every WebClient in the app comes from here (handlers, scheduler, console, doctor); its calls reuse
    connections (bot/slack/keep_alive.py)."""
    if not base_url.endswith("/"):
        base_url += "/"
    return KeepAliveWebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            BoundedRateLimitRetryHandler(),
            SafeConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=RETRY_INTERVAL),
            IdempotentServerErrorRetryHandler(max_retry_count=2, interval_calculator=RETRY_INTERVAL),
        ],
    )
