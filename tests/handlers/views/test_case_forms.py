"""The case forms submitted, called directly: mistakes next to their field, nothing done after the ack."""

from __future__ import annotations

import json
from typing import Any

from bot.cases import CaseService, NewCase
from bot.database import DatabaseUnavailable
from bot.errors import UserFacingError
from bot.intake import Receipt, Unavailable
from bot.slack.case_forms import VIEW_OPEN
from handlers.views import case_forms
from tests.handlers.listeners import ack, context

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
    case_forms.on_case_form(ack=acked, body=BODY, view=submitted, context=ctx)
    errors = acked.call_args.kwargs["errors"]
    assert acked.call_args.kwargs["response_action"] == "errors"
    assert errors == {
        "title": "件名を入力してください。",
        "priority": "優先度「」が分かりません。高・中・低 (high/medium/low、重大度A/B/C) のいずれかを指定してください。",
        "category": "カテゴリの指定が正しくありません。",
    }
    ctx["intake"].receive.assert_not_called()
    ctx["cases"].open.assert_not_called()


def test_a_form_opened_from_an_english_question_stays_in_english() -> None:
    """Issue 9: the language and the FAQ thread the form was opened from are kept for the case."""
    ctx, acked = context(), ack()
    real_validation(ctx)
    metadata = json.dumps({"channel": "C0FAQ", "thread_ts": "1795300000.000100", "language": "en"})
    case_forms.on_case_form(ack=acked, body=BODY, view=view(metadata, title=" ", priority="high"), context=ctx)
    assert acked.call_args.kwargs["errors"] == {"title": "Please enter a title."}  # the mistake, in English
    ctx["intake"].receive.return_value = Receipt("r1", spooled=False)
    case_forms.on_case_form(
        ack=ack(), body=BODY, view=view(metadata, title="Export fails", priority="high"), context=ctx
    )
    (received,), _ = ctx["intake"].receive.call_args
    new = NewCase(**received.case)
    assert (new.language, new.origin_thread_ts, new.origin_channel) == ("en", "1795300000.000100", "C0FAQ")


def test_a_good_form_is_recorded_before_the_ack_then_opened() -> None:
    """Issue 14: recorded (bot/intake.py), acked, then opened; the confirmation comes through the outbox."""
    ctx, acked = context(), ack()
    real_validation(ctx)
    order: list[str] = []
    ctx["intake"].receive.side_effect = lambda _: order.append("receive") or Receipt("r1", spooled=False)
    acked.side_effect = lambda *a, **k: order.append("ack")
    ctx["intake"].process.side_effect = lambda _: order.append("process")
    metadata = json.dumps({"channel": "C0FAQ", "origin_link": "https://fake.slack.com/x", "related_case": 3})
    submitted = {**view(metadata, title="決済", priority="high"), "id": "V0VIEW", "hash": "h1"}
    case_forms.on_case_form(ack=acked, body=BODY, view=submitted, context=ctx)
    assert order == ["receive", "ack", "process"]
    acked.assert_called_once_with()
    ctx["intake"].process.assert_called_once_with("r1")
    (received,), _ = ctx["intake"].receive.call_args
    assert NewCase(**received.case) == NewCase(
        title="決済", priority="high", origin_channel="C0FAQ", origin_link="https://fake.slack.com/x", related_case=3
    )
    assert (received.user, received.view, received.command) == ("U0CUSTOMER", "V0VIEW:h1", VIEW_OPEN)
    ctx["cases"].open.assert_not_called()  # the intake opens it


def test_the_same_submission_is_one_request_and_another_submission_is_another() -> None:
    ctx = context()
    real_validation(ctx)
    ctx["intake"].receive.return_value = Receipt("r1", spooled=False)
    submitted = {**view(title="決済", priority="high"), "id": "V0VIEW", "hash": "h1"}
    for seen in (submitted, submitted, {**submitted, "hash": "h2"}, {**submitted, "id": "V0OTHER"}):
        case_forms.on_case_form(ack=ack(), body=BODY, view=seen, context=ctx)
    ids = [call.args[0].request_id for call in ctx["intake"].receive.call_args_list]
    assert ids[0] == ids[1] != ids[2] and ids[3] != ids[0]


def test_during_an_outage_the_form_says_it_was_received() -> None:
    ctx, acked = context(), ack()
    real_validation(ctx)
    ctx["intake"].receive.return_value = Receipt("r1", spooled=True)
    case_forms.on_case_form(ack=acked, body=BODY, view=view(title="決済", priority="high"), context=ctx)
    assert acked.call_args.kwargs["response_action"] == "update"
    shown = acked.call_args.kwargs["view"]
    assert "受け付けました。システム復旧後にケースを起票し、番号をお知らせします。" in json.dumps(
        shown, ensure_ascii=False
    )
    assert "callback_id" not in shown and "submit" not in shown  # nothing to submit again
    ctx["intake"].process.assert_not_called()


def test_recorded_but_not_opened_is_left_to_the_intake_job() -> None:
    ctx, acked = context(), ack()
    real_validation(ctx)
    ctx["intake"].receive.return_value = Receipt("r1", spooled=False)
    ctx["intake"].process.side_effect = DatabaseUnavailable("connection refused")
    case_forms.on_case_form(ack=acked, body=BODY, view=view(title="決済", priority="high"), context=ctx)
    acked.assert_called_once_with()


def test_nowhere_to_record_it_keeps_the_form_open() -> None:
    ctx, acked = context(), ack()
    real_validation(ctx)
    ctx["intake"].receive.side_effect = Unavailable("disk full")
    case_forms.on_case_form(ack=acked, body=BODY, view=view(title="決済", priority="high"), context=ctx)
    assert acked.call_args.kwargs == {
        "response_action": "errors",
        "errors": {"title": "一時的に受け付けできませんでした。もう一度お試しください。"},
    }
    ctx["intake"].process.assert_not_called()


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
