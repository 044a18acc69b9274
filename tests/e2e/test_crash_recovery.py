"""kill -9 in the middle of a sweep's delivery, then a restart: every page arrives once.

The worst moment to die is after Slack applied a post and before its answer came back: the outbox
row stays claimed ("sending"), and nobody knows whether the page landed. After the claim's lease
(5 minutes in production; here the test moves the claim back instead of waiting) the restarted
process checks the channel for the post's metadata before sending again.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.devtools.fake_slack import FakeSlack
from tests.e2e import (
    BotProcess,
    bot_env,
    case_command_body,
    fresh_database,
    is_breach_page,
    landed_posts,
    outbox_key,
    query,
    wait_until,
    write_config,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

HIGH_CASES = 3


def test_a_process_killed_while_sending_pages_loses_none_and_repeats_none(tmp_path: Path) -> None:
    with FakeSlack() as fake, fresh_database() as url:
        env = bot_env(fake, url, write_config(tmp_path))
        first = BotProcess(env, tmp_path, "before-crash").start()
        engine = create_engine(url)
        restarted: BotProcess | None = None
        try:
            first.wait_ready()
            for n in range(HIGH_CASES):
                assert first.post(case_command_body(fake, f"高 本番環境にログインできない {n}"))[0] == 200
            fake.wait_for_calls("response_url", count=HIGH_CASES, timeout=15)
            fake.wait_for_calls(
                "chat.postMessage", count=HIGH_CASES, where=lambda c: ":emergency:opened" in outbox_key(c), timeout=15
            )

            # The next post (the sweep's first breach page) is applied by Slack, but its answer never comes.
            fake.fail("chat.postMessage", status=200, delay=30)
            (stuck,) = fake.wait_for_calls("chat.postMessage", where=lambda c: c.fault is not None, timeout=15)
            assert is_breach_page(stuck), fake.dump()
            first.kill()

            rows = query(engine, "SELECT dedupe_key, state FROM outbox WHERE dedupe_key LIKE 'sla:%'")
            states = {r.dedupe_key: r.state for r in rows}
            assert states[outbox_key(stuck)] == "sending"  # claimed by a process that no longer exists
            # Every re-page, the edit of its page and the DM were decided before the crash.
            assert len(states) == 3 * HIGH_CASES
            # The lease runs out (in production after 5 minutes): move the claims back instead of waiting.
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE outbox SET claimed_at = claimed_at - interval '1 hour' WHERE state = 'sending'")
                )

            restarted = BotProcess(env, tmp_path, "after-restart").start()
            restarted.wait_ready()

            def settled() -> bool:
                (unsent,) = query(engine, "SELECT count(*) FROM outbox WHERE state <> 'sent'")
                (due,) = query(engine, "SELECT count(*) FROM cases WHERE sla_check_at IS NOT NULL")
                return unsent[0] == 0 and due[0] == 0

            wait_until(settled, timeout=20, what="every page sent after the restart")
        finally:
            first.stop()
            if restarted is not None:
                restarted.stop()
            engine.dispose()

        posts = landed_posts(fake)
        keys = Counter(outbox_key(c) for c in posts)
        assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]  # nothing posted twice
        breach_pages = [k for k in keys if ":breach:" in k and not k.endswith(":dm")]
        breach_dms = [k for k in keys if k.endswith(":dm")]
        assert len(breach_pages) == HIGH_CASES and len(breach_dms) == HIGH_CASES  # nothing lost
        # The re-page that landed during the crash was found in its page's thread, not sent again.
        assert keys[outbox_key(stuck)] == 1
        assert fake.calls("conversations.replies")
        assert restarted is not None
        restarted.assert_clean_logs()
