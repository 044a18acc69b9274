"""Block Kit for cases: what the card says, which buttons it offers, times in JST, and inert user text."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.access import Standing
from bot.cases import CaseDetails
from bot.config import EscalationConfig
from bot.models import Case, CaseEvent
from bot.slack import case_blocks

NOW = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)  # Monday 10:30 JST
TZ = "Asia/Tokyo"
M, H = timedelta(minutes=1), timedelta(hours=1)
ESCALATION = EscalationConfig(cs_lead="U0LEAD", engineers="S0ENG", issue_tracker_url="https://jira.example/create")
# Stored user text is plain (Slack's formatting was undone where it came in): what someone typed.
HOSTILE = "<!channel> <!here> <@U0AGENT2> <!subteam^S0SRE|@sre> 請求 & 契約"
# How it must appear: as typed, every bracket escaped, so it notifies nobody.
SHOWN = "&lt;!channel&gt; &lt;!here&gt; &lt;@U0AGENT2&gt; &lt;!subteam^S0SRE|@sre&gt; 請求 &amp; 契約"
TOKEN = re.compile(r"<[^<>]*>")


def make_case(**fields: Any) -> Case:
    values: dict[str, Any] = {
        "id": 7,
        "number": 42,
        "title": "全ユーザーがログインできない",
        "priority": "high",
        "status": "open",
        "escalation_level": 1,
        "reporter_id": "U0CUSTOMER",
        "created_at": NOW,
        "updated_at": NOW,
        "due_at": NOW + timedelta(hours=2),
    }
    values.update(fields)
    return Case(**values)


def event(kind: str, *, old: str | None = None, new: str | None = None, reason: str | None = None) -> CaseEvent:
    return CaseEvent(
        id=1, case_id=7, kind=kind, actor_id="U0AGENT", at=NOW, old_value=old, new_value=new, reason=reason
    )


def tokens(*parts: Any) -> set[str]:
    """Every `<…>` token in the given texts/blocks: what Slack would turn into a mention or a link."""
    return set(TOKEN.findall(json.dumps(parts, ensure_ascii=False)))


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def actions(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (element["action_id"], element["value"])
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


# --- the card -------------------------------------------------------------------------------------------


def test_the_card_shows_the_case_at_a_glance() -> None:
    case = make_case(
        customer="株式会社サンプル", category="billing", priority="medium", due_at=NOW + timedelta(hours=6)
    )
    text, blocks = case_blocks.card(case, NOW, "ja", TZ)
    shown = texts(blocks)
    assert text == "ケース #42 [中] 全ユーザーがログインできない"
    assert "*#42 全ユーザーがログインできない*" in shown
    for part in ("🟠 中", "<@U0CUSTOMER>", "株式会社サンプル", "請求・契約", "未対応", "L1 CS担当"):
        assert part in shown
    assert "*初期対応期限*\\n11/16(月) 16:30 (残り6時間)" in shown
    assert [b["text"]["text"] for b in blocks[-1]["elements"]] == ["対応開始", "エスカレーション", "解決"]


def test_the_due_time_is_in_jst_also_across_midnight_and_in_english() -> None:
    late = make_case(due_at=datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # Tuesday 00:00 in Tokyo
    assert "11/24(火) 00:00" in texts(case_blocks.card(late, NOW, "ja", TZ)[1])
    english = texts(case_blocks.card(late, NOW, "en", TZ)[1])
    assert "Tue 11/24 00:00" in english and "First response due" in english


def test_an_overdue_and_an_answered_case() -> None:
    overdue = make_case(due_at=NOW - timedelta(minutes=30))
    assert "11/16(月) 10:00 ⚠️ 30分超過" in texts(case_blocks.card(overdue, NOW, "ja", TZ)[1])
    answered = make_case(
        status="acknowledged", first_response_at=NOW + timedelta(minutes=5), first_response_by="U0AGENT"
    )
    shown = texts(case_blocks.card(answered, NOW, "ja", TZ)[1])
    assert "*初回応答*\\n11/16(月) 10:35 ✅ <@U0AGENT>" in shown and "対応中" in shown


@pytest.mark.parametrize(
    ("late", "when", "ja", "en"),
    [
        (timedelta(minutes=31), "11:01", "(31分超過)", "(31m overdue)"),
        (timedelta(seconds=3), "10:30", "(3秒超過)", "(3s overdue)"),
    ],
)
def test_a_late_first_response_shows_how_late_it_was(late: timedelta, when: str, ja: str, en: str) -> None:
    """Issue 9, defect 4: 「初回応答 22:09 (31分超過)」, however little late."""
    answered = make_case(
        status="acknowledged", due_at=NOW, first_response_at=NOW + late, first_response_by="U0AGENT", priority="high"
    )
    assert f"*初回応答*\\n11/16(月) {when} {ja} ✅ <@U0AGENT>" in texts(
        case_blocks.card(answered, NOW + H, "ja", TZ)[1]
    )
    assert en in texts(case_blocks.card(answered, NOW + H, "en", TZ)[1])
    assert ja in case_blocks.case_line(answered, NOW + H, "ja", TZ)  # lists too


def test_the_history_says_when_the_target_was_missed_and_by_how_much() -> None:
    late = CaseEvent(
        id=2,
        case_id=7,
        kind="sla_breach",
        actor_id="supportbot",
        at=NOW + 31 * M,
        old_value=NOW.isoformat(),
        new_value="late",
    )
    assert (
        case_blocks.history_line(late, "ja", TZ)
        == "• 11/16(月) 11:01  supportbot  初期対応期限 (11/16(月) 10:30) を31分超過して初回応答"
    )
    assert "first response after the due time (Mon 11/16 10:30): 31m overdue" in case_blocks.history_line(
        late, "en", TZ
    )
    notice = CaseEvent(id=3, case_id=7, kind="sla_breach", actor_id="supportbot", at=NOW, new_value="1")
    assert case_blocks.history_line(notice, "ja", TZ).endswith("初期対応期限超過の通知")


@pytest.mark.parametrize(
    ("fields", "buttons"),
    [
        ({"status": "open"}, ["case_ack", "case_escalate", "case_resolve"]),
        # Someone works on it: 「担当する」 takes it over.
        ({"status": "acknowledged", "first_response_at": NOW}, ["case_take", "case_escalate", "case_resolve"]),
        ({"status": "acknowledged", "escalation_level": 3, "first_response_at": NOW}, ["case_take", "case_resolve"]),
        # Escalated: waiting for the new level to take it, answered before or not.
        (
            {"status": "escalated", "escalation_level": 2, "first_response_at": NOW},
            ["case_ack", "case_escalate", "case_resolve"],
        ),
        ({"status": "escalated", "escalation_level": 3, "first_response_at": NOW}, ["case_ack", "case_resolve"]),
        ({"status": "escalated", "escalation_level": 2}, ["case_ack", "case_escalate", "case_resolve"]),
        ({"status": "resolved", "resolved_at": NOW, "first_response_at": NOW}, ["case_reopen"]),
        ({"status": "reopened", "first_response_at": NOW}, ["case_ack", "case_escalate", "case_resolve"]),
        (
            {"status": "open", "description": "あ" * 301},
            ["case_ack", "case_escalate", "case_resolve", "case_description"],
        ),
        ({"status": "resolved", "description": "あ" * 301}, ["case_reopen", "case_description"]),
    ],
)
def test_buttons_follow_the_state(fields: dict[str, Any], buttons: list[str]) -> None:
    _, blocks = case_blocks.card(make_case(**fields), NOW, "ja", TZ)
    assert actions(blocks) == [(action, "42") for action in buttons]


def test_user_text_on_the_card_notifies_nobody() -> None:
    case = make_case(
        title=HOSTILE, customer=HOSTILE, description=HOSTILE, impact=HOSTILE, steps=HOSTILE, category="other"
    )
    text, blocks = case_blocks.card(case, NOW, "ja", TZ)
    assert tokens(text, blocks) == {"<@U0CUSTOMER>"}  # the reporter, minted by the bot
    assert SHOWN in text
    assert "請求 &amp; 契約" in text


def test_links_on_the_card_are_the_origin_and_the_related_case() -> None:
    case = make_case(origin_link="https://fake.slack.com/archives/C0FAQ/p1", related_case=3)
    context = next(b for b in case_blocks.card(case, NOW, "ja", TZ)[1] if b["type"] == "context")
    assert (
        context["elements"][0]["text"] == "<https://fake.slack.com/archives/C0FAQ/p1|元のメッセージ> · 関連ケース: #3"
    )
    sneaky = make_case(origin_link="javascript:alert(1)")
    assert all(b["type"] != "context" for b in case_blocks.card(sneaky, NOW, "ja", TZ)[1])


@pytest.mark.parametrize("text", ["x\n" * 2000, "<>&" * 1500, "あ" * 5000, "&\n" * 1000])
def test_long_user_text_stays_within_slacks_section_limit(text: str) -> None:
    _, blocks = case_blocks.card(make_case(description=text, impact=text, steps=text), NOW, "ja", TZ)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert len(sections) == 4
    assert all(len(section) <= 3000 for section in sections)
    assert all(section.count("&gt;") >= 1 for section in sections[1:])  # still quoted


# --- thread lines ----------------------------------------------------------------------------------


def test_event_lines_in_the_thread() -> None:
    case = make_case(due_at=NOW + timedelta(hours=6))

    def line(e: CaseEvent) -> str:
        return case_blocks.event_line(e, case, "ja", TZ, ESCALATION)

    assert line(event("acknowledged", reason="button")) == "✅ <@U0AGENT> さんが対応を開始しました。"
    assert line(event("first_response")) == "💬 <@U0AGENT> さんが初回応答しました。"
    assert line(event("priority_changed", old="high", new="medium", reason="回避策を案内済み")) == (
        "⚖️ <@U0AGENT> さんが優先度を 🔴 高 → 🟠 中 に変更しました。\n理由: 回避策を案内済み\n新しい初期対応期限: 11/16(月) 16:30"
    )
    l2 = line(event("escalated", old="L1", new="L2", reason="判断をお願いします"))
    assert l2 == "🔺 <@U0AGENT> さんが L2 CS Lead にエスカレーションしました。<@U0LEAD> \nメモ: 判断をお願いします"
    l3 = line(event("escalated", old="L2", new="L3"))
    assert "<!subteam^S0ENG>" in l3 and "<https://jira.example/create|#42 全ユーザーがログインできない>" in l3
    assert (
        line(event("resolved", reason="設定変更で解消"))
        == "🎉 <@U0AGENT> さんが解決済みにしました。\nメモ: 設定変更で解消"
    )
    assert line(event("reopened")) == "↩️ <@U0AGENT> さんが再オープンしました。"


def test_reasons_and_titles_in_thread_lines_notify_nobody() -> None:
    case = make_case(title=HOSTILE)
    lines = [
        case_blocks.event_line(event(kind, old=old, new=new, reason=HOSTILE), case, "ja", TZ, ESCALATION)
        for kind, old, new in [
            ("priority_changed", "high", "low"),
            ("escalated", "L2", "L3"),
            ("resolved", None, None),
            ("reopened", None, None),
        ]
    ]
    assert tokens(lines) == {
        "<@U0AGENT>",
        "<!subteam^S0ENG>",
        "<https://jira.example/create|#42 " + SHOWN.replace("|", "｜") + ">",
    }


# --- lists and details ------------------------------------------------------------------------------------------


def test_the_list_has_one_line_per_case() -> None:
    cases = [
        make_case(),
        make_case(number=43, priority="low", status="acknowledged", title=HOSTILE, first_response_at=NOW),
    ]
    text, blocks = case_blocks.case_list(cases, "open", NOW, "ja", TZ)
    assert text == "ケース一覧 (対応中)"
    lines = blocks[1]["text"]["text"].split("\n")
    assert lines[0] == "*#42* 🔴 [未対応] 全ユーザーがログインできない — 11/16(月) 12:30 (残り2時間)"
    assert lines[1].startswith("*#43* 🟢 [対応中] &lt;!channel&gt;")
    assert tokens(blocks) == set()
    empty_text, _ = case_blocks.case_list([], "mine", NOW, "ja", TZ)
    assert empty_text == "ケース一覧 (自分の)\n該当するケースはありません。"


def test_details_print_the_history_without_buttons() -> None:
    events = [
        event("opened", new="high"),
        event("priority_changed", old="high", new="medium", reason="回避策 <!channel>"),
        event("escalated", old="L1", new="L2"),
        event("acknowledged", old="open", new="acknowledged", reason="button"),
    ]
    events[1].at = NOW + timedelta(hours=1)
    events[2].reason = "他社でも同じ障害の疑い"  # an internal note
    _, blocks = case_blocks.case_details(CaseDetails(make_case(), events), "U0AGENT", NOW, "ja", TZ)
    assert actions(blocks) == []
    history = blocks[-1]["text"]["text"].split("\n")
    assert history == [
        "*履歴*",
        "• 11/16(月) 10:30  <@U0AGENT>  起票 (優先度 高)",
        "• 11/16(月) 11:30  <@U0AGENT>  優先度 高 → 中 — 回避策 &lt;!channel&gt;",
        "• 11/16(月) 10:30  <@U0AGENT>  エスカレーション L1 → L2 — 他社でも同じ障害の疑い",
        "• 11/16(月) 10:30  <@U0AGENT>  対応開始",
    ]
    # The reporter reads the priority's reason (it explains a change they are told about), never the team's notes.
    reporter = CaseDetails(make_case(), events, Standing.REPORTER)
    _, blocks = case_blocks.case_details(reporter, "U0CUSTOMER", NOW, "ja", TZ)
    shown = blocks[-1]["text"]["text"]
    assert "他社でも" not in shown and "回避策" in shown


def test_the_card_shows_the_first_300_characters_and_show_all_of_them() -> None:
    long = "障害の詳細です。" * 100  # 800 characters
    _, blocks = case_blocks.card(make_case(description=long), NOW, "ja", TZ)
    shown = texts(blocks)
    assert long[:299] in shown and long[:301] not in shown
    assert "全800文字のうち最初の部分です" in shown and ("case_description", "42") in actions(blocks)
    _, details = case_blocks.case_details(CaseDetails(make_case(description=long * 5), []), "U0AGENT", NOW, "ja", TZ)
    shown = [b["text"]["text"] for b in details if b["type"] == "section" and "text" in b]
    whole = "".join(text for text in shown if "障害" in text)
    assert whole.replace("&gt; ", "").replace("\n", "").count("障害の詳細です。") == 500  # all of it, in sections
    assert all(len(text) <= 3000 for text in shown)


def test_the_card_and_lists_show_the_assignee() -> None:
    case = make_case(status="acknowledged", assignee_id="U0AGENT", first_response_at=NOW)
    _, blocks = case_blocks.card(case, NOW, "ja", TZ)
    assert {"type": "mrkdwn", "text": "*担当者*\n<@U0AGENT>"} in blocks[1]["fields"]
    assert "[対応中] 👤 <@U0AGENT> 全ユーザー" in case_blocks.case_line(case, NOW, "ja", TZ)
    taken = CaseEvent(
        id=2, case_id=7, kind="assigned", actor_id="U0LEAD", at=NOW, old_value="U0AGENT", new_value="U0LEAD"
    )
    assert (
        case_blocks.event_line(taken, case, "ja", TZ, ESCALATION)
        == "👤 <@U0LEAD> さんが担当します (前の担当者: <@U0AGENT>)。"
    )
    taken.actor_id = "U0AGENT2"
    assert "<@U0AGENT2> さんが担当者を <@U0AGENT> → <@U0LEAD> に変更しました" in case_blocks.event_line(
        taken, case, "ja", TZ, ESCALATION
    )
    assert case_blocks.history_line(taken, "ja", TZ).endswith("担当者 <@U0AGENT> → <@U0LEAD>")


def test_a_late_reopen_offers_a_new_linked_case() -> None:
    text, blocks = case_blocks.reopen_refused(42, 14, "ja")
    assert "#42" in text and "14日" in text
    assert actions(blocks) == [("case_new_linked", "42")]


def test_a_long_list_is_cut_and_says_so() -> None:
    many = [make_case(number=n) for n in range(1, 23)]
    _, blocks = case_blocks.case_list(many, "open", NOW, "ja", TZ, limit=20)
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "*#20*" in shown and "*#21*" not in shown
    assert "ほかにもケースがあります" in shown
    _, short = case_blocks.case_list(many[:3], "open", NOW, "ja", TZ, limit=20)
    assert "ほかにも" not in json.dumps(short, ensure_ascii=False)
