"""The case card's buttons, called directly."""

from __future__ import annotations

from typing import Any

import pytest

from bot.access import Action
from bot.case_answers import ReplyTo
from bot.cases import CaseDetails
from bot.errors import UserFacingError
from bot.slack.case_forms import VIEW_DESCRIPTION, VIEW_ESCALATE, VIEW_OPEN, VIEW_RESOLVE
from handlers.actions import case_card
from tests.handlers.listeners import a_case, ack, answered_to, client, context, respond

BODY: dict[str, Any] = {
    "user": {"id": "U0ONCALL1"},
    "trigger_id": "trigger.1",
    "channel": {"id": "C0EMERG"},
    "container": {"channel_id": "C0EMERG"},
}


def test_start_working_acknowledges_by_button() -> None:
    """Issue 14: the answer is queued with the change (bot/case_answers.py), to the click's response_url."""
    ctx, acked, responded = context(), ack(), respond()
    where = answered_to(ctx["cases"].acknowledge)
    body = {**BODY, "response_url": "https://hooks.slack.test/r/1"}
    case_card.on_ack(ack=acked, body=body, action={"value": "42"}, respond=responded, context=ctx)
    acked.assert_called_once_with()
    ctx["cases"].acknowledge.assert_called_once_with(42, "U0ONCALL1", via="button")
    assert where == [ReplyTo("U0ONCALL1", "https://hooks.slack.test/r/1", "C0EMERG")]
    responded.assert_not_called()


def test_a_button_with_a_value_from_nowhere_is_a_stale_button() -> None:
    ctx = context()
    with pytest.raises(UserFacingError) as refused:
        case_card.on_ack(ack=ack(), body=BODY, action={"value": "<!channel>"}, respond=respond(), context=ctx)
    assert refused.value.key == "error.unknown_action"
    ctx["cases"].acknowledge.assert_not_called()


@pytest.mark.parametrize(
    ("listener", "action", "view"),
    [(case_card.on_escalate, Action.ESCALATE, VIEW_ESCALATE), (case_card.on_resolve, Action.RESOLVE, VIEW_RESOLVE)],
)
def test_escalate_and_resolve_open_their_form_for_whoever_may(listener: Any, action: Action, view: str) -> None:
    ctx, slack = context(), client()
    ctx["cases"].get.return_value = a_case()
    listener(ack=ack(), body=BODY, action={"value": "42"}, client=slack, context=ctx)
    ctx["cases"].require.assert_called_once_with(42, "U0ONCALL1", action)
    assert slack.views_open.call_args.kwargs["view"]["callback_id"] == view


def test_escalate_refused_opens_nothing() -> None:
    ctx, slack = context(), client()
    ctx["cases"].require.side_effect = UserFacingError("case.error.not_allowed", number=42)
    with pytest.raises(UserFacingError):
        case_card.on_escalate(ack=ack(), body=BODY, action={"value": "42"}, client=slack, context=ctx)
    slack.views_open.assert_not_called()


def test_reopen_by_button() -> None:
    ctx, responded = context(), respond()
    where = answered_to(ctx["cases"].reopen)
    case_card.on_reopen(ack=ack(), body=BODY, action={"value": "42"}, respond=responded, context=ctx)
    ctx["cases"].reopen.assert_called_once_with(42, None, "U0ONCALL1")
    assert where == [ReplyTo("U0ONCALL1", None, "C0EMERG")]
    responded.assert_not_called()


def test_a_new_linked_case_opens_the_form_from_the_old_one() -> None:
    ctx, slack = context(), client()
    ctx["cases"].get.return_value = a_case(priority="medium")
    case_card.on_new_linked(ack=ack(), body=BODY, action={"value": "42"}, client=slack, context=ctx)
    view = slack.views_open.call_args.kwargs["view"]
    assert view["callback_id"] == VIEW_OPEN
    assert view["private_metadata"] == '{"channel": "C0EMERG", "related_case": 42}'
    priority = next(b for b in view["blocks"] if b["block_id"] == "priority")
    assert priority["element"]["initial_option"]["value"] == "medium"


def test_take_it_assigns_the_case_to_whoever_pressed() -> None:
    ctx, acked, responded = context(), ack(), respond()
    where = answered_to(ctx["cases"].assign)
    case_card.on_take(ack=acked, body=BODY, action={"value": "42"}, respond=responded, context=ctx)
    acked.assert_called_once_with()
    ctx["cases"].assign.assert_called_once_with(42, "U0ONCALL1", "U0ONCALL1")
    assert where == [ReplyTo("U0ONCALL1", None, "C0EMERG")]
    responded.assert_not_called()


def test_show_all_opens_the_whole_description_for_whoever_may_see_the_case() -> None:
    ctx, slack = context(), client()
    ctx["cases"].show.return_value = CaseDetails(a_case(description="長い説明" * 200), [])
    case_card.on_description(ack=ack(), body=BODY, action={"value": "42"}, client=slack, context=ctx)
    ctx["cases"].show.assert_called_once_with(42, "U0ONCALL1")  # another's case: "not found"
    view = slack.views_open.call_args.kwargs["view"]
    assert view["callback_id"] == VIEW_DESCRIPTION and "長い説明" * 200 in str(view)
