"""The message shortcut, called directly."""

from __future__ import annotations

import json

from bot.slack.case_forms import VIEW_OPEN
from handlers.shortcuts.case_from_message import on_case_from_message
from tests.handlers.listeners import ack, client, context


def test_the_form_opens_prefilled_with_the_message_and_a_link_to_it() -> None:
    slack, acked = client(), ack()
    shortcut = {
        "trigger_id": "trigger.1",
        "channel": {"id": "C0FAQ"},
        "message": {"ts": "1700000000.000100", "text": "請求書 &lt;PDF&gt; が届かない\n<@U0BOSS> も困っています"},
    }
    on_case_from_message(ack=acked, shortcut=shortcut, client=slack, context=context())
    acked.assert_called_once_with()
    view = slack.views_open.call_args.kwargs["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert view["callback_id"] == VIEW_OPEN
    assert blocks["title"]["element"]["initial_value"] == "請求書 <PDF> が届かない"
    assert blocks["description"]["element"]["initial_value"].endswith("@U0BOSS も困っています")  # inert
    metadata = json.loads(view["private_metadata"])
    assert metadata == {"channel": "C0FAQ", "origin_link": "https://fake.slack.com/archives/C0FAQ/p1"}
