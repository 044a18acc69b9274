"""`/oncall` over HTTP: who is on call now and next, and agents' overrides."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from waitress import wasyncore

from bot.clock import ManualClock
from tests.harness import AppHarness

pytestmark = pytest.mark.e2e


@pytest.fixture
def app(app: AppHarness) -> Iterator[AppHarness]:
    """The conftest app, with its server closed from inside waitress's loop when the test ends.

    AppHarness.stop() closes the sockets from outside, so the loop notices only at its next 1 s
    select timeout (and logs EBADF); closing in-loop takes a millisecond. Harmless once stop() does this.
    """
    yield app
    server = app.server

    def close_in_loop() -> None:
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)

    server.trigger.pull_trigger(close_in_loop)
    app._thread.join(timeout=5)


# The test rotation: U0ONCALL1 until Monday 11/23 10:00 (Tokyo), then U0ONCALL2. U0AGENT is an agent,
# U0AGENT2 one through the S0AGENTS user group, U0CUSTOMER is not.


def oncall(app: AppHarness, text: str = "", *, user: str = "U0AGENT") -> str:
    """Run `/oncall text` and return what the person sees: the ack's text, else the response_url reply."""
    before = len(app.fake.calls("response_url"))
    response = app.command("/oncall", text, user=user)
    assert response.status == 200
    body = response.json()
    if body and body.get("text"):
        return str(body["text"])
    replies = app.fake.wait_for_calls("response_url", count=before + 1)
    reply = replies[-1].args
    assert reply.get("response_type") == "ephemeral"
    return str(reply["text"])


def test_shows_who_is_on_call_now_and_next_with_handoff_times(app: AppHarness) -> None:
    text = oncall(app)
    assert "*現在のオンコール*: <@U0ONCALL1> (11/23(月) 10:00 まで)" in text
    assert "*次のオンコール*: <@U0ONCALL2> (11/23(月) 10:00 から)" in text
    assert oncall(app, "show", user="U0CUSTOMER") == text  # anyone may look


def test_an_agent_sets_an_override_until_the_next_handoff_then_clears_it(app: AppHarness, clock: ManualClock) -> None:
    reply = oncall(app, "set <@U0AGENT2|suzuki>")
    assert reply == "<@U0AGENT2> さんを 11/23(月) 10:00 までオンコールに設定しました。"
    status = oncall(app)
    assert "*現在のオンコール*: <@U0AGENT2> (11/23(月) 10:00 まで) — <@U0AGENT> さんによる代理設定" in status
    reply = oncall(app, "clear")
    assert reply.startswith("オンコールの代理設定を解除しました (1件)。")
    assert "*現在のオンコール*: <@U0ONCALL1>" in reply
    (override,) = app.services.oncall.history()  # stored and audited: who set it, when, who cleared it
    assert (override.user_id, override.created_by, override.created_at) == ("U0AGENT2", "U0AGENT", clock.now())
    assert (override.cleared_by, override.cleared_at) == ("U0AGENT", clock.now())


def test_an_override_with_an_end_time_in_the_desk_time_zone(app: AppHarness) -> None:
    reply = oncall(app, "set <@U0AGENT2> until 2026-12-01 10:00", user="U0AGENT2")
    assert "12/1(火) 10:00 まで" in reply
    assert app.services.oncall.at().primary == "U0AGENT2"
    assert "<@U0AGENT2> (12/1(火) 10:00 まで)" in oncall(app)


def test_only_agents_change_who_is_on_call(app: AppHarness) -> None:
    reply = oncall(app, "set <@U0CUSTOMER>", user="U0CUSTOMER")
    assert "サポート担当者のみ" in reply
    assert app.services.oncall.history() == []
    oncall(app, "set <@U0AGENT2>")
    assert "サポート担当者のみ" in oncall(app, "clear", user="U0CUSTOMER")
    assert app.services.oncall.at().primary == "U0AGENT2"


def test_mistakes_get_a_polite_explanation_and_change_nothing(app: AppHarness) -> None:
    for text, expected in [
        ("set sato", "@メンションで指定してください"),
        ("set <@U0AGENT2> until tomorrow", "`until 2026-12-01 10:00` のように指定"),
        ("set <@U0AGENT2> until 2026-11-16 09:00", "終了日時が過去です"),
        ("swap", "使い方: `/oncall`"),
    ]:
        assert expected in oncall(app, text), text
    assert app.services.oncall.history() == []
