"""The buttons on FAQ answers, called directly."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

from bot.faq_teaching import Taught
from bot.faq_vocabulary import PhrasingStatus
from bot.slack.case_forms import VIEW_OPEN
from bot.slack.faq_blocks import answer_value
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
    action = {"value": "faq-vpn", "block_id": "faq_suggestions:ja"}  # a button from before values carried the question
    faq_answer.on_pick(ack=ack(), body=BODY, action=action, context=ctx)
    ctx["faq"].pick_suggestion.assert_called_once_with(
        channel="C0FAQ",
        question_ts="1700000000.000100",
        thread_ts="1700000000.000100",
        entry_id="faq-vpn",
        user="U0CUSTOMER",
        language="ja",
    )


def test_a_pick_in_a_dm_is_answered_inline() -> None:
    ctx = context()
    body = {**BODY, "channel": {"id": "D0CUSTOMER"}, "message": {"ts": "1700000000.000300"}}
    action = {"value": answer_value("faq-vpn", "1700000000.000250"), "block_id": "faq_suggestions:ja"}
    faq_answer.on_pick(ack=ack(), body=body, action=action, context=ctx)
    kwargs = ctx["faq"].pick_suggestion.call_args.kwargs
    assert kwargs["question_ts"] == "1700000000.000250" and kwargs["thread_ts"] is None


def test_solved_after_a_pick_may_teach_and_an_agent_hears_it_was_learned() -> None:
    ctx, responded = context(), respond()
    ctx["teaching"].suggestion_resolved.return_value = Taught(7, "faq-vpn", "VPN 繋がらない", PhrasingStatus.LEARNED)
    ctx["knowledge"].get.return_value = Mock(question="VPNに接続できない")
    body = {**BODY, "user": {"id": "U0AGENT"}}
    action = {"value": answer_value("faq-vpn", "1700000000.000100"), "block_id": "faq_feedback:ja"}
    faq_answer.on_resolved(ack=ack(), body=body, action=action, respond=responded, context=ctx)
    ctx["teaching"].suggestion_resolved.assert_called_once_with(
        channel="C0FAQ",
        question_ts="1700000000.000100",
        thread_ts="1700000000.000100",
        entry_id="faq-vpn",
        user="U0AGENT",
        language="ja",
    )
    assert said(responded) == "ありがとうございます。この質問を「VPNに接続できない」の言い換えとして学習しました。"


def test_none_of_these_records_the_miss_and_offers_the_case_form() -> None:
    ctx, slack = context(), client()
    ctx["faq"].question_for.return_value = "VPN 遅い"
    action = {"value": answer_value(None, "1700000000.000100"), "block_id": "faq_no_match:ja"}
    faq_answer.on_none_match(ack=ack(), body=BODY, action=action, client=slack, context=ctx)
    ctx["faq"].record_miss.assert_called_once_with(channel="C0FAQ", question_ts="1700000000.000100", user="U0CUSTOMER")
    view = slack.views_open.call_args.kwargs["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["title"]["element"]["initial_value"] == "VPN 遅い"
    assert "FAQの候補には該当するものがありませんでした" in blocks["description"]["element"]["initial_value"]


def test_open_a_case_from_a_reply_that_found_nothing() -> None:
    ctx, slack = context(), client()
    ctx["faq"].question_for.return_value = "社用車の予約方法"
    ctx["faq"].reply_to.return_value = Mock(decision="none")
    action = {"value": answer_value(None, "1700000000.000100"), "block_id": "faq_not_found:en"}
    faq_answer.on_open_case(ack=ack(), body=BODY, action=action, client=slack, context=ctx)
    ctx["faq"].record_miss.assert_not_called()
    view = slack.views_open.call_args.kwargs["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert view["title"]["text"] == "Open a case"
    assert blocks["description"]["element"]["initial_value"].startswith("The FAQ had no answer for this.")


def test_show_an_entry_that_is_gone() -> None:
    ctx, responded = context(), respond()
    ctx["knowledge"].get.return_value = None
    faq_answer.on_show(
        ack=ack(), body=BODY, action={"value": "gone", "block_id": "faq_result_1:ja"}, respond=responded, context=ctx
    )
    assert said(responded) == "このボタンは現在使えません。もう一度操作をやり直してください。"
