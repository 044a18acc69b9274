"""`/faq`, called directly: a private search for everyone, scores and sources for agents, and the agents'
`/faq gaps`, `/faq learned` and `/faq reload`."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest.mock import Mock

from bot.faq import Gap
from bot.faq_teaching import Learned
from handlers.commands.faq import on_faq_command
from knowledge.loader import parse_markdown
from knowledge.reload import ReloadResult
from knowledge.results import Candidate, SearchResult
from tests.handlers.listeners import ack, context, respond, said

ENTRY = parse_markdown("## 機能\n\n### Q: VPNの設定方法は？\n\n**A**: 設定画面から。\n", "faq.md")[0]


def command(text: str, user: str = "U0CUSTOMER") -> dict[str, str]:
    return {"text": text, "user_id": user}


def test_without_a_question_it_explains_itself() -> None:
    acked, ctx = ack(), context()
    on_faq_command(ack=acked, command=command("  "), respond=respond(), context=ctx)
    assert said(acked).startswith("使い方: `/faq 質問`") and "/faq gaps" not in said(acked)
    ctx["faq"].search.assert_not_called()
    agents = ack()
    on_faq_command(ack=agents, command=command("", user="U0AGENT"), respond=respond(), context=ctx)
    assert "/faq gaps" in said(agents) and "/faq reload" in said(agents)


def test_a_question_is_searched_and_answered_privately() -> None:
    acked, ctx = ack(), context()
    ctx["faq"].search.return_value = Mock(decision="none", candidates=[])
    ctx["faq"].audience_in.return_value = None  # not a customer's channel
    on_faq_command(ack=acked, command=command("VPN &lt;"), respond=respond(), context=ctx)
    ctx["faq"].search.assert_called_once_with("VPN <", None)  # Slack's escaping undone once, where it came in
    assert acked.call_args.kwargs["response_type"] == "ephemeral"
    assert "「VPN &lt;」に該当するFAQは見つかりませんでした" in said(acked)


def test_scores_and_sources_are_for_agents_only() -> None:
    result = SearchResult("VPN", "answer", (Candidate(ENTRY, 0.91),), 0.1)
    for user, shown in (("U0CUSTOMER", False), ("U0AGENT", True)):
        acked, ctx = ack(), context()
        ctx["faq"].search.return_value = result
        ctx["faq"].audience_in.return_value = None
        on_faq_command(ack=acked, command=command("VPN", user=user), respond=respond(), context=ctx)
        blocks = str(acked.call_args.kwargs["blocks"])
        assert "VPNの設定方法は？" in blocks
        assert ("faq.md:3" in blocks) is shown and ("0.91" in blocks) is shown and ("判定" in blocks) is shown


def test_agent_commands_are_refused_to_everyone_else() -> None:
    for sub in ("gaps", "learned", "reload"):
        acked, ctx = ack(), context()
        on_faq_command(ack=acked, command=command(sub), respond=respond(), context=ctx)
        assert "サポート担当者のみ" in said(acked)
        assert ctx["faq"].method_calls == [] and ctx["teaching"].reload.call_count == 0


def test_gaps_list_each_question_with_a_link_button() -> None:
    acked, ctx = ack(), context()
    asked = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)
    ctx["faq"].gaps.return_value = [Gap("経費の締め日はいつ？", 3, asked, 1)]
    on_faq_command(ack=acked, command=command("gaps", user="U0AGENT"), respond=respond(), context=ctx)
    blocks = acked.call_args.kwargs["blocks"]
    assert acked.call_args.kwargs["response_type"] == "ephemeral"
    gap = blocks[1]
    assert "経費の締め日はいつ？" in gap["text"]["text"] and "3回 · 最終 11/16(月) 10:30" in gap["text"]["text"]
    assert gap["accessory"]["action_id"] == "faq_link_gap" and gap["accessory"]["value"] == "経費の締め日はいつ？"


def test_learned_lists_what_was_taught() -> None:
    acked, ctx = ack(), context()
    ctx["teaching"].learned.return_value = Learned()
    on_faq_command(ack=acked, command=command("learned", user="U0AGENT"), respond=respond(), context=ctx)
    assert said(acked) == "学習した内容はまだありません。"


def test_reload_is_acked_first_and_names_a_broken_file_with_its_line() -> None:
    from knowledge.lint import Finding

    acked, responded, ctx = ack(), respond(), context()
    broken = ReloadResult("faq.md", errors=(Finding("error", "faq.md", 12, "no answer for “X”", blocking=True),))
    ctx["teaching"].reload.return_value = [broken, ReloadResult("policy.md", changed=("p-1",))]
    on_faq_command(ack=acked, command=command("reload", user="U0AGENT"), respond=responded, context=ctx)
    acked.assert_called_once_with()
    text = said(responded)
    assert "`faq.md:12`" in text and "前回読み込めた内容のまま" in text
    assert "policy.md: 追加 0・変更 1・削除 0" in text
