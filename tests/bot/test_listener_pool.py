"""The listener executor: acks never wait behind other requests' work, even in a burst."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.signing import slash_command_body
from bot.internals.bolt_ack import pace_listeners
from bot.listener_pool import ListenerPool
from bot.web import WebApp
from tests.bot.test_web import call, ready


def paced_app(fake: FakeSlack, pool: ListenerPool) -> App:
    app = App(
        client=WebClient(token="xoxb-test", base_url=fake.base_url),
        request_verification_enabled=False,
        listener_executor=pool,
    )
    pace_listeners(app, pool)
    return app


def post_command(web: WebApp, fake: FakeSlack, text_: str) -> tuple[int, bytes, str]:
    response_url = fake.new_response_url()
    body = slash_command_body("/case", text_, user_id="U0AGENT", channel_id="C0CASES", response_url=response_url)
    status, _, answer = call(web, body=body.encode())
    return status, answer, response_url


def test_a_burst_bigger_than_the_pool_is_acked_at_once_and_worked_off_in_turn(fake_slack: FakeSlack) -> None:
    pool = ListenerPool(work_slots=1, max_threads=3)
    app = paced_app(fake_slack, pool)
    gate = threading.Event()
    worked: list[str] = []

    @app.command("/case")
    def case(ack: Ack, command: dict[str, Any]) -> None:
        if command["text"] == "help":
            ack(text="使い方: /case 高 件名")  # the listener's ack carries a message
            return
        ack()
        gate.wait(30)  # slow work: one listener works, two wait for the slot, the rest have no thread
        worked.append(command["text"])

    web = WebApp(app, ready)
    with ThreadPoolExecutor(8) as clients:
        burst = list(clients.map(lambda n: post_command(web, fake_slack, f"中 件名 {n}"), range(8)))
        status, answer, response_url = post_command(web, fake_slack, "help")
    # Every request was answered while the work was still held back: the acks did not wait for it
    # (Bolt alone would have waited 3 s for the listeners without a thread, then answered 404).
    assert not gate.is_set() and worked == []
    assert [b[0] for b in burst] == [200] * 8
    # Acked on the listener's behalf (an empty 200); its message arrives through response_url instead.
    assert status == 200 and answer == b""
    gate.set()
    (reply,) = fake_slack.wait_for_calls("response_url", where=lambda c: c.args["_url"] == response_url)
    assert reply.args["text"] == "使い方: /case 高 件名" and reply.args["response_type"] == "ephemeral"
    pool.shutdown(wait=True)  # every queued listener ran
    assert sorted(worked) == sorted(f"中 件名 {n}" for n in range(8))


def test_with_threads_free_the_listener_answers_its_own_ack(fake_slack: FakeSlack) -> None:
    pool = ListenerPool(work_slots=2, max_threads=4)
    app = paced_app(fake_slack, pool)

    @app.command("/case")
    def case(ack: Ack) -> None:
        ack(text="使い方")

    status, answer, _ = post_command(WebApp(app, ready), fake_slack, "help")
    assert status == 200 and answer == "使い方".encode()
    pool.shutdown(wait=True)
    assert fake_slack.calls("response_url") == []


def test_a_listener_failing_right_after_its_ack_is_still_acked(fake_slack: FakeSlack) -> None:
    """Bolt resets ack.response to None when a listener raises after ack(); the request must not then
    wait 3 s and answer 404 (seen with a database that refuses connections, which fails that fast)."""
    pool = ListenerPool(work_slots=2)
    app = paced_app(fake_slack, pool)

    @app.command("/case")
    def case(ack: Ack) -> None:
        ack()
        raise RuntimeError("database refused the connection")

    @app.error
    def on_error(error: Exception) -> None:
        return None

    web = WebApp(app, ready)
    statuses = [post_command(web, fake_slack, f"中 件名 {n}")[0] for n in range(3)]
    assert statuses == [200, 200, 200]  # without the paced ack: 404 after a 3 s wait
    pool.shutdown(wait=True)


def test_wait_idle_returns_once_every_listener_has_finished() -> None:
    pool = ListenerPool(work_slots=1, max_threads=4)
    release = threading.Event()
    done: list[int] = []

    def slow(n: int) -> None:
        release.wait(5)
        done.append(n)

    for n in range(3):
        pool.submit(slow, n)
    assert pool.wait_idle(0.1) is False  # still working
    release.set()
    assert pool.wait_idle(5) is True
    assert sorted(done) == [0, 1, 2]
    pool.shutdown(wait=True)


class Held:
    """A request's pacing for tests: records whether the pool acked it on the listener's behalf."""

    listener_started = False

    def __init__(self) -> None:
        self.deferred = False

    @property
    def acked(self) -> bool:
        return self.deferred

    def defer(self) -> bool:
        self.deferred = True
        return True


def test_a_burst_beyond_every_thread_is_acked_for_its_listeners_even_before_the_threads_start() -> None:
    """Requests arriving before the spawner has started the threads were queued without an ack (404 after 3 s)."""
    pool = ListenerPool(work_slots=1, max_threads=2)
    release = threading.Event()
    requests = [Held() for _ in range(4)]
    for request in requests:
        pool.expect(request)
        pool.submit(release.wait, 10)
    assert [r.deferred for r in requests] == [False, False, True, True]
    release.set()
    pool.shutdown(wait=True)
