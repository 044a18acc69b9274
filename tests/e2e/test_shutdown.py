"""SIGTERM to `supportbot run`: it stops listening, finishes what it started, and exits 0 promptly.

Two kinds of work are in progress when the signal comes: an HTTP request still being handled
(blocked on a table lock the test holds) and a `/case` listener that has acked and is waiting for
Slack to answer its card post. Both must complete before the process exits.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.signing import event_body
from tests.e2e import BotProcess, bot_env, case_command_body, fresh_database, query, wait_until, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def _refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


def test_sigterm_finishes_requests_and_listeners_in_progress_then_exits_0(tmp_path: Path) -> None:
    with FakeSlack() as fake, fresh_database() as url:
        bot = BotProcess(bot_env(fake, url, write_config(tmp_path)), tmp_path, "bot").start()
        engine = create_engine(url)
        locker = engine.connect()
        try:
            bot.wait_ready()
            # 1. A listener in progress: /case acked, its card post waiting 1.5 s for Slack's answer.
            fake.fail("chat.postMessage", status=200, delay=1.5)
            assert bot.post(case_command_body(fake, "中 請求書が届かない"))[0] == 200
            fake.wait_for_calls("chat.postMessage", timeout=10)

            # 2. An HTTP request in progress: its event-id insert waits for a lock the test holds.
            transaction = locker.begin()
            locker.execute(text("LOCK TABLE slack_events IN ACCESS EXCLUSIVE MODE"))
            event = {
                "type": "reaction_added",
                "user": "U0CUSTOMER",
                "reaction": "eyes",
                "event_ts": f"{time.time():.6f}",
            }
            answer: list[int] = []
            request = threading.Thread(target=lambda: answer.append(bot.post(event_body(event), timeout=20)[0]))
            request.start()
            wait_until(
                lambda: query(
                    engine,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                )[0][0],
                timeout=10,
                what="the event's insert to wait for the lock",
            )

            assert not fake.calls("response_url")  # the /case listener is still waiting for Slack
            signalled = time.monotonic()
            bot.sigterm()
            wait_until(lambda: _refuses_connections(bot.port), timeout=5, what="the server to stop listening")
            assert bot.alive()  # still finishing
            transaction.rollback()  # the blocked request may go on

            assert bot.wait(timeout=15) == 0
            elapsed = time.monotonic() - signalled
            request.join(timeout=5)
        finally:
            locker.close()
            bot.stop()

        assert answer == [200]  # the request in progress was answered, not cut off
        assert elapsed < 10, f"took {elapsed:.1f}s to stop"
        # The listener finished: its card was marked sent and the user got the confirmation.
        (reply,) = fake.calls("response_url")
        assert "ケース #1 を起票しました" in reply.args["text"]
        (card,) = query(engine, "SELECT state FROM outbox WHERE kind = 'case.card'")
        assert card.state == "sent"
        (event_row,) = query(engine, "SELECT count(*) FROM slack_events")
        assert event_row[0] == 1
        engine.dispose()
        messages = [r.get("message", "") for r in bot.log_records()]
        assert any("received SIGTERM" in m for m in messages) and messages[-1] == "supportbot stopped"
        bot.assert_clean_logs()
