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


# --- breach page -------------------------------------------------------------------------------------------


def test_breach_page_names_who_what_how_late_links_the_case_and_offers_start_working() -> None:
    late = case(due_in=-timedelta(hours=1, minutes=5))
    text, blocks = sla_blocks.breach(late, ["U0ONCALL1", "S0SRE"], PERMALINK, NOW, "ja")
    assert "<@U0ONCALL1> <!subteam^S0SRE>" in text
    assert "#7" in text and "1時間5分超過" in text and "ログインできない" in text
    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    assert f"<{PERMALINK}|ケースを開く>" in json.dumps(blocks, ensure_ascii=False)
    (button,) = buttons(blocks)
    assert (button["text"]["text"], button["action_id"], button["value"]) == ("対応開始", ACTION_ACK, "7")
    assert button["style"] == "danger"


def test_breach_page_in_english() -> None:
    text, blocks = sla_blocks.breach(case(due_in=-timedelta(minutes=1)), ["U0ONCALL1"], PERMALINK, NOW, "en")
    assert "case #7 is 1m past its first-response target" in text and "<@U0ONCALL1>" in text
    assert buttons(blocks)[0]["text"]["text"] == "Start working"


def test_breach_page_never_lets_the_title_ping_anyone() -> None:
    title = "<!channel> 決済が <@U0BOSS> で失敗 & 停止"
    text, blocks = sla_blocks.breach(case(title=title, due_in=-timedelta(minutes=1)), [], None, NOW, "ja")
    shown = text + json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in shown and "<@U0BOSS>" not in shown
    assert "&lt;!channel&gt;" in text and "&amp;" in text  # shown as typed


def test_breach_page_without_a_permalink_or_anyone_on_call() -> None:
    text, blocks = sla_blocks.breach(case(due_in=-timedelta(minutes=1)), [], None, NOW, "ja", here=True)
    assert "<!here> ⚠️ オンコール担当者がいません" in text and "[oncall] fallback" in text
    assert [b["type"] for b in blocks] == ["section", "actions"]


# --- DM and CS Lead --------------------------------------------------------------------------------------


def test_breach_dm_tells_the_on_call_person_and_offers_start_working() -> None:
    text, blocks = sla_blocks.breach_dm(case(due_in=-timedelta(minutes=3)), PERMALINK, NOW, "ja")
    assert "あなたがオンコール担当です" in text and "#7" in text and "3分超過" in text
    assert PERMALINK in json.dumps(blocks)
    (button,) = buttons(blocks)
    assert (button["action_id"], button["value"]) == (ACTION_ACK, "7")


def test_lead_ping_mentions_the_cs_lead_with_the_case_and_its_due_time() -> None:
    text = sla_blocks.lead(case(priority="medium", due_in=timedelta(0)), "U0LEAD", "ja", TZ)
    assert text.startswith("⚠️ <@U0LEAD> ケース #7") and "中" in text and "11/16(月) 12:00" in text


def test_lead_ping_to_a_user_group_or_nobody() -> None:
    assert "<!subteam^S0LEADS>" in sla_blocks.lead(case(priority="low"), "S0LEADS", "ja", TZ)
    assert "[escalation] cs_lead" in sla_blocks.lead(case(priority="low"), None, "en", TZ)
