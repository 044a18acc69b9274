"""Messages, called directly: one listener routes them, so the route never depends on registration order."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

from handlers import events
from handlers.events.messages import on_mention, on_message
from tests.handlers.listeners import a_case, context

CARD_TS = "1700000000.000100"


def message(**fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": "C0FAQ",
        "user": "U0AGENT",
        "text": "VPN に繋がらない?",
        "ts": "1700000000.000900",
        **fields,
    }


def test_a_reply_in_a_case_thread_is_recorded_and_not_taken_for_a_question() -> None:
    ctx = context()
    ctx["cases"].find_by_message.return_value = a_case()
    on_message(event=message(channel="C0CASES", thread_ts=CARD_TS), context=ctx)
    ctx["cases"].find_by_message.assert_called_once_with("C0CASES", CARD_TS)
    ctx["cases"].record_reply.assert_called_once_with(42, "U0AGENT")
    ctx["faq"].handle_message.assert_not_called()


def test_a_message_in_a_faq_channel_goes_to_the_faq() -> None:
    ctx = context()
    on_message(event=message(), context=ctx)
    ctx["faq"].handle_message.assert_called_once_with(
        channel="C0FAQ",
        ts="1700000000.000900",
        thread_ts=None,
        user="U0AGENT",
        text="VPN に繋がらない?",
        direct=False,
        inline=False,
    )
    assert ctx["cases"].method_calls == []


def test_what_is_not_a_person_speaking_where_the_bot_listens_is_ignored() -> None:
    for ignored in (
        message(bot_id="B0BOT"),
        message(subtype="message_changed"),
        message(channel="C0OTHER"),  # not a FAQ channel
        message(channel="C0CASES"),  # the cases channel, not in a thread
        message(text="<@U0BOT> VPN?"),  # answered as app_mention
    ):
        ctx = context()
        ctx["faq"].is_customer_channel.return_value = False  # C0OTHER is nobody's channel
        on_message(event=ignored, context=ctx)
        assert not ctx["faq"].handle_message.called and ctx["cases"].method_calls == [], ignored


def test_a_message_in_a_customers_channel_goes_to_the_faq() -> None:
    ctx = context()
    ctx["faq"].is_customer_channel.side_effect = lambda channel: channel == "C0ACME"
    on_message(event=message(channel="C0ACME", user="U0EXT"), context=ctx)
    assert ctx["faq"].handle_message.call_args.kwargs["channel"] == "C0ACME"


def test_direct_messages_and_mentions_are_always_answered() -> None:
    ctx = context()
    on_message(event=message(channel="D0DM", channel_type="im"), context=ctx)
    on_mention(event=message(channel="C0OTHER", text="<@U0BOT> VPN?"), context=ctx)
    assert [c.kwargs["direct"] for c in ctx["faq"].handle_message.call_args_list] == [True, True]
    assert ctx["faq"].handle_message.call_args_list[0].kwargs["inline"] is True  # a DM is answered inline
    assert ctx["faq"].handle_message.call_args.kwargs["text"] == "VPN?"


def test_one_listener_sees_every_message() -> None:
    app = Mock()
    events.register(app)
    assert [c.args for c in app.event.call_args_list] == [("message",), ("app_mention",), ("app_home_opened",)]
