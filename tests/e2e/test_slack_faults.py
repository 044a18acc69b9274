"""Slack answering 429 (with Retry-After), 500s and dropped connections: everything delivered once.

A 429 with a short Retry-After is waited out by the client's retry handler; a long one goes back
to the outbox. A 5xx or a dropped connection on chat.postMessage may hide a post that landed, so
the message is kept and the next delivery looks for it in the channel (by its metadata) before
posting again. Idempotent calls (history, permalinks) are simply retried.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from knowledge.search import KnowledgeIndex
from scheduler import jobs
from tests.e2e import landed_posts, outbox_key
from tests.harness import AppHarness

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_rate_limits_and_server_errors_deliver_every_message_exactly_once(
    postgres_db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    fake = fake_slack
    fake.fail("chat.postMessage", status=429, retry_after=0)  # waited out by the client, then sent
    fake.fail("chat.postMessage", status=500)  # not applied: must be sent again, once
    fake.fail("chat.postMessage", status=500, after_effect=True)  # applied, then 500: must not be repeated
    fake.fail("chat.postMessage", drop=True, after_effect=True)  # applied, connection dropped: same
    fake.fail("chat.postMessage", status=429, retry_after=30)  # too long to wait in a request: rescheduled
    fake.fail("chat.getPermalink", status=500)  # idempotent: retried at once
    fake.fail("conversations.history", status=500)  # the check before resending, retried at once

    app = AppHarness(fake=fake, db=postgres_db, clock=clock, index=knowledge_index)
    try:
        commands = ["高 決済APIが500を返す", "中 請求書の宛名変更", "高 ログインできない", "中 CSV出力が遅い"]
        for text_ in commands:
            assert app.command("/case", text_, user="U0AGENT", channel="C0CASES").status == 200
        replies = fake.wait_for_calls("response_url", count=len(commands), timeout=20)
        assert all("を起票しました" in r.args["text"] for r in replies)

        # What Slack refused is still in the outbox; the delivery job sends it once its time has come.
        for _ in range(6):
            with postgres_db.engine.connect() as connection:
                unsent = connection.execute(text("SELECT count(*) FROM outbox WHERE state <> 'sent'")).scalar_one()
            if not unsent:
                break
            clock.advance(timedelta(minutes=11))  # past any backoff and Retry-After
            jobs.deliver_outbox(app.services.outbox)
        assert not unsent
    finally:
        app.stop()

    posted = Counter(outbox_key(c) for c in landed_posts(fake))
    assert max(posted.values()) == 1, [k for k, n in posted.items() if n > 1]  # nothing twice
    cards = {k for k in posted if k.endswith(":card")}
    pages = {k for k in posted if k.endswith(":emergency:opened")}
    assert len(cards) == len(commands) and len(pages) == 2  # nothing lost
    faults = Counter(str(c.fault) for c in fake.calls() if c.fault is not None)
    # Every scripted fault was met — but a page whose card was not posted yet (the card met the 429s)
    # goes out without the card's link rather than wait, and then nothing asks for a permalink.
    scripted = 7 if fake.calls("chat.getPermalink") else 6
    assert sum(faults.values()) == scripted, faults
    assert fake.calls("conversations.history")  # resent only after looking
