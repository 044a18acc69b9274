"""Block Kit of FAQ replies and of teaching: no dead ends, nothing for agents' eyes in public, Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.faq_markdown import written_entry
from bot.faq_teaching import Learned
from bot.faq_vocabulary import DraftStatus, PhrasingStatus
from bot.models import FaqDraft, FaqPhrasing, OutboxMessage
from bot.outbox_kinds import OutboxKind
from bot.slack import faq_blocks, faq_teach_blocks
from bot.slack.renderers import faq_renderers
from knowledge.loader import parse_markdown
from tests.handlers.listeners import DESK

KB = "## 機能\n\n### Q: SSOはどのIdPに対応していますか？\n\n**A**: SAML 2.0 に対応しています。\n\n**エスカレーション**: CS Lead\n"
ENTRY = parse_markdown(KB, "faq.md")[0]
NOW = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)


def actions(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        elements = [*(block.get("elements") or []), *([block["accessory"]] if block.get("accessory") else [])]
        found += [e["action_id"] for e in elements if e.get("type") == "button"]
    return found


def test_button_values_carry_the_question_and_old_buttons_still_work() -> None:
    value = faq_blocks.answer_value("faq-sso", "1700000000.000100")
    assert faq_blocks.parse_value(value) == ("faq-sso", "1700000000.000100")
    old = {"ts": "1700000000.000200", "thread_ts": "1700000000.000100"}  # a button posted by the previous version
    assert faq_blocks.parse_value("faq-sso", old) == ("faq-sso", "1700000000.000100")
    assert faq_blocks.parse_value("faq-sso", {"ts": "1700000000.000300"}) == ("faq-sso", "1700000000.000300")


def test_a_public_answer_shows_no_source_and_an_agents_view_does() -> None:
    _, blocks = faq_blocks.answer_message(ENTRY, "ja", "1700000000.000100")
    assert "faq.md" not in json.dumps(blocks, ensure_ascii=False) and "出典" not in json.dumps(
        blocks, ensure_ascii=False
    )
    detailed = json.dumps(faq_blocks.entry_blocks(ENTRY, "ja", details=True), ensure_ascii=False)
    assert "出典: `faq.md:3` · 機能" in detailed
    slack = written_entry("learned-1", "経費の締め日は？", "25日です。")
    assert "Slackで追加" in json.dumps(faq_blocks.entry_blocks(slack, "ja", details=True), ensure_ascii=False)


def test_suggestions_and_nothing_found_are_no_dead_ends() -> None:
    _, suggested = faq_blocks.suggestions_message([ENTRY] * 7, "en", "1700000000.000100")
    assert actions(suggested) == [f"faq_pick_{n}" for n in range(5)] + ["faq_none_match", "faq_open_case"]
    assert "None of these" in json.dumps(suggested) and "Open a case" in json.dumps(suggested)
    _, nothing = faq_blocks.not_found_message("ja", "1700000000.000100")
    assert actions(nothing) == ["faq_open_case"]


def test_an_unsure_answer_offers_its_other_candidates_as_buttons_a_sure_one_does_not() -> None:
    other = parse_markdown("## 機能\n\n### Q: SCIMに対応していますか？\n\n**A**: はい。\n", "faq.md")[0]
    _, sure = faq_blocks.answer_message(ENTRY, "ja", "1700000000.000100")
    assert actions(sure) == ["faq_resolved", "faq_unresolved"]
    _, unsure = faq_blocks.answer_message(ENTRY, "en", "1700000000.000100", others=[other, ENTRY])
    assert actions(unsure) == ["faq_resolved", "faq_unresolved", "faq_pick_0", "faq_pick_1"]
    offered = unsure[-1]
    assert offered["block_id"] == "faq_others:en" and "Or were you asking" in json.dumps(unsure[-2])
    assert faq_blocks.parse_value(offered["elements"][0]["value"]) == (other.id, "1700000000.000100")


def test_the_answer_renderer_draws_the_offered_candidates_that_still_exist() -> None:
    other = parse_markdown("## 機能\n\n### Q: SCIMに対応していますか？\n\n**A**: はい。\n", "faq.md")[0]
    entries = {e.id: e for e in (ENTRY, other)}
    answer = faq_renderers(entries)[OutboxKind.FAQ_ANSWER]
    payload = {"channel": "C0FAQ", "thread_ts": "1.1", "question_ts": "1.1", "language": "ja", "entry_id": ENTRY.id}
    unsure = answer(
        OutboxMessage(dedupe_key="k1", kind=OutboxKind.FAQ_ANSWER, payload={**payload, "other_ids": ["gone", other.id]})
    )
    offered = next(b for b in unsure.blocks if b.get("block_id") == "faq_others:ja")
    assert [e["text"]["text"] for e in offered["elements"]] == [other.question]  # an entry removed since: left out
    picked = answer(OutboxMessage(dedupe_key="k2", kind=OutboxKind.FAQ_ANSWER, payload=payload))
    assert actions(picked.blocks) == ["faq_resolved", "faq_unresolved"]


def test_the_entry_picker_keeps_to_slacks_limits() -> None:
    long = parse_markdown("## " + "カ" * 90 + "\n\n### Q: " + "長" * 120 + "\n\n**A**: はい。\n", "faq.md")[0]
    options = faq_teach_blocks.entry_options([long] * 150)
    assert len(options) == 100
    assert len(options[0]["text"]["text"]) == 75 and len(options[0]["description"]["text"]) == 75
    view = faq_teach_blocks.link_modal("質問" * 400, "ja", {"channel": "C0FAQ"}, long)
    picker = view["blocks"][2]["element"]
    assert picker["type"] == "external_select" and picker["initial_option"] == options[0]
    assert len(view["blocks"][1]["element"]["initial_value"]) == 500
    for modal in (view, faq_teach_blocks.add_modal("Q", "A", ["経費"], "経費", "en", {})):
        assert len(modal["title"]["text"]) <= 24 and len(modal["submit"]["text"]) <= 24


def test_what_was_learned_is_listed_with_what_an_agent_can_do() -> None:
    candidate = FaqPhrasing(
        id=3,
        entry_id=ENTRY.id,
        text="SSO使える？",
        text_key="sso",
        status=PhrasingStatus.CANDIDATE,
        origin="suggestion",
        created_by="U0CUSTOMER",
        created_at=NOW,
    )
    learned = FaqPhrasing(
        id=2,
        entry_id="gone",
        text="SAML?",
        text_key="saml",
        status=PhrasingStatus.LEARNED,
        origin="link",
        created_by="U0AGENT",
        created_at=NOW,
        learned_by="U0AGENT",
        learned_at=NOW,
    )
    draft = FaqDraft(
        id=1,
        entry_id="learned-1",
        question="経費の締め日は？",
        answer="25日",
        status=DraftStatus.DRAFT,
        created_by="U0AGENT",
        created_at=NOW,
        links=[],
    )
    _, blocks = faq_teach_blocks.learned_blocks(
        Learned([candidate, learned], [draft]),
        lambda entry_id: ENTRY.question if entry_id == ENTRY.id else None,
        DESK,
        "ja",
    )
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "`p3` [候補] 「SSO使える？」 → SSOはどのIdPに対応していますか？" in shown
    assert "`p2` [学習済み] 「SAML?」 → gone" in shown and "`e1` [下書き]" in shown
    assert actions(blocks) == [
        "faq_confirm_candidate",
        "faq_learned_remove",
        "faq_learned_remove",
        "faq_draft_approve",
        "faq_draft_discard",
    ]
