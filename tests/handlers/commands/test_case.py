"""`/case`, called directly: which service call each verb makes and what the person is told."""

from __future__ import annotations

from typing import Any

import pytest

from bot.case_vocabulary import EventKind, ListScope
from bot.cases import CaseDetails, NewCase
from bot.errors import UserFacingError
from bot.oncall import OnCall
from bot.slack.case_forms import VIEW_OPEN
from handlers.commands.case import LIST_LIMIT, on_case_command
from tests.handlers.listeners import a_case, ack, change, client, context, respond, said


def command(text: str, user: str = "U0AGENT") -> dict[str, Any]:
    return {"text": text, "user_id": user, "channel_id": "C0FAQ", "trigger_id": "trigger.1"}


def run(text: str, ctx: Any = None, user: str = "U0AGENT") -> tuple[Any, Any, Any, Any]:
    ctx = ctx or context()
    calls = ack(), respond(), client()
    on_case_command(ack=calls[0], command=command(text, user), respond=calls[1], client=calls[2], context=ctx)
    return (*calls, ctx)


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


def test_a_priority_word_opens_the_case_and_says_what_the_page_reached() -> None:
    ctx = context()
    opened = change(EventKind.OPENED)
    ctx["cases"].open.return_value = type(opened)(
        opened.case, opened.event, paged=OnCall(None, None, "nobody", None, None)
    )
    acked, responded, _, _ = run("高 決済ができない\n10時から", ctx, user="U0CUSTOMER")
    acked.assert_called_once_with()
    ctx["cases"].open.assert_called_once_with(
        NewCase(title="決済ができない", priority="高", description="10時から", origin_channel="C0FAQ"),
        reporter="U0CUSTOMER",
    )
    text = said(responded)
    assert text.startswith("ケース #42 を起票しました (優先度: 🔴 高)。初期対応の目標: 11/16(月) 12:30 まで。")
    assert "個別に呼び出された担当者はいません" in text
    assert responded.call_args.kwargs["response_type"] == "ephemeral"


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


def test_assign_names_the_new_assignee_and_taking_it_yourself_says_so() -> None:
    ctx = context()
    ctx["cases"].assign.return_value = change()
    _, responded, _, _ = run("assign 42 <@U0SATO|sato>", ctx)
    ctx["cases"].assign.assert_called_once_with(42, "U0SATO", "U0AGENT")
    assert said(responded) == "ケース #42 の担当者を <@U0SATO> さんにしました。"
    _, responded, _, _ = run("assign 42 <@U0AGENT>", ctx)
    assert said(responded) == "ケース #42 はあなたの担当になりました。"


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
    ("text", "method", "args", "answer"),
    [
        ("ack 42", "acknowledge", (42, "U0AGENT", "command"), "ケース #42 の対応を開始しました。"),
        ("priority 42 中 回避策あり", "change_priority", (42, "中", "回避策あり", "U0AGENT"), "ケース #42 の優先度を"),
        ("escalate 42 L2 判断を", "escalate", (42, "L2", "判断を", "U0AGENT"), "ケース #42 を L1 CS担当 に"),
        ("resolve 42 解消", "resolve", (42, "解消", "U0AGENT"), "ケース #42 を解決済みにしました。"),
        ("reopen 42 再発", "reopen", (42, "再発", "U0AGENT"), "ケース #42 を再オープンしました。"),
    ],
)
def test_each_verb_calls_the_case_service_once(text: str, method: str, args: tuple[Any, ...], answer: str) -> None:
    ctx = context()
    getattr(ctx["cases"], method).return_value = change()
    acked, responded, _, _ = run(text, ctx)
    acked.assert_called_once_with()
    call = getattr(ctx["cases"], method).call_args
    assert (*call.args, *call.kwargs.values()) == args and getattr(ctx["cases"], method).call_count == 1
    assert said(responded).startswith(answer)


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
