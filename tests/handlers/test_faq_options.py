"""The entry picker's options (`app.options`), called directly."""

from __future__ import annotations

from handlers.options.faq_entries import on_entry_options
from knowledge.loader import parse_markdown
from tests.handlers.listeners import ack, context

ENTRIES = parse_markdown("## 経費\n\n### Q: 経費精算の締め日はいつですか？\n\n**A**: 毎月25日です。\n", "hr.md")


def test_agents_get_matching_entries_and_anyone_else_nothing() -> None:
    acked, ctx = ack(), context()
    ctx["teaching"].find_entries.return_value = ENTRIES
    on_entry_options(ack=acked, body={"user": {"id": "U0AGENT"}, "value": "締め日"}, context=ctx)
    ctx["teaching"].find_entries.assert_called_once_with("締め日", limit=100)
    (option,) = acked.call_args.kwargs["options"]
    assert option["value"] == ENTRIES[0].id and option["text"]["text"] == "経費精算の締め日はいつですか？"

    acked, ctx = ack(), context()
    on_entry_options(ack=acked, body={"user": {"id": "U0CUSTOMER"}, "value": "締め日"}, context=ctx)
    assert acked.call_args.kwargs == {"options": []}
    ctx["teaching"].find_entries.assert_not_called()
