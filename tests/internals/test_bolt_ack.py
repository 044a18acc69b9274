"""Contract: what bot/internals/bolt_ack.py relies on in slack_bolt's listener runner.

Each test pins one numbered behaviour of that module's docstring; when a Bolt upgrade changes it, the
test named for it fails, and the paced ack needs another look (or Bolt's lazy listeners instead).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.signing import event_body, slash_command_body
from bot.internals.bolt_ack import PacedAck
from bot.listener_pool import ListenerPool


class WatchingExecutor(ThreadPoolExecutor):
    """Notes, for each submit(), the calling thread and whether the request's ack was already answered."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.submits: list[tuple[int, bool]] = []
        self.ack: Ack | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submits.append((threading.get_ident(), self.ack is not None and self.ack.response is not None))
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
def executor() -> Iterator[WatchingExecutor]:
    pool = WatchingExecutor()
    yield pool
    pool.shutdown(wait=True)


def make_app(fake: FakeSlack, executor: Any) -> App:
    return App(
        client=WebClient(token="xoxb-contract", base_url=fake.base_url),
        request_verification_enabled=False,
        token_verification_enabled=False,
        listener_executor=executor,
    )


def command(fake: FakeSlack) -> BoltRequest:
    body = slash_command_body("/case", "help", user_id="U1", channel_id="C1", response_url=fake.new_response_url())
    return BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})


def test_1_the_ack_a_global_middleware_puts_in_context_is_the_listeners_and_answers_the_request(
    fake_slack: FakeSlack, executor: WatchingExecutor
) -> None:
    app = make_app(fake_slack, executor)
    mine = Ack()
    dispatching = threading.get_ident()
    seen: dict[str, Any] = {}

    @app.middleware
    def swap(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
        seen["middleware_thread"] = threading.get_ident()
        context["ack"] = mine
        return next()

    @app.command("/case")
    def listener(ack: Ack) -> None:
        seen["listener_ack"] = ack
        ack(text="使い方")

    response = app.dispatch(command(fake_slack))
    assert seen["middleware_thread"] == dispatching
    assert seen["listener_ack"] is mine
    assert mine.response is not None and response.body == mine.response.body == "使い方"


def test_2_the_runner_submits_the_listener_from_the_dispatching_thread_then_lazy_work(
    fake_slack: FakeSlack, executor: WatchingExecutor
) -> None:
    app = make_app(fake_slack, executor)
    done = threading.Event()

    def acknowledge(ack: Ack) -> None:
        ack()

    def work() -> None:
        done.set()

    app.command("/case")(ack=acknowledge, lazy=[work])
    app.dispatch(command(fake_slack))
    assert done.wait(5)
    dispatching = threading.get_ident()
    assert [thread for thread, _ in executor.submits] == [dispatching, dispatching]  # the listener, then the lazy one


def test_2_an_event_is_acked_before_its_listener_is_submitted(
    fake_slack: FakeSlack, executor: WatchingExecutor
) -> None:
    app = make_app(fake_slack, executor)

    @app.middleware
    def watch(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
        executor.ack = context.ack
        return next()

    @app.event("reaction_added")
    def listener() -> None:
        return None

    body = event_body({"type": "reaction_added", "user": "U1", "reaction": "eyes", "event_ts": "1700000000.000100"})
    response = app.dispatch(BoltRequest(body=body, headers={"content-type": ["application/json"]}))
    assert response.status == 200
    assert executor.submits == [(threading.get_ident(), True)]


def test_3_the_runner_forgets_the_ack_when_a_listener_raises_after_acking(
    fake_slack: FakeSlack, executor: WatchingExecutor
) -> None:
    app = make_app(fake_slack, executor)
    mine = Ack()
    raised = threading.Event()

    @app.middleware
    def swap(context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
        context["ack"] = mine
        return next()

    @app.command("/case")
    def listener(ack: Ack) -> None:
        ack()
        raised.set()
        raise RuntimeError("the database refused the connection")

    @app.error
    def quiet(error: Exception) -> None:
        return None

    # The request thread would now wait out the 3 s (nothing to answer with); the test does not wait with it.
    threading.Thread(target=app.dispatch, args=(command(fake_slack),), daemon=True).start()
    assert raised.wait(5)
    executor.shutdown(wait=True)  # the listener's run, Bolt's error path included, is over
    assert mine.response is None  # Bolt reset it: a PacedAck does not let it


def test_a_paced_ack_keeps_its_response_once_acked() -> None:
    pool = ListenerPool(work_slots=1)
    ack = PacedAck(pool)
    ack()
    answered = ack.response
    ack.response = None  # what Bolt's runner does after a listener raised (contract 3)
    assert answered is not None and ack.response is answered and ack.acked
    pool.shutdown(wait=True)
