"""Work after an ack waits while Slack's requests are being answered, and is never starved by them."""

from __future__ import annotations

import threading

from bot.ack_priority import AckPriority
from bot.listener_pool import ListenerPool


class Frozen:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_with_nothing_being_answered_work_starts_at_once() -> None:
    priority = AckPriority(monotonic=Frozen())
    for _ in range(3):
        priority.wait_turn()  # no wait: nothing to give way to
    assert not priority.busy


def test_while_requests_keep_coming_one_unit_of_work_starts_per_interval() -> None:
    clock = Frozen()
    priority = AckPriority(busy_interval=0.1, monotonic=clock)
    started = threading.Event()

    def second() -> None:
        priority.wait_turn()
        started.set()

    with priority.answering():
        assert priority.busy
        priority.wait_turn()  # the first unit of this interval starts
        waiting = threading.Thread(target=second)
        waiting.start()
        assert not started.wait(0.3)  # the clock stands still: no second turn in this interval
        clock.now = 0.1
        assert started.wait(5)  # the next interval's turn
    waiting.join()


def test_work_waiting_for_its_turn_starts_once_the_front_is_quiet() -> None:
    clock = Frozen()
    priority = AckPriority(busy_interval=10.0, quiet_after=0.005, monotonic=clock)
    started = threading.Event()
    answering = priority.answering()
    answering.__enter__()
    priority.wait_turn()  # this interval's turn is taken

    def work() -> None:
        priority.wait_turn()
        started.set()

    waiting = threading.Thread(target=work)
    waiting.start()
    assert not started.wait(0.3)
    answering.__exit__(None, None, None)  # the last request answered …
    assert not started.wait(0.3)  # … but another may be waiting in the server's queue
    clock.now = 0.005  # quiet for long enough
    assert started.wait(5)
    waiting.join()


def test_the_listener_pool_gives_the_acks_priority_over_the_work() -> None:
    clock = Frozen()
    priority = AckPriority(monotonic=clock)
    pool = ListenerPool(work_slots=2, priority=priority)
    ran = threading.Event()
    with priority.answering():
        priority.wait_turn()  # this interval's turn is taken
        pool.submit(ran.set)  # work with no ack to wait for: it takes a slot, then waits for its turn
        assert not ran.wait(0.3)
    clock.now = 1.0
    assert ran.wait(5)
    pool.shutdown(wait=True)
