"""The case forms submitted, called directly: mistakes next to their field, nothing done after the ack."""

from __future__ import annotations

import json
from typing import Any

from bot.cases import CaseService, NewCase
from bot.errors import UserFacingError
from handlers.views import case_forms
from tests.handlers.listeners import ack, change, client, context

BODY = {"user": {"id": "U0CUSTOMER"}}


def view(private_metadata: str = "", **values: str | None) -> dict[str, Any]:
    state = {block: {"value": {"type": "plain_text_input", "value": value}} for block, value in values.items()}
    return {"private_metadata": private_metadata, "state": {"values": state}}


def real_validation(ctx: Any) -> None:
    """The form is checked with the case service's own rules (they need no database)."""
    cases = ctx["cases"]
    service = CaseService.__new__(CaseService)
    service.config = type("Config", (), {"title_max_length": 200})()
    cases.validate_title.side_effect = service.validate_title
    cases.require_priority.side_effect = CaseService.require_priority
    cases.require_category.side_effect = CaseService.require_category


def test_mistakes_are_shown_next_to_their_fields_and_nothing_opens() -> None:
    ctx, acked = context(), ack()
    real_validation(ctx)
    submitted = view(title=" ", priority=None, category="weather")
    case_forms.on_case_form(ack=acked, body=BODY, view=submitted, client=client(), context=ctx)
    errors = acked.call_args.kwargs["errors"]
    assert acked.call_args.kwargs["response_action"] == "errors"
    assert errors == {
        "title": "件名を入力してください。",
        "priority": "優先度「」が分かりません。高・中・低 (high/medium/low、重大度A/B/C) のいずれかを指定してください。",
        "category": "カテゴリの指定が正しくありません。",
    }
    ctx["cases"].open.assert_not_called()


def test_a_form_opened_from_an_english_question_stays_in_english() -> None:
    """Issue 9: the language and the FAQ thread the form was opened from are kept for the case."""
    ctx, acked, slack = context(), ack(), client()
    real_validation(ctx)
    metadata = json.dumps({"channel": "C0FAQ", "thread_ts": "1795300000.000100", "language": "en"})
    case_forms.on_case_form(
        ack=acked, body=BODY, view=view(metadata, title=" ", priority="high"), client=slack, context=ctx
    )
    assert acked.call_args.kwargs["errors"] == {"title": "Please enter a title."}  # the mistake, in English
    ctx["cases"].open.return_value = change(language="en")
    case_forms.on_case_form(
        ack=ack(), body=BODY, view=view(metadata, title="Export fails", priority="high"), client=slack, context=ctx
    )
    new = ctx["cases"].open.call_args.args[0]
    assert (new.language, new.origin_thread_ts, new.origin_channel) == ("en", "1795300000.000100", "C0FAQ")
    assert slack.chat_postEphemeral.call_args.kwargs["text"].startswith("Opened case #42")


def test_a_good_form_opens_the_case_and_tells_the_reporter_where_they_are() -> None:
    ctx, acked, slack = context(), ack(), client()
    real_validation(ctx)
    ctx["cases"].open.return_value = change()
    metadata = json.dumps({"channel": "C0FAQ", "origin_link": "https://fake.slack.com/x", "related_case": 3})
    case_forms.on_case_form(
        ack=acked, body=BODY, view=view(metadata, title="決済", priority="high"), client=slack, context=ctx
    )
    acked.assert_called_once_with()
    new = ctx["cases"].open.call_args.args[0]
    assert new == NewCase(
        title="決済", priority="high", origin_channel="C0FAQ", origin_link="https://fake.slack.com/x", related_case=3
    )
    slack.chat_postEphemeral.assert_called_once()
    assert slack.chat_postEphemeral.call_args.kwargs["text"].startswith("ケース #42 を起票しました")


def test_a_refused_escalation_is_shown_on_the_form() -> None:
    ctx, acked = context(), ack()
    ctx["cases"].escalate.side_effect = UserFacingError("case.error.already_at_level", number=42, level=3)
    case_forms.on_escalate_form(ack=acked, body=BODY, view=view("42", level="L3", note="メモ"), context=ctx)
    ctx["cases"].escalate.assert_called_once_with(42, "L3", "メモ", "U0CUSTOMER")
    assert acked.call_args.kwargs == {"response_action": "errors", "errors": {"note": "ケース #42 はすでに L3 です。"}}


def test_a_resolution_form_for_an_unknown_case_is_a_stale_form() -> None:
    ctx, acked = context(), ack()
    case_forms.on_resolve_form(ack=acked, body=BODY, view=view("not a number", note=None), context=ctx)
    ctx["cases"].resolve.assert_not_called()
    assert acked.call_args.kwargs["response_action"] == "errors"
