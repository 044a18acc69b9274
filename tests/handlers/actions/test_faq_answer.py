"""The buttons on FAQ answers, called directly."""

from __future__ import annotations

from typing import Any

from bot.slack.case_forms import VIEW_OPEN
from handlers.actions import faq_answer
from tests.handlers.listeners import ack, client, context, respond, said

BODY: dict[str, Any] = {
    "user": {"id": "U0CUSTOMER"},
    "trigger_id": "trigger.1",
    "channel": {"id": "C0FAQ"},
    "message": {"ts": "1700000000.000200", "thread_ts": "1700000000.000100"},
}


def test_solved_is_recorded_and_thanked_in_the_answers_language() -> None:
    ctx, responded = context(), respond()
    action = {"value": "faq-sso", "block_id": "faq_feedback:en"}
    faq_answer.on_resolved(ack=ack(), body=BODY, action=action, respond=responded, context=ctx)
    ctx["faq"].record_feedback.assert_called_once_with(
        channel="C0FAQ", message_ts="1700000000.000200", entry_id="faq-sso", user="U0CUSTOMER", helpful=True
    )
    assert said(responded) == "Thanks for the feedback — glad it helped."


def test_not_solved_opens_the_case_form_with_the_question_in_the_answers_language() -> None:
    ctx, slack = context(), client()
    ctx["faq"].question_for.return_value = "How do I set up SSO?\nWith Okta"
    action = {"value": "faq-sso", "block_id": "faq_feedback:en"}
    faq_answer.on_unresolved(ack=ack(), body=BODY, action=action, client=slack, context=ctx)
    assert ctx["faq"].record_feedback.call_args.kwargs["helpful"] is False
    ctx["faq"].question_for.assert_called_once_with("C0FAQ", "1700000000.000100")  # the question, not the answer
    slack.chat_getPermalink.assert_called_once_with(channel="C0FAQ", message_ts="1700000000.000100")
    view = slack.views_open.call_args.kwargs["view"]
    assert view["callback_id"] == VIEW_OPEN and view["title"]["text"] == "Open a case"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["title"]["element"]["initial_value"] == "How do I set up SSO?"
    assert blocks["priority"]["element"]["initial_option"]["value"] == "low"


def test_a_picked_suggestion_is_answered_in_the_thread() -> None:
    ctx = context()
    action = {"value": "faq-vpn", "block_id": "faq_suggestions:ja"}
    faq_answer.on_pick(ack=ack(), body=BODY, action=action, context=ctx)
    ctx["faq"].pick_suggestion.assert_called_once_with(
        channel="C0FAQ", thread_ts="1700000000.000100", entry_id="faq-vpn", user="U0CUSTOMER", language="ja"
    )


def test_show_an_entry_that_is_gone() -> None:
    ctx, responded = context(), respond()
    ctx["knowledge"].get.return_value = None
    faq_answer.on_show(
        ack=ack(), action={"value": "gone", "block_id": "faq_result_1:ja"}, respond=responded, context=ctx
    )
    assert said(responded) == "このボタンは現在使えません。もう一度操作をやり直してください。"
