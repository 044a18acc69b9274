from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

from bot.devtools.fake_slack import FakeSlack
from bot.models import OutboxMessage
from bot.notify import PermanentDeliveryError, TransientDeliveryError, UncertainDelivery
from bot.slack import client as slack_client
from bot.slack.client import make_web_client
from bot.slack.notifier import METADATA_EVENT_TYPE, SlackNotifier, SlackPost


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def message(kind: str = "post", *, id: int = 7) -> OutboxMessage:
    return OutboxMessage(
        id=id,
        dedupe_key=f"test:{id}",
        kind=kind,
        payload={},
        created_at=datetime.now(UTC),
        next_attempt_at=datetime.now(UTC),
    )


def notifier(fake: FakeSlack, *, thread_ts: str | None = None, update_ts: str | None = None) -> SlackNotifier:
    client = make_web_client("xoxb-test", fake.base_url, timeout=3)
    post = SlackPost(channel="C0CASES", text="hello", thread_ts=thread_ts, update_ts=update_ts)
    return SlackNotifier(client, {"post": lambda _m: post})


def posts(fake: FakeSlack) -> list[dict]:
    return [m for m in fake.messages("C0CASES") if m.get("bot_id")]


def test_posts_with_metadata_naming_the_outbox_row(fake: FakeSlack) -> None:
    delivered = notifier(fake).deliver(message(), verify=False)
    (posted,) = posts(fake)
    assert delivered.ts == posted["ts"] and delivered.channel == "C0CASES"
    assert posted["metadata"]["event_type"] == METADATA_EVENT_TYPE
    assert posted["metadata"]["event_payload"]["outbox_id"] == 7


def test_a_5xx_after_the_post_landed_is_found_and_not_posted_twice(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=500, after_effect=True)
    slack = notifier(fake)
    with pytest.raises(UncertainDelivery):
        slack.deliver(message(), verify=False)
    assert len(posts(fake)) == 1  # it did land, and the client did not retry blindly
    delivered = slack.deliver(message(), verify=True)
    assert len(posts(fake)) == 1
    assert delivered.ts == posts(fake)[0]["ts"]


def test_a_thread_reply_is_found_in_the_thread(fake: FakeSlack) -> None:
    parent = fake.add_message("C0CASES", "case card", user="UBOT")
    fake.fail("chat.postMessage", status=500, after_effect=True)
    slack = notifier(fake, thread_ts=parent["ts"])
    with pytest.raises(UncertainDelivery):
        slack.deliver(message(), verify=False)
    slack.deliver(message(), verify=True)
    replies = [m for m in fake.messages("C0CASES") if m.get("thread_ts") == parent["ts"] and m.get("bot_id")]
    assert len(replies) == 1


@pytest.mark.parametrize("in_thread", [True, False], ids=["conversations.replies", "conversations.history"])
def test_the_landed_check_sends_its_arguments_where_slack_reads_them(fake: FakeSlack, in_thread: bool) -> None:
    """Slack ignores a JSON body to conversations.replies: the check found nothing and posted twice."""
    parent = fake.add_message("C0CASES", "case card", user="UBOT")
    fake.fail("chat.postMessage", status=500, after_effect=True)
    slack = notifier(fake, thread_ts=parent["ts"] if in_thread else None)
    with pytest.raises(UncertainDelivery):
        slack.deliver(message(), verify=False)
    slack.deliver(message(), verify=True)
    (check,) = fake.calls("conversations.replies" if in_thread else "conversations.history")
    assert "json" not in check.headers.get("content-type", "")
    assert check.args["channel"] == "C0CASES" and check.args["include_all_metadata"] == "1"
    assert check.response is not None and check.response["ok"]
    assert len(fake.calls("chat.postMessage")) == 1  # found, not posted again


def test_a_5xx_that_did_not_land_is_posted_on_the_next_attempt(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=503)
    slack = notifier(fake)
    with pytest.raises(UncertainDelivery):
        slack.deliver(message(), verify=False)
    assert posts(fake) == []
    slack.deliver(message(), verify=True)
    assert len(posts(fake)) == 1


def test_a_dropped_connection_on_a_post_is_uncertain(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", drop=True, after_effect=True)
    slack = notifier(fake)
    with pytest.raises(UncertainDelivery):
        slack.deliver(message(), verify=False)
    slack.deliver(message(), verify=True)
    assert len(posts(fake)) == 1


def test_short_rate_limits_are_waited_out_by_the_client(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=0)
    notifier(fake).deliver(message(), verify=False)
    assert len(fake.calls("chat.postMessage")) == 2
    assert len(posts(fake)) == 1


def test_long_rate_limits_go_back_to_the_outbox(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=120)
    with pytest.raises(TransientDeliveryError) as error:
        notifier(fake).deliver(message(), verify=False)
    assert error.value.retry_after == 120
    assert len(fake.calls("chat.postMessage")) == 1
    assert posts(fake) == []


def test_unknown_channel_is_permanent(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", error="channel_not_found")
    with pytest.raises(PermanentDeliveryError, match="channel_not_found"):
        notifier(fake).deliver(message(), verify=False)


def test_updates_are_retried_by_the_client_on_server_errors(fake: FakeSlack) -> None:
    card = fake.add_message("C0CASES", "old", user="UBOT")
    fake.fail("chat.update", status=500)
    delivered = notifier(fake, update_ts=card["ts"]).deliver(message(), verify=False)
    assert delivered.ts == card["ts"]
    assert len(fake.calls("chat.update")) == 2
    assert fake.messages("C0CASES")[0]["text"] == "hello"


def test_refused_connections_are_safe_to_retry_later(fake: FakeSlack) -> None:
    slack = notifier(fake)
    fake.stop()
    with pytest.raises(TransientDeliveryError):
        slack.deliver(message(), verify=False)


def test_unknown_kind_is_permanent(fake: FakeSlack) -> None:
    with pytest.raises(PermanentDeliveryError, match="no renderer"):
        notifier(fake).deliver(message("nope"), verify=False)


@pytest.mark.parametrize("in_thread", [False, True], ids=["channel", "thread"])
def test_the_landed_check_pages_through_a_busy_channel(fake: FakeSlack, in_thread: bool) -> None:
    """Issue 14: only the newest 200 messages were read; a post under 450 newer ones was posted again."""
    parent = fake.add_message("C0CASES", "case card", user="UBOT")
    fake.fail("chat.postMessage", status=500, after_effect=True)
    slack = notifier(fake, thread_ts=parent["ts"] if in_thread else None)
    with pytest.raises(UncertainDelivery):
        slack.deliver(message(), verify=False)
    for n in range(450):  # the channel (or thread) moves on while the lease runs
        fake.add_message("C0CASES", f"busy {n}", user="U0OTHER", thread_ts=parent["ts"] if in_thread else None)
    delivered = slack.deliver(message(), verify=True)
    assert len(fake.calls("chat.postMessage")) == 1  # found on a later page, not posted again
    method = "conversations.replies" if in_thread else "conversations.history"
    checks = fake.calls(method)
    assert checks and all(c.args.get("oldest") for c in checks)
    if not in_thread:  # history is newest first: the post is on the third page
        assert len(checks) == 3 and checks[2].args.get("cursor")
    (landed,) = [m for m in fake.messages("C0CASES") if m.get("bot_id")]
    assert delivered.ts == landed["ts"]


def test_the_landed_check_reads_only_the_window_since_the_row_was_queued(fake: FakeSlack) -> None:
    fake.add_message("C0CASES", "long before", user="U0OTHER")
    slack = notifier(fake)
    queued = message()
    queued.created_at = datetime.now(UTC)
    slack.deliver(queued, verify=True)  # nothing found: posted
    (check,) = fake.calls("conversations.history")
    assert float(check.args["oldest"]) == pytest.approx(queued.created_at.timestamp() - 300, abs=1)
    assert len(posts(fake)) == 1


def test_retries_wait_the_clients_retry_interval(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropped connections and server errors wait `RETRY_INTERVAL` between tries (slack-sdk's backoff in
    production, shortened for the test session by tests/conftest.py): every client of the factory uses it."""
    waits: list[int] = []

    class Counted(BackoffRetryIntervalCalculator):
        def calculate_sleep_duration(self, current_attempt: int) -> float:
            waits.append(current_attempt)
            return 0.0

    monkeypatch.setattr(slack_client, "RETRY_INTERVAL", Counted())
    card = fake.add_message("C0CASES", "old", user="UBOT")
    fake.fail("chat.update", status=500, times=2)
    make_web_client("xoxb-test", fake.base_url).chat_update(channel="C0CASES", ts=card["ts"], text="new")
    assert waits == [0, 1] and len(fake.calls("chat.update")) == 3  # two retries, each after the interval
