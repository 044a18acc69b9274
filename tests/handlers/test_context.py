"""What listeners get through Bolt's context, and the middleware that processes each Slack event once."""

from __future__ import annotations

from unittest.mock import Mock

from slack_bolt import BoltResponse

from bot.runtime import Runtime
from handlers.context import deduplicate_events, dependencies
from tests.handlers.listeners import context


def test_listeners_get_each_service_they_use_never_the_whole_locator(runtime: Runtime) -> None:
    provided = dependencies(runtime.services)
    assert set(provided) == {
        *("cases", "faq", "teaching", "knowledge", "oncall", "clock", "desk", "events", "intake"),
        *("reports", "agents", "home"),
    }
    assert provided["cases"] is runtime.services.cases and provided["desk"].channels.cases == "C0CASES"
    assert runtime.services not in provided.values()


def test_a_redelivered_event_stops_in_the_middleware() -> None:
    ctx, next_ = context(), Mock(return_value=BoltResponse(status=200, body="went on"))
    ctx["events"].first_delivery.side_effect = [True, False]
    body = {"type": "event_callback", "event_id": "Ev1"}
    assert deduplicate_events(body=body, context=ctx, next=next_).body == "went on"
    assert deduplicate_events(body=body, context=ctx, next=next_).body == ""
    assert next_.call_count == 1
    deduplicate_events(body={"type": "block_actions"}, context=ctx, next=next_)  # not an event: never looked up
    assert ctx["events"].first_delivery.call_count == 2 and next_.call_count == 2
