"""Bolt's ack, paced: the one place that relies on how slack_bolt (1.30) runs a listener.

Why: Bolt runs each listener on its `listener_executor` and holds the HTTP answer until the listener
calls ack(). Our listeners ack, then work in the same function; to keep acks fast under load, the
work after an ack waits its turn (bot/listener_pool.py), and that needs to know when ack() happened.
Bolt's public seam for this is the lazy listener (an ack function and work functions registered
apart); adopting it means splitting every listener in handlers/, which the listener restructuring
will do — then this module goes (README, "How it works").

Relied on, each pinned by a test in tests/internals/test_bolt_ack.py:
1. A global middleware runs in the thread that dispatches the request, before the listener runner;
   the object it puts in `context["ack"]` is the `ack` the listener receives, and the one whose
   `.response` the runner polls (every 10 ms, for up to 3 s) to answer the request.
2. The runner then calls `listener_executor.submit()` from that same thread, first for the
   listener (after acking on its behalf when it is an event listener), then for lazy listeners —
   so the request's ack reaches the executor through a thread-local (ListenerPool.expect).
3. When a listener raises after ack(), the runner sets `ack.response = None`; if the request thread
   had not seen the ack yet, it then waits out the 3 s and Bolt answers 404. PacedAck keeps its
   response once set.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, BoltResponse

if TYPE_CHECKING:
    from bot.listener_pool import ListenerPool

log = logging.getLogger(__name__)

# The context key of a callable that runs work after the ack — on the pool's work slots, or at once
# with process_before_response (the console) — for a listener middleware that answers a request
# itself (handlers/commands/case.py).
AFTER_ACK = "after_ack"
# Requests whose ack carries nothing Slack needs synchronously: they may be acked on a listener's behalf.
# (A modal submission's ack carries its validation errors; options requests carry the options.)
DEFERRABLE_TYPES = frozenset({"block_actions", "interactive_message", "message_action", "shortcut"})


class PacedAck(Ack):
    """Bolt's ack, which then waits for a work slot: the answer to Slack is out before the turn comes.

    When the pool has no thread for the listener right away, it answers Slack itself (`defer`), and
    whatever the listener later puts in its ack (a slash command's usage text) goes to response_url,
    which shows the user the same ephemeral message.
    """

    def __init__(self, pool: ListenerPool, *, deferrable: bool = False, respond: Any = None) -> None:
        super().__init__()
        self.pool = pool
        self.deferrable = deferrable
        self.respond = respond
        self.deferred = False
        self.listener_started = False  # a listener ran for this request (read by handlers/errors.py)
        self._lock = threading.Lock()

    @property
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        # Contract 3: once acked, stay acked.
        if value is None and getattr(self, "_response", None) is not None:
            return
        self._response = value

    @property
    def acked(self) -> bool:
        return self.response is not None

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        with self._lock:
            deferred = self.deferred
            if not deferred:
                super().__call__(*args, **kwargs)
        if deferred:
            self._forward(*args, **kwargs)
        self.pool.work_after_ack(self)
        response = self.response
        assert response is not None
        return response

    def defer(self) -> bool:
        """Ack now with an empty 200, unless the listener was quicker; True when deferred."""
        with self._lock:
            if self.response is not None or not self.deferrable:
                return False
            super().__call__()
            self.deferred = True
            return True

    def _forward(
        self, text: Any = "", blocks: Any = None, *_: Any, response_type: str | None = None, **__: Any
    ) -> None:
        """Send what the listener acked with to response_url (slash commands; buttons ack with nothing)."""
        message = dict(text) if isinstance(text, dict) else {"text": text or "", "blocks": blocks}
        if response_type:
            message["response_type"] = response_type
        if not (message.get("text") or message.get("blocks")) or self.respond is None:
            return
        message.setdefault("response_type", "ephemeral")
        try:
            self.respond(**{k: v for k, v in message.items() if v is not None})
        except Exception:
            log.warning("could not send a deferred ack's message", exc_info=True)


def pace_listeners(app: App, pool: ListenerPool, *, process_before_response: bool = False) -> None:
    """Give every request a PacedAck, so that `pool` (the app's listener executor) can pace its listener."""
    # The app's listener executor (the pool, maybe wrapped to time the work: bot/slack/metering.py).
    executor = app.listener_runner.listener_executor
    after_ack: Callable[[Callable[[], Any]], Any] = _at_once if process_before_response else executor.submit

    @app.middleware
    def pace(body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]) -> Any:
        command = bool(body.get("command"))
        deferrable = not process_before_response and (command or body.get("type") in DEFERRABLE_TYPES)
        ack = PacedAck(pool, deferrable=deferrable, respond=context.respond if command else None)
        context["ack"] = ack  # contract 1
        context[AFTER_ACK] = after_ack
        pool.expect(ack)  # contract 2: Bolt submits the listener from this thread next
        return next()


def _at_once(work: Callable[[], Any]) -> None:
    """process_before_response: the work is done before the answer, as Bolt does the listener's."""
    work()
