"""The teaching forms, submitted, called directly: mistakes by their field, then what happened."""

from __future__ import annotations

import json

from bot.errors import UserFacingError
from bot.faq_teaching import Taught
from bot.faq_vocabulary import PhrasingStatus
from handlers.views.faq_teach import on_add_form, on_link_form
from tests.handlers.listeners import ack, context


def view(**values: dict) -> dict:
    return {
        "private_metadata": json.dumps({"channel": "C0FAQ", "ts": "1.2", "user": "U0CUSTOMER"}),
        "state": {"values": values},
    }


def text(value: str) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


def test_a_linked_question_is_learned_and_the_form_says_so() -> None:
    acked, ctx = ack(), context()
    ctx["teaching"].link.return_value = Taught(1, "hr-1", "締め日は？", PhrasingStatus.LEARNED)
    ctx["knowledge"].get.return_value.question = "経費精算の締め日はいつですか？"
    entry = {"faq_entry": {"type": "external_select", "selected_option": {"value": "hr-1"}}}
    on_link_form(
        ack=acked, body={"user": {"id": "U0AGENT"}}, view=view(question=text("締め日は？"), entry=entry), context=ctx
    )
    ctx["teaching"].link.assert_called_once_with(
        entry_id="hr-1", text="締め日は？", agent="U0AGENT", channel="C0FAQ", message_ts="1.2", asked_by="U0CUSTOMER"
    )
    answer = acked.call_args.kwargs
    assert answer["response_action"] == "update" and "経費精算の締め日はいつですか？" in json.dumps(
        answer["view"], ensure_ascii=False
    )


def test_a_refusal_is_shown_next_to_its_field() -> None:
    for key, field in (("faq.teach.error.unknown_entry", "entry"), ("faq.teach.error.question", "question")):
        acked, ctx = ack(), context()
        ctx["teaching"].link.side_effect = UserFacingError(key)
        on_link_form(ack=acked, body={"user": {"id": "U0AGENT"}}, view=view(question=text("")), context=ctx)
        assert acked.call_args.kwargs["response_action"] == "errors" and set(acked.call_args.kwargs["errors"]) == {
            field
        }


def test_a_draft_is_checked_before_the_ack_and_saved_after_it() -> None:
    acked, ctx = ack(), context()
    ctx["teaching"].drafts.check.return_value = {"answer": UserFacingError("faq.teach.error.answer")}
    on_add_form(ack=acked, body={"user": {"id": "U0AGENT"}}, view=view(question=text("締め日は？")), context=ctx)
    assert acked.call_args.kwargs == {"response_action": "errors", "errors": {"answer": "回答を入力してください。"}}
    ctx["teaching"].drafts.save.assert_not_called()

    acked, ctx = ack(), context()
    ctx["teaching"].drafts.check.return_value = {}
    values = view(question=text("締め日は？"), answer=text("25日です"))
    on_add_form(ack=acked, body={"user": {"id": "U0AGENT"}}, view=values, context=ctx)
    assert acked.call_args.kwargs["response_action"] == "update"
    (draft, author), _ = ctx["teaching"].drafts.save.call_args
    assert (draft.question, draft.answer, draft.channel, draft.message_ts, author) == (
        "締め日は？",
        "25日です",
        "C0FAQ",
        "1.2",
        "U0AGENT",
    )
