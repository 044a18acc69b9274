"""App Home's listeners called directly: which events publish, and which clicks get which `respond`."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.home import CasePage, HomeService, MemberHome
from handlers.context import REFRESH_HOME, refresh_home
from handlers.events.app_home import (
    HomeRefresh,
    HomeRespond,
    RespondThenRefresh,
    on_app_home_opened,
    refresh_home_after_actions,
)
from tests.handlers.listeners import DESK, NOW


def context() -> BoltContext:
    home = Mock(spec=HomeService)
    home.content.return_value = MemberHome(NOW, CasePage([], 0))
    return BoltContext({"home": home, "desk": DESK})


def test_only_the_home_tab_is_published() -> None:
    client, ctx = Mock(spec=WebClient), context()
    on_app_home_opened(event={"type": "app_home_opened", "user": "U1", "tab": "messages"}, client=client, context=ctx)
    client.views_publish.assert_not_called()
    on_app_home_opened(event={"type": "app_home_opened", "user": "U1", "tab": "home"}, client=client, context=ctx)
    view = client.views_publish.call_args.kwargs["view"]
    assert client.views_publish.call_args.kwargs["user_id"] == "U1" and view["type"] == "home"
    assert "困ったときは" in str(view["blocks"])


def through_middleware(body: dict[str, Any]) -> Any:
    ctx, next_ = context(), Mock(return_value=BoltResponse(status=200, body=""))
    ctx["response_url"] = body.get("response_url")
    refresh_home_after_actions(body=body, client=Mock(spec=WebClient), context=ctx, next=next_)
    next_.assert_called_once()
    return ctx.get("respond")


def test_clicks_in_the_home_tab_and_case_changes_elsewhere_refresh_the_home() -> None:
    in_home = {"type": "block_actions", "user": {"id": "U1"}, "view": {"type": "home"}, "actions": []}
    assert isinstance(through_middleware(in_home), HomeRespond)
    card = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "response_url": "https://hooks.example/1",
        "actions": [{"action_id": "case_take"}],
    }
    assert isinstance(through_middleware(card), RespondThenRefresh)
    ack = {"command": "/case", "text": "ack 42", "user_id": "U1", "response_url": "https://hooks.example/2"}
    assert isinstance(through_middleware(ack), RespondThenRefresh)
    listing = {"command": "/case", "text": "list", "user_id": "U1", "response_url": "https://hooks.example/3"}
    assert not isinstance(through_middleware(listing), RespondThenRefresh | HomeRespond)


def test_a_submitted_case_form_gets_a_home_refresh_and_other_forms_do_not() -> None:
    def submitted(callback_id: str) -> BoltContext:
        ctx, next_ = context(), Mock(return_value=BoltResponse(status=200, body=""))
        body = {"type": "view_submission", "user": {"id": "U1"}, "view": {"callback_id": callback_id}}
        refresh_home_after_actions(body=body, client=Mock(spec=WebClient), context=ctx, next=next_)
        return ctx

    for form in ("case_resolve_view", "case_escalate_view"):
        assert isinstance(submitted(form).get(REFRESH_HOME), HomeRefresh)
    assert submitted("faq_teach_add").get(REFRESH_HOME) is None
    refresh_home(BoltContext({}))  # nothing asked for: nothing happens


def test_a_home_that_cannot_be_published_never_fails_the_change() -> None:
    client, ctx = Mock(spec=WebClient), context()
    client.views_publish.side_effect = RuntimeError("Slack is down")
    HomeRefresh(client, ctx, "U1")()  # logged, not raised
    client.views_publish.assert_called_once()
