"""`/case`, called directly: which service call each verb makes and what the person is told."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

import pytest
from slack_bolt import BoltResponse

from bot.case_answers import ReplyTo
from bot.case_commands import Verb
from bot.case_vocabulary import ListScope
from bot.cases import CaseDetails, CaseService, NewCase
from bot.database import DatabaseUnavailable
from bot.errors import UserFacingError
from bot.intake import Receipt, Unavailable
from bot.internals.bolt_ack import AFTER_ACK
from bot.slack.case_forms import VIEW_OPEN
from handlers.commands.case import LIST_LIMIT, on_case_command, record_case_request
from tests.handlers.listeners import a_case, ack, answered_to, client, context, respond, said

URL = "https://hooks.slack.test/commands/1"


def command(text: str, user: str = "U0AGENT") -> dict[str, Any]:
    return {"text": text, "user_id": user, "channel_id": "C0FAQ", "trigger_id": "trigger.1", "response_url": URL}


def run(text: str, ctx: Any = None, user: str = "U0AGENT") -> tuple[Any, Any, Any, Any]:
    ctx = ctx or context()
    calls = ack(), respond(), client()
    on_case_command(ack=calls[0], command=command(text, user), respond=calls[1], client=calls[2], context=ctx)
    return (*calls, ctx)


def open_case(text: str, ctx: Any = None, user: str = "U0AGENT") -> tuple[Any, Any, Any, Any]:
    """`/case <priority> <title>`: answered by the listener middleware, which runs its work after the ack."""
    ctx = ctx or context()
    after_ack: list[Any] = []
    ctx[AFTER_ACK] = after_ack.append
    acked, responded, following = ack(), respond(), Mock()
    acked.return_value = answer = BoltResponse(status=200, body="")
    returned = record_case_request(
        ack=acked, command=command(text, user), respond=responded, context=ctx, next=following
    )
    assert returned is answer and following.call_count == 0  # the listener is not run
    for work in after_ack:
        work()
    return acked, responded, after_ack, ctx


def test_other_verbs_go_on_to_the_listener() -> None:
    ctx = context()
    following = Mock()
    returned = record_case_request(ack=ack(), command=command("list"), respond=respond(), context=ctx, next=following)
    assert returned is None and following.call_count == 1 and ctx["case_command"].verb is Verb.LIST
    ctx["intake"].receive.assert_not_called()


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("help", "再オープン (解決から14日以内)"),  # the reopen window, from the desk
        ("show abc", "ケース番号を指定してください"),
        ("list later", "*`/case` の使い方*"),
    ],
)
def test_help_and_mistakes_are_answered_in_the_ack(text: str, answer: str) -> None:
    acked, responded, slack, ctx = run(text)
    assert answer in said(acked)
    responded.assert_not_called()
    assert ctx["cases"].method_calls == [] and slack.method_calls == []


def test_a_priority_word_is_recorded_before_the_ack_then_opened() -> None:
    """Issue 14: recorded first (bot/intake.py), acked, then opened; the confirmation comes through the outbox."""
    ctx = context()
    ctx["cases"].require_priority.side_effect = CaseService.require_priority
    ctx["intake"].receive.return_value = Receipt("r1", spooled=False)
    acked, responded, _, _ = open_case("高 決済ができない\n10時から", ctx, user="U0CUSTOMER")
    acked.assert_called_once_with()
    (received,), _ = ctx["intake"].receive.call_args
    assert received.user == "U0CUSTOMER" and received.text == "高 決済ができない\n10時から"
    assert received.case == {
        "title": "決済ができない",
        "priority": "高",
        "description": "10時から",
        "origin_channel": "C0FAQ",
    }
    assert NewCase(**received.case) == NewCase(
        title="決済ができない", priority="高", description="10時から", origin_channel="C0FAQ"
    )
    ctx["intake"].process.assert_called_once_with("r1")
    responded.assert_not_called()  # the number comes through the outbox, never a bare respond()


def test_during_an_outage_the_ack_says_it_was_received_and_will_be_opened() -> None:
    ctx = context()
    ctx["cases"].require_priority.side_effect = CaseService.require_priority
    ctx["intake"].receive.return_value = Receipt("r1", spooled=True)
    acked, responded, _, _ = open_case("高 全停止", ctx)
    assert said(acked) == "受け付けました。システム復旧後にケースを起票し、番号をお知らせします。"
    ctx["intake"].process.assert_not_called()
    responded.assert_not_called()


def test_the_database_lost_after_recording_leaves_it_to_the_worker() -> None:
    ctx = context()
    ctx["cases"].require_priority.side_effect = CaseService.require_priority
    ctx["intake"].receive.return_value = Receipt("r1", spooled=False)
    ctx["intake"].process.side_effect = DatabaseUnavailable("connection refused")
    acked, responded, _, _ = open_case("高 全停止", ctx)
    acked.assert_called_once_with()
    assert said(responded) == "受け付けました。システム復旧後にケースを起票し、番号をお知らせします。"


def test_bad_input_is_refused_in_the_ack_and_nothing_is_recorded() -> None:
    ctx = context()
    ctx["cases"].validate_title.side_effect = UserFacingError("case.error.title_too_long", limit=5, length=9)
    acked, responded, _, _ = open_case("高 とても長い件名です", ctx)
    assert "件名" in said(acked)
    ctx["intake"].receive.assert_not_called()
    responded.assert_not_called()


def test_nowhere_to_record_it_is_said_in_the_ack() -> None:
    ctx = context()
    ctx["cases"].require_priority.side_effect = CaseService.require_priority
    ctx["intake"].receive.side_effect = Unavailable("disk full")
    acked, _, _, _ = open_case("高 全停止", ctx)
    assert said(acked) == "一時的に受け付けできませんでした。もう一度お試しください。"
    ctx["intake"].process.assert_not_called()


def test_text_without_a_priority_opens_the_form_prefilled_and_nothing_else() -> None:
    acked, responded, slack, ctx = run("A customer cannot export CSV")
    acked.assert_called_once_with()
    view = slack.views_open.call_args.kwargs["view"]
    assert view["callback_id"] == VIEW_OPEN and slack.views_open.call_args.kwargs["trigger_id"] == "trigger.1"
    title = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "A customer cannot export CSV"
    ctx["cases"].open.assert_not_called()
    responded.assert_not_called()


def test_list_asks_for_one_more_than_it_shows() -> None:
    ctx = context()
    ctx["cases"].list.return_value = [a_case(number=n) for n in range(1, LIST_LIMIT + 2)]
    _, responded, _, _ = run("list 自分", ctx)
    ctx["cases"].list.assert_called_once_with(
        ListScope.MINE, "U0AGENT", limit=LIST_LIMIT + 1, customer=None, channel="C0FAQ"
    )
    assert said(responded) == "ケース一覧 (自分の)"
    assert "ほかにもケースがあります" in str(responded.call_args.kwargs["blocks"])


def test_show_prints_the_details() -> None:
    ctx = context()
    ctx["cases"].show.return_value = CaseDetails(a_case(), [])
    _, responded, _, _ = run("show #42", ctx)
    ctx["cases"].show.assert_called_once_with(42, "U0AGENT", "C0FAQ")  # what the person may see (issue 9, defect 5)
    assert said(responded) == "ケース #42 [高] ログインできない"


def test_acknowledging_an_acknowledged_case_says_by_whom_and_since_when() -> None:
    ctx = context()
    since = a_case().created_at
    ctx["cases"].acknowledge.side_effect = UserFacingError(
        "case.error.already_acknowledged", number=42, user="U0LEAD", at=since
    )
    _, responded, _, _ = run("ack 42", ctx)
    assert said(responded) == "ケース #42 はすでに <@U0LEAD> さんが 11/16(月) 10:30 から対応しています。"


def test_assign_names_the_new_assignee() -> None:
    ctx = context()
    where = answered_to(ctx["cases"].assign)
    _, responded, _, _ = run("assign 42 <@U0SATO|sato>", ctx)
    ctx["cases"].assign.assert_called_once_with(42, "U0SATO", "U0AGENT")
    assert where == [ReplyTo("U0AGENT", URL, "C0FAQ")]
    responded.assert_not_called()


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("escalate 42", "指定できるのは L2 (CS Lead) と L3 (エンジニア) です"),
        ("foo", "「foo」は `/case` のコマンドではありません。\n使えるコマンド: `list` `show` `ack`"),
        ("CSV 文字化け", None),  # not a single ASCII word: a title for the form
        ("assign 42 sato", "担当者を @メンションで指定してください"),
    ],
)
def test_specific_errors_instead_of_the_usage(text: str, answer: str | None) -> None:
    acked, responded, _, _ = run(text, context())
    if answer is None:
        acked.assert_called_once_with()
        return
    assert answer in said(acked) and responded.call_count == 0


@pytest.mark.parametrize(
    ("text", "method", "args"),
    [
        ("ack 42", "acknowledge", (42, "U0AGENT", "command")),
        ("priority 42 中 回避策あり", "change_priority", (42, "中", "回避策あり", "U0AGENT")),
        ("customer 42 acme", "change_customer", (42, "acme", "U0AGENT")),
        ("escalate 42 L2 判断を", "escalate", (42, "L2", "判断を", "U0AGENT")),
        ("resolve 42 解消", "resolve", (42, "解消", "U0AGENT")),
        ("reopen 42 再発", "reopen", (42, "再発", "U0AGENT")),
    ],
)
def test_each_verb_calls_the_case_service_once_and_its_answer_is_queued_with_it(
    text: str, method: str, args: tuple[Any, ...]
) -> None:
    """Issue 14: the answer is an outbox message of the change's transaction (bot/case_answers.py), to
    the command's response_url; the listener sends nothing itself."""
    ctx = context()
    where = answered_to(getattr(ctx["cases"], method))
    acked, responded, _, _ = run(text, ctx)
    acked.assert_called_once_with()
    call = getattr(ctx["cases"], method).call_args
    assert (*call.args, *call.kwargs.values()) == args and getattr(ctx["cases"], method).call_count == 1
    assert where == [ReplyTo("U0AGENT", URL, "C0FAQ")]
    responded.assert_not_called()


def test_a_refusal_propagates_to_the_error_handler_after_the_ack() -> None:
    ctx = context()
    ctx["cases"].acknowledge.side_effect = UserFacingError("case.error.not_allowed", number=42)
    calls = ack(), respond(), client()
    with pytest.raises(UserFacingError):
        on_case_command(ack=calls[0], command=command("ack 42"), respond=calls[1], client=calls[2], context=ctx)
    calls[0].assert_called_once_with()  # acked first: handlers/errors.py answers through response_url


def test_reopening_too_late_offers_a_new_linked_case() -> None:
    ctx = context()
    ctx["cases"].reopen.side_effect = UserFacingError("case.error.reopen_window", number=42, days=14)
    _, responded, _, _ = run("reopen 42", ctx, user="U0CUSTOMER")
    assert "14日を過ぎているため" in said(responded)
    assert "case_new_linked" in str(responded.call_args.kwargs["blocks"])
