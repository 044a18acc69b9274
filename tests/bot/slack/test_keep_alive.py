"""Slack calls over kept-alive connections (bot/slack/keep_alive.py): reused, and failing as urlopen fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.error import HTTPError, URLError
from urllib.request import Request

import pytest

from bot.devtools.fake_slack import FakeSlack
from bot.internals.slack_sdk_transport import KeepAliveWebClient
from bot.slack.client import make_web_client
from bot.slack.keep_alive import ConnectionPool


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def answer(url: str) -> Request:
    body = json.dumps({"text": "受け付けました"}).encode()
    return Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")


def test_calls_from_one_thread_share_one_connection(fake: FakeSlack) -> None:
    client = make_web_client("xoxb-test", fake.base_url, timeout=3)
    assert isinstance(client, KeepAliveWebClient)
    client.chat_postMessage(channel="C0CASES", text="one")
    (first,) = [kept.connection for kept in client.pool._kept().values()]
    client.chat_postMessage(channel="C0CASES", text="two")
    (second,) = [kept.connection for kept in client.pool._kept().values()]
    assert first is second
    assert [m["text"] for m in fake.messages("C0CASES")] == ["one", "two"]


def test_an_idle_connection_is_not_reused(fake: FakeSlack) -> None:
    pool = ConnectionPool(idle=0.0)
    url = fake.new_response_url()
    pool.open(answer(url), 3)
    (first,) = [kept.connection for kept in pool._kept().values()]
    pool.open(answer(url), 3)
    (second,) = [kept.connection for kept in pool._kept().values()]
    assert first is not second and len(fake.calls("response_url")) == 2


def test_errors_are_those_of_urlopen_and_nothing_is_sent_again(fake: FakeSlack) -> None:
    pool = ConnectionPool()
    url = fake.new_response_url()
    fake.fail("response_url", status=500)
    with pytest.raises(HTTPError) as failed:
        pool.open(answer(url), 3)
    assert failed.value.code == 500
    pool.open(answer(url), 3)  # the connection stays usable after an error answer
    fake.fail("response_url", drop=True)
    with pytest.raises(ConnectionError):  # cut off after sending: the caller decides (uncertain)
        pool.open(answer(url), 3)
    assert len(fake.calls("response_url")) == 3
    with pytest.raises(URLError) as refused:
        pool.open(answer("http://127.0.0.1:9/response/1"), 3)  # nothing listens: not sent
    assert isinstance(refused.value.reason, ConnectionRefusedError)


def test_a_connection_the_server_closed_is_not_reused(fake: FakeSlack) -> None:
    pool = ConnectionPool()
    url = fake.new_response_url()
    pool.open(answer(url), 3)
    fake.stop()  # closes the connections it kept open, as a server going away does
    with pytest.raises(URLError) as refused:  # a new connection, refused: never sent on the closed one
        pool.open(answer(url), 3)
    assert isinstance(refused.value.reason, ConnectionRefusedError)
