"""Outbox rows → Slack posts for the people loop: where a page, a re-page, an edit and a reporter's note go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import Mock

import pytest
from slack_sdk import WebClient

from bot.clock import ManualClock
from bot.models import Case, CaseEvent, OutboxMessage
from bot.notify import NotReady, Obsolete
from bot.outbox_kinds import OutboxKind
from bot.pager import PAGE_TARGET
from bot.slack.desk import Desk
from bot.slack.renderers import CaseRenderers
from tests.harness import make_config

NOW = datetime(2026, 11, 16, 4, 0, tzinfo=UTC)  # Monday 13:00 in Tokyo


def a_case(**fields: Any) -> Case:
    values: dict[str, Any] = {
        "id": 1,
        "number": 1,
        "title": "全停止",
        "priority": "high",
        "status": "open",
        "reporter_id": "U0CUSTOMER",
        "created_at": NOW - timedelta(hours=3),
        "updated_at": NOW,
        "due_at": NOW - timedelta(hours=1),
        "message_channel": "C0CASES",
        "message_ts": "1.000001",
    }
    values.update(fields)
    return Case(**values)


def row(id: int, kind: str, state: str = "sent", **payload: Any) -> OutboxMessage:
    return OutboxMessage(
        id=id,
        dedupe_key=f"k{id}",
        kind=kind,
        case_id=1,
        payload=payload,
        state=state,
        sent_channel="C0EMERG" if kind != OutboxKind.BREACH_DM else "DU0ONCALL1",
        sent_ts=f"2.00000{id}" if state == "sent" else None,
        created_at=NOW,
        next_attempt_at=NOW,
    )


@dataclass
class Records:
    case: Case
    page: OutboxMessage | None = None
    messages: dict[int, OutboxMessage] = field(default_factory=dict)
    events: dict[int, CaseEvent] = field(default_factory=dict)

    def get_by_id(self, case_id: int) -> Case | None:
        return self.case

    def as_opened(self, case_id: int) -> Case | None:
        return self.case

    def event(self, event_id: int) -> CaseEvent | None:
        return self.events.get(event_id)

    def page_message(self, case_id: int, target: int | str) -> OutboxMessage | None:
        return self.page if target == PAGE_TARGET else self.messages.get(int(target))


def renderers(records: Records) -> CaseRenderers:
    client = Mock(spec=WebClient)
    client.chat_getPermalink.return_value = {"permalink": "https://fake.slack.com/archives/C0CASES/p1000001"}
    client.users_info.return_value = {"user": {"profile": {"display_name": "sato"}}}
    return CaseRenderers(records, ManualClock(NOW), Desk.from_config(make_config()), client)  # type: ignore[arg-type]


def test_the_first_page_is_posted_in_the_channel_and_a_re_page_replies_under_it() -> None:
    page = row(1, OutboxKind.PAGE, mentions=["U0ONCALL1"], here=False)
    records = Records(a_case(), page=page)
    post = renderers(records).page(page)
    assert (post.channel, post.thread_ts, post.update_ts) == ("C0EMERG", None, None)
    repage = row(2, OutboxKind.BREACH_PAGE, "sending", mentions=["U0ONCALL1"], here=False, sequence=2)
    post = renderers(records).page(repage)
    assert (post.channel, post.thread_ts) == ("C0EMERG", page.sent_ts) and post.text.startswith("🔁 再通知 2回目")


def test_a_re_page_waits_for_its_page_and_is_the_page_when_there_is_none() -> None:
    waiting = row(1, OutboxKind.PAGE, "pending")
    repage = row(2, OutboxKind.BREACH_PAGE, "sending", mentions=["U0ONCALL1"], sequence=1)
    with pytest.raises(NotReady):
        renderers(Records(a_case(), page=waiting)).page(repage)
    alone = renderers(Records(a_case(), page=repage)).page(repage)  # no page before it: it is the page
    assert alone.thread_ts is None and alone.text.startswith("🚨 優先度「高」のケース #1")


def test_an_edit_rewrites_the_page_or_the_dm_where_it_landed() -> None:
    page = row(1, OutboxKind.PAGE, mentions=["U0ONCALL1"], here=False)
    dm = row(3, OutboxKind.BREACH_DM, user="U0ONCALL1", sequence=1)
    answered = a_case(status="acknowledged", first_response_at=NOW, first_response_by="U0ONCALL1")
    records = Records(answered, page=page, messages={3: dm})
    edit = renderers(records).page_update(row(9, OutboxKind.PAGE_UPDATE, "sending", target=PAGE_TARGET))
    assert (edit.channel, edit.update_ts) == ("C0EMERG", page.sent_ts)
    assert "✅ 対応開始: <@U0ONCALL1> 11/16(月) 13:00 (1時間超過)" in edit.text and "case_ack" not in str(edit.blocks)
    edit = renderers(records).page_update(row(9, OutboxKind.PAGE_UPDATE, "sending", target=3))
    assert (edit.channel, edit.update_ts) == ("DU0ONCALL1", dm.sent_ts) and "あなたがオンコール担当です" in edit.text


@pytest.mark.parametrize(("state", "error"), [("pending", NotReady), ("uncertain", NotReady), ("dropped", Obsolete)])
def test_an_edit_waits_for_its_message_or_is_dropped_with_it(state: str, error: type[Exception]) -> None:
    records = Records(a_case(), messages={3: row(3, OutboxKind.BREACH_DM, state, user="U0ONCALL1")})
    with pytest.raises(error):
        renderers(records).page_update(row(9, OutboxKind.PAGE_UPDATE, "sending", target=3))
    with pytest.raises(Obsolete):  # no page at all
        renderers(Records(a_case())).page_update(row(9, OutboxKind.PAGE_UPDATE, "sending", target=PAGE_TARGET))


def test_the_reporter_is_told_in_the_faq_thread_or_by_dm_in_the_cases_language() -> None:
    ack = CaseEvent(id=5, case_id=1, kind="acknowledged", actor_id="U0AGENT", at=NOW)
    from_faq = a_case(origin_channel="C0FAQ", origin_thread_ts="3.000001", language="en")
    post = renderers(Records(from_faq, events={5: ack})).reporter(row(9, OutboxKind.CASE_REPORTER, event_id=5))
    assert (post.channel, post.thread_ts) == ("C0FAQ", "3.000001")
    assert post.text == "👀 sato started working on case #1 “全停止”."  # named, not mentioned
    elsewhere = a_case(origin_channel="C0SUPPORT")
    post = renderers(Records(elsewhere, events={5: ack})).reporter(row(9, OutboxKind.CASE_REPORTER, event_id=5))
    assert (post.channel, post.thread_ts) == ("U0CUSTOMER", None) and post.text.startswith("👀 ケース #1「全停止」")


def test_the_faq_thread_hears_of_the_case_once_its_card_is_posted() -> None:
    opened = CaseEvent(id=4, case_id=1, kind="opened", actor_id="U0CUSTOMER", at=NOW)
    no_card = a_case(origin_channel="C0FAQ", origin_thread_ts="3.000001", message_ts=None)
    with pytest.raises(NotReady):
        renderers(Records(no_card, events={4: opened})).reporter(row(9, OutboxKind.CASE_REPORTER, event_id=4))
    with_card = a_case(origin_channel="C0FAQ", origin_thread_ts="3.000001")
    post = renderers(Records(with_card, events={4: opened})).reporter(row(9, OutboxKind.CASE_REPORTER, event_id=4))
    assert post.text == "📝 ケース #1 を起票しました。<https://fake.slack.com/archives/C0CASES/p1000001|ケースを開く>"


def test_a_case_raised_to_high_again_says_so_in_its_pages_thread_without_a_second_button() -> None:
    page = row(1, OutboxKind.PAGE, mentions=["U0ONCALL1"], here=False)
    again = row(4, OutboxKind.PAGE, "sending", mentions=["U0ONCALL1"], here=False)
    post = renderers(Records(a_case(), page=page)).page(again)
    assert post.thread_ts == page.sent_ts and "case_ack" not in str(post.blocks)


def test_a_question_asked_in_a_dm_is_followed_up_right_there_not_in_a_thread() -> None:
    ack = CaseEvent(id=5, case_id=1, kind="acknowledged", actor_id="U0AGENT", at=NOW)
    from_dm = a_case(origin_channel="DU0CUSTOMER", origin_thread_ts="3.000001")
    post = renderers(Records(from_dm, events={5: ack})).reporter(row(9, OutboxKind.CASE_REPORTER, event_id=5))
    assert (post.channel, post.thread_ts) == ("U0CUSTOMER", None)
