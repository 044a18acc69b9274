"""The console waits for the FAQ's embeddings before its first line, so that it answers as the running
bot answers (and as `supportbot faq ask` does), not lexically for the first seconds."""

from __future__ import annotations

from bot.devtools import console_output
from bot.devtools.console_output import wait_for_embeddings


class WarmingIndex:
    """An index whose embeddings are ready after `ready_after` waits (timeouts recorded, nothing slept)."""

    def __init__(self, ready_after: int) -> None:
        self.ready_after = ready_after
        self.waited: list[float | None] = []

    def wait_dense(self, timeout: float | None = None) -> bool:
        self.waited.append(timeout)
        return len(self.waited) > self.ready_after


def waited_for(index: WarmingIndex) -> list[str]:
    said: list[str] = []
    wait_for_embeddings(index, said.append)
    return said


def test_ready_embeddings_are_not_mentioned() -> None:
    index = WarmingIndex(ready_after=0)
    assert waited_for(index) == [] and len(index.waited) == 1


def test_warming_embeddings_are_waited_for_and_said_once() -> None:
    index = WarmingIndex(ready_after=1)
    said = waited_for(index)
    assert said == ["Preparing the FAQ's embeddings (the bot answers lexically until they are ready)…"]
    assert index.waited[-1] == console_output.EMBEDDINGS_WAIT_SECONDS  # bounded, never forever


def test_embeddings_that_never_come_leave_the_console_lexical_and_say_so() -> None:
    said = waited_for(WarmingIndex(ready_after=99))
    assert len(said) == 2 and said[1].startswith("Not ready after 300 s")
