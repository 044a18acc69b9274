"""What the SLA notifications say: the page of a high case, the warning, the breach page, the on-call DM, the CS Lead ping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import Case
from bot.slack import sla_blocks
from bot.slack.case_blocks import ACTION_ACK
from tests.bot.slack.test_case_blocks import HOSTILE, SHOWN, make_case, tokens
from tests.bot.slack.test_case_blocks import NOW as CARD_NOW
from tests.bot.slack.test_case_blocks import actions as card_actions

NOW = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)  # Monday 12:00 in Tokyo
TZ = "Asia/Tokyo"
PERMALINK = "https://fake.slack.com/archives/C0CASES/p1795300000000100"


def case(title: str = "ログインできない", priority: str = "high", due_in: timedelta = timedelta(minutes=30)) -> Case:
    return Case(
        id=3,
        number=7,
        title=title,
        priority=priority,
        reporter_id="U0CUSTOMER",
        created_at=NOW - timedelta(hours=1),
        updated_at=NOW,
        due_at=NOW + due_in,
    )


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


# --- the page of a high case -----------------------------------------------------------------------------


def test_the_page_mentions_the_on_call_people_only() -> None:
    case = make_case(title=HOSTILE, customer=HOSTILE)
    text, blocks = sla_blocks.emergency(case, ["U0ONCALL1", "S0SRE"], "https://fake.slack.com/x", CARD_NOW, "ja", TZ)
    assert text.startswith(f"🚨 優先度「高」のケース #42: {SHOWN}")
    assert tokens(text, blocks) == {
        "<@U0ONCALL1>",
        "<!subteam^S0SRE>",
        "<@U0CUSTOMER>",
        "<https://fake.slack.com/x|ケースを開く>",
    }
    assert card_actions(blocks) == [("case_ack", "42")]
    nobody, blocks = sla_blocks.emergency(make_case(first_response_at=CARD_NOW), [], None, CARD_NOW, "ja", TZ)
    assert "オンコール担当者がいません" in nobody and "[oncall] fallback" in nobody and card_actions(blocks) == []
    assert "<!here>" not in nobody


def test_with_nobody_on_call_the_page_says_so_and_calls_here() -> None:
    """Issue 9, defect 3: the page no longer mentions nobody in silence; @here comes from configuration only."""
    case = make_case(title="<!here> " + HOSTILE)
    text, blocks = sla_blocks.emergency(case, [], None, CARD_NOW, "en", TZ, here=True)
    assert "<!here> ⚠️ Nobody is on call ([oncall] rotation is empty and [oncall] fallback names no user group)." in text
    assert text.count("<!here>") == 1  # the one the bot minted, not the one in the title
    assert card_actions(blocks) == [("case_ack", "42")]


# --- warning ---------------------------------------------------------------------------------------------


def test_warning_says_how_long_is_left_and_when_it_is_due() -> None:
    text = sla_blocks.warning(case(), NOW, "ja", TZ)
    assert "初期対応期限まで残り30分" in text and "11/16(月) 12:30" in text and "「対応開始」" in text


def test_warning_in_english_reads_naturally() -> None:
    text = sla_blocks.warning(case(due_in=timedelta(hours=1, minutes=30)), NOW, "en", TZ)
    assert "First response due in 1h 30m (at Mon 11/16 13:30)" in text
    assert "left" not in text


def test_a_warning_delivered_late_does_not_claim_the_case_is_overdue() -> None:
    text = sla_blocks.warning(case(due_in=-timedelta(minutes=2)), NOW, "ja", TZ)
    assert "超過" not in text and "残り0秒" in text


# --- re-pages, in the page's thread ---------------------------------------------------------------------


def repaged(sequence: int = 2, mentions: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"sequence": sequence, "mentions": ["U0ONCALL1"] if mentions is None else mentions, "here": False, **extra}


def test_a_re_page_counts_names_who_what_how_late_and_links_the_case() -> None:
    late = case(due_in=-timedelta(hours=1, minutes=5))
    text, blocks = sla_blocks.repage(late, repaged(3, ["U0ONCALL1", "S0SRE"]), PERMALINK, NOW, "ja")
    assert text.startswith("🔁 再通知 3回目: 優先度「高」のケース #7 が初期対応期限を1時間5分超過しています")
    assert "<@U0ONCALL1> <!subteam^S0SRE>" in text and "ログインできない" in text
    assert f"<{PERMALINK}|ケースを開く>" in json.dumps(blocks, ensure_ascii=False)
    assert buttons(blocks) == []  # the button is on the page above


def test_a_re_page_says_whom_the_escalation_chain_adds() -> None:
    chain = [{"step": "secondary", "who": "U0BACKUP1"}]
    text, _ = sla_blocks.repage(case(due_in=-timedelta(hours=1)), repaged(3, chain=chain), None, NOW, "ja")
    assert "⬆️ 2回呼び出しても応答がないため、<@U0BACKUP1> も呼び出します。" in text
    nobody = [{"step": "secondary", "who": None}, {"step": "cs_lead", "who": "U0LEAD"}]
    text, _ = sla_blocks.repage(case(due_in=-timedelta(hours=2)), repaged(5, chain=nobody), None, NOW, "en")
    assert "Nobody acknowledged 4 pages: also paging <@U0LEAD>." in text
    assert "Nobody acknowledged 4 pages, and there is no secondary to page ([oncall] secondary)." in text


def test_a_re_page_in_english() -> None:
    text, _ = sla_blocks.repage(case(due_in=-timedelta(minutes=1)), repaged(1), PERMALINK, NOW, "en")
    assert "Re-page 1: high-priority case #7 is 1m past its first-response target" in text and "<@U0ONCALL1>" in text


def test_a_re_page_never_lets_the_title_ping_anyone() -> None:
    title = "<!channel> 決済が <@U0BOSS> で失敗 & 停止"
    text, blocks = sla_blocks.repage(
        case(title=title, due_in=-timedelta(minutes=1)), repaged(mentions=[]), None, NOW, "ja"
    )
    shown = text + json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in shown and "<@U0BOSS>" not in shown
    assert "&lt;!channel&gt;" in text and "&amp;" in text  # shown as typed


def test_a_re_page_with_nobody_on_call_calls_here() -> None:
    payload = {"sequence": 1, "mentions": [], "here": True}
    text, blocks = sla_blocks.repage(case(due_in=-timedelta(minutes=1)), payload, None, NOW, "ja")
    assert "<!here> ⚠️ オンコール担当者がいません" in text and "[oncall] fallback" in text
    assert [b["type"] for b in blocks] == ["section"]


# --- the page as it is now: re-paged, acknowledged, resolved ------------------------------------------------


def test_the_page_counts_the_re_pages_and_the_time_elapsed_while_nobody_answers() -> None:
    late = case(due_in=-timedelta(minutes=31))  # opened an hour ago
    late.sla_breach_count = 2
    text, blocks = sla_blocks.emergency(late, ["U0ONCALL1"], PERMALINK, NOW, "ja", TZ)
    assert "🔁 再通知 2回目 · 起票から1時間 (期限を31分超過)" in text
    assert card_actions(blocks) == [("case_ack", "7")]


def test_the_page_says_who_acknowledged_it_when_and_how_late_and_loses_its_button() -> None:
    answered = case(due_in=-timedelta(minutes=31))
    answered.first_response_at, answered.first_response_by, answered.sla_breach_count = NOW, "U0ONCALL1", 2
    text, blocks = sla_blocks.emergency(answered, ["U0ONCALL1"], PERMALINK, NOW, "ja", TZ)
    assert "✅ 対応開始: <@U0ONCALL1> 11/16(月) 12:00 (31分超過)" in text and "再通知" not in text
    assert card_actions(blocks) == []
    dm, blocks = sla_blocks.page_dm(answered, {"user": "U0ONCALL1", "sequence": 2}, None, NOW, NOW, "en", TZ)
    assert "✅ Acknowledged: <@U0ONCALL1> Mon 11/16 12:00 (31m overdue)" in dm and buttons(blocks) == []


def test_the_page_says_the_case_was_resolved() -> None:
    done = case(due_in=timedelta(minutes=30))
    done.first_response_at, done.first_response_by = NOW - timedelta(minutes=10), "U0AGENT"
    done.status, done.resolved_at = "resolved", NOW
    text, _ = sla_blocks.emergency(done, ["U0ONCALL1"], None, NOW, "ja", TZ)
    assert "✅ 対応開始: <@U0AGENT> 11/16(月) 11:50\n🎉 解決済み 11/16(月) 12:00" in text
    done.first_response_at = None  # closed by the reporter before anyone answered
    assert "🎉 起票者が自己解決 11/16(月) 12:00" in sla_blocks.emergency(done, [], None, NOW, "ja", TZ)[0]


# --- DMs and CS Lead --------------------------------------------------------------------------------------


def test_the_dm_tells_the_on_call_person_and_offers_start_working() -> None:
    late = case(due_in=-timedelta(minutes=3))
    text, blocks = sla_blocks.page_dm(late, {"user": "U0ONCALL1", "sequence": 1}, PERMALINK, NOW, NOW, "ja", TZ)
    assert "あなたがオンコール担当です" in text and "#7" in text and "3分超過" in text
    assert PERMALINK in json.dumps(blocks)
    (button,) = buttons(blocks)
    assert (button["action_id"], button["value"]) == (ACTION_ACK, "7")


def test_the_dm_of_the_escalation_chain_says_why_they_are_paged() -> None:
    late = case(due_in=-timedelta(hours=1))
    payload = {"user": "U0BACKUP1", "sequence": 3, "step": "secondary"}
    text, blocks = sla_blocks.page_dm(late, payload, None, NOW, NOW, "ja", TZ)
    assert "オンコール担当が2回の呼び出しに応答していません。セカンダリのあなたを呼び出しています" in text
    lead = {"user": "U0LEAD", "sequence": 5, "step": "cs_lead"}
    assert "You are the CS Lead" in sla_blocks.page_dm(late, lead, None, NOW, NOW, "en", TZ)[0]
    assert buttons(blocks)


def test_the_warning_mentions_who_is_responsible() -> None:
    text = sla_blocks.warning(case(), NOW, "ja", TZ, "U0AGENT")
    assert text.startswith("⏰ <@U0AGENT> 初期対応期限まで残り30分")


def test_lead_ping_mentions_the_cs_lead_with_the_case_and_its_due_time() -> None:
    text = sla_blocks.lead(case(priority="medium", due_in=timedelta(0)), "U0LEAD", "ja", TZ)
    assert text.startswith("⚠️ <@U0LEAD> ケース #7") and "中" in text and "11/16(月) 12:00" in text


def test_lead_ping_to_a_user_group_or_nobody() -> None:
    assert "<!subteam^S0LEADS>" in sla_blocks.lead(case(priority="low"), "S0LEADS", "ja", TZ)
    assert "[escalation] cs_lead" in sla_blocks.lead(case(priority="low"), None, "en", TZ)
