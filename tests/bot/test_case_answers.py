"""The answer to whoever changed a case is queued with the change (issue 14), and worded from its facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.case_answers import ReplyTo, replying
from bot.clock import ManualClock
from bot.database import Database
from bot.errors import UserFacingError
from bot.models import Case, OutboxMessage
from bot.outbox_kinds import OutboxKind
from bot.slack.case_answers import answer_text, case_answer_renderer
from bot.slack.desk import Desk as SlackDesk
from tests.bot.test_cases import AGENT, CUSTOMER, Desk, build_desk, open_case
from tests.harness import make_config

URL = "https://hooks.slack.test/commands/7"
SLACK_DESK = SlackDesk.from_config(make_config())


@pytest.fixture
def desk(db: Database, clock: ManualClock) -> Desk:
    return build_desk(db, clock)


def answers(desk: Desk) -> list[OutboxMessage]:
    with desk.db.transaction() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.CASE_ANSWER)).all()
        session.expunge_all()
        return list(rows)


def test_a_change_made_for_a_listener_queues_its_answer_in_the_same_transaction(desk: Desk) -> None:
    number = open_case(desk)
    to = ReplyTo(AGENT, URL, "C0FAQ")
    with replying(to) as queued:
        change = desk.service.change_priority(number, "high", "全社影響", AGENT)
    (answer,) = answers(desk)
    assert queued == [answer.dedupe_key] and answer.case_id == change.case.id
    assert answer.dedupe_key == f"case:{change.case.id}:answer:{change.event.id}"
    payload = answer.payload
    assert payload["reply_to"] == {"user": AGENT, "response_url": URL, "channel": "C0FAQ"}
    assert (payload["kind"], payload["new"], payload["case"]["priority"]) == ("priority_changed", "high", "high")
    assert payload["case"]["due_at"] == change.case.due_at.isoformat()


def test_no_listener_no_answer_and_a_refusal_queues_nothing(desk: Desk) -> None:
    number = open_case(desk)
    desk.service.acknowledge(number, AGENT, via="command")  # no listener waiting (e.g. the console)
    with replying(ReplyTo(AGENT, URL)), pytest.raises(UserFacingError):
        desk.service.acknowledge(number, AGENT, via="command")  # already acknowledged: nothing changes
    assert answers(desk) == []


def test_one_answer_per_request_and_only_to_whoever_made_the_change(desk: Desk) -> None:
    number = open_case(desk)
    with replying(ReplyTo(CUSTOMER, URL)):
        desk.service.acknowledge(number, AGENT, via="button")  # someone else's change: not this request's
    assert answers(desk) == []
    with replying(ReplyTo(AGENT, URL)):
        desk.service.escalate(number, "L2", None, AGENT)
        desk.service.resolve(number, None, AGENT)
    assert [a.payload["kind"] for a in answers(desk)] == ["escalated"]


def facts(**values: object) -> Case:
    base = {"number": 42, "priority": "medium", "due_at": datetime(2026, 11, 16, 7, 30, tzinfo=UTC)}
    return Case(**{**base, **values})


@pytest.mark.parametrize(
    ("kind", "new", "case", "text"),
    [
        ("acknowledged", "acknowledged", facts(), "ケース #42 の対応を開始しました。"),
        ("assigned", AGENT, facts(), "ケース #42 はあなたの担当になりました。"),
        ("assigned", "U0SATO", facts(), "ケース #42 の担当者を <@U0SATO> さんにしました。"),
        ("priority_changed", "high", facts(priority="high"), "ケース #42 の優先度を"),
        ("escalated", "L2", facts(escalation_level=2), "ケース #42 を"),
        ("resolved", "resolved", facts(), "ケース #42 を解決済みにしました。"),
        ("reopened", "reopened", facts(), "ケース #42 を再オープンしました。"),
    ],
)
def test_the_answer_is_worded_from_the_facts_it_kept(kind: str, new: str, case: Case, text: str) -> None:
    assert answer_text(kind, new, AGENT, case, SLACK_DESK).startswith(text)


def test_to_the_response_url_while_slack_takes_it_then_by_dm(desk: Desk, clock: ManualClock) -> None:
    number = open_case(desk)
    with replying(ReplyTo(AGENT, URL, "C0FAQ")):
        desk.service.resolve(number, None, AGENT)
    (answer,) = answers(desk)
    render = case_answer_renderer(clock, SLACK_DESK)
    post = render(answer)
    assert (post.response_url, post.text) == (URL, f"ケース #{number} を解決済みにしました。")
    clock.advance(timedelta(minutes=26))  # the response_url has expired
    late = render(answer)
    assert (late.response_url, late.channel) == (None, AGENT)
