"""The teaching shortcuts, called directly: agents get the form, everyone else a polite no."""

from __future__ import annotations

import json
from unittest.mock import Mock

from handlers.shortcuts.faq_teach import on_add_entry, on_link_message
from knowledge.loader import parse_markdown
from tests.handlers.listeners import ack, client, context, respond, said

KB = "## 経費\n\n### Q: 経費精算の締め日はいつですか？\n\n**A**: 毎月25日です。\n\n## 勤怠\n\n### Q: 打刻忘れは？\n\n**A**: 修正申請から。\n"
ENTRIES = parse_markdown(KB, "hr.md")


def shortcut(user: str, **message: str) -> dict:
    return {
        "trigger_id": "trigger.1",
        "user": {"id": user},
        "channel": {"id": "C0FAQ"},
        "message": {"ts": "1700000000.000200", "user": "U0CUSTOMER", **message},
    }


def test_link_opens_the_form_with_the_question_and_the_best_match_picked() -> None:
    slack, ctx = client(), context()
    ctx["faq"].search.return_value = Mock(best=Mock(entry=ENTRIES[0], score=0.4))
    on_link_message(
        ack=ack(),
        shortcut=shortcut("U0AGENT", text="<@U0BOT> 締め日 &lt;経費&gt; は？"),
        client=slack,
        respond=respond(),
        context=ctx,
    )
    view = slack.views_open.call_args.kwargs["view"]
    assert view["blocks"][1]["element"]["initial_value"] == "締め日 <経費> は？"
    assert view["blocks"][2]["element"]["initial_option"]["value"] == ENTRIES[0].id
    assert json.loads(view["private_metadata"]) == {"channel": "C0FAQ", "ts": "1700000000.000200", "user": "U0CUSTOMER"}


def test_add_takes_the_threads_question_and_the_reply() -> None:
    slack, ctx = client(), context()
    ctx["faq"].question_for.return_value = "締め日はいつ？"
    ctx["faq"].index = Mock(entries=ENTRIES)
    ctx["faq"].search.return_value = Mock(best=Mock(entry=ENTRIES[0], score=0.3))
    reply = shortcut("U0AGENT", text="毎月25日です", thread_ts="1700000000.000100")
    on_add_entry(ack=ack(), shortcut=reply, client=slack, respond=respond(), context=ctx)
    ctx["faq"].question_for.assert_called_once_with("C0FAQ", "1700000000.000100")
    slack.conversations_replies.assert_not_called()  # the bot handled that question: no Slack call
    blocks = {b.get("block_id"): b for b in slack.views_open.call_args.kwargs["view"]["blocks"]}
    assert blocks["question"]["element"]["initial_value"] == "締め日はいつ？"
    assert blocks["answer"]["element"]["initial_value"] == "毎月25日です"
    assert [o["value"] for o in blocks["category"]["element"]["options"]] == ["経費", "勤怠"]
    assert blocks["category"]["element"]["initial_option"]["value"] == "経費"


def test_someone_who_is_not_an_agent_gets_a_polite_no_and_no_form() -> None:
    for listener in (on_link_message, on_add_entry):
        slack, ctx, responded = client(), context(), respond()
        listener(
            ack=ack(), shortcut=shortcut("U0CUSTOMER", text="締め日は？"), client=slack, respond=responded, context=ctx
        )
        assert said(responded).startswith("申し訳ありません。FAQを教えたり")
        assert responded.call_args.kwargs["response_type"] == "ephemeral"
        slack.views_open.assert_not_called()
