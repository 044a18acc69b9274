"""Contract: what bot/internals/slack_sdk_transport.py relies on in slack_sdk's WebClient.

Each test pins one numbered behaviour of that module's docstring; when a slack-sdk upgrade changes
it, the test named for it fails, and the kept connections need another look.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any
from urllib.request import Request

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.devtools.fake_slack import FakeSlack
from bot.internals.slack_sdk_transport import KeepAliveWebClient


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def api(fake: FakeSlack) -> str:
    """The fake's Web API base URL, ending with one slash as WebClient expects."""
    return fake.base_url.rstrip("/") + "/"


class Counting(KeepAliveWebClient):
    """Counts the calls of the private method and keeps what slack-sdk's own version returns."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls = 0

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        self.calls += 1
        return super()._perform_urllib_http_request_internal(url, req)


def test_1_one_private_method_sends_each_prepared_request_and_answers_status_headers_body(fake: FakeSlack) -> None:
    params = list(inspect.signature(WebClient._perform_urllib_http_request_internal).parameters)
    assert params == ["self", "url", "req"]
    plain = WebClient(token="xoxb-test", base_url=api(fake))
    url = api(fake) + "chat.postMessage"
    request = Request(url, data=b'{"channel": "C0CASES", "text": "x"}', method="POST")
    request.add_header("Content-Type", "application/json;charset=utf-8")
    request.add_header("Authorization", "Bearer xoxb-test")
    answer = plain._perform_urllib_http_request_internal(url, request)
    assert set(answer) >= {"status", "headers", "body"}
    assert answer["status"] == 200 and isinstance(answer["body"], str)
    client = Counting(token="xoxb-test", base_url=api(fake))
    client.chat_postMessage(channel="C0CASES", text="y")
    assert client.calls == 1


def test_2_retry_handlers_run_around_it_so_a_retried_call_goes_through_it_again(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=0, times=1)
    client = Counting(
        token="xoxb-test", base_url=api(fake), retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    assert client.chat_postMessage(channel="C0CASES", text="z")["ok"]
    assert client.calls == 2
    assert [m["text"] for m in fake.messages("C0CASES")] == ["z"]
