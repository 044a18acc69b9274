"""`/faq`, called directly."""

from __future__ import annotations

from unittest.mock import Mock

from handlers.commands.faq import on_faq_command
from tests.handlers.listeners import ack, context, said


def test_without_a_question_it_explains_itself() -> None:
    acked, ctx = ack(), context()
    on_faq_command(ack=acked, command={"text": "  "}, context=ctx)
    assert said(acked).startswith("使い方: `/faq 質問`")
    ctx["faq"].search.assert_not_called()


def test_a_question_is_searched_and_answered_privately() -> None:
    acked, ctx = ack(), context()
    ctx["faq"].search.return_value = Mock(decision="none", candidates=[])
    on_faq_command(ack=acked, command={"text": "VPN &lt;"}, context=ctx)
    ctx["faq"].search.assert_called_once_with("VPN <")  # Slack's escaping undone once, where it came in
    assert acked.call_args.kwargs["response_type"] == "ephemeral"
    assert "「VPN &lt;」に該当するFAQは見つかりませんでした" in said(acked)
