"""CaseService on SQLite and PostgreSQL: numbering, the lifecycle, who may do what, and the outbox."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.access import Standing
from bot.agents import ConfiguredAgents
from bot.case_vocabulary import CaseStatus
from bot.cases import CaseService, NewCase
from bot.clock import ManualClock
from bot.config import BehaviourConfig
from bot.database import Database
from bot.errors import UserFacingError
from bot.models import Case, CaseEvent, CaseParty, Counter, OutboxMessage
from bot.notify import Delivered, TransientDeliveryError
from bot.oncall import OncallService
from bot.outbox import Outbox
from bot.sla_clock import SlaClock
from tests.conftest import MONDAY_MORNING
from tests.harness import make_config

H = timedelta(hours=1)
CUSTOMER, AGENT, GROUP_AGENT, OTHER = "U0CUSTOMER", "U0AGENT", "U0AGENT2", "U0OTHER"
# Not agents: called to a case only by a page or an escalation (issue 9, defect 1).
ONCALL, NEXT_ONCALL, LEAD, ENGINEER, SRE = "U0ONCALL1", "U0ONCALL2", "U0LEAD", "U0ENG1", "U0SRE1"
GROUPS = {"S0AGENTS": [GROUP_AGENT], "S0ENG": [ENGINEER], "S0SRE": [SRE]}


@dataclass
class Sent:
    kind: str
    case_id: int | None
    payload: dict[str, Any]


@dataclass
class Recorder:
    """A notifier that records what would go to Slack; `down` makes every delivery fail."""

    sent: list[Sent] = field(default_factory=list)
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, message: OutboxMessage, *, verify: bool) -> Delivered:
        with self.lock:
            if self.down:
                raise TransientDeliveryError("Slack is down")
            self.sent.append(Sent(message.kind, message.case_id, dict(message.payload)))
            return Delivered(channel="C0CASES", ts=f"1763256600.{len(self.sent):06d}")

    def kinds(self) -> list[str]:
        return [s.kind for s in self.sent]


@dataclass
class Desk:
    service: CaseService
    recorder: Recorder
    clock: ManualClock
    db: Database
    oncall: OncallService

    def events(self, number: int) -> list[CaseEvent]:
        return self.service.details(number).events

    def rows(self, model: type) -> list[Any]:
        with self.db.transaction() as session:
            return list(session.exec(select(model)).all())


def build_desk(
    db: Database, clock: ManualClock, recorder: Recorder | None = None, config: BehaviourConfig | None = None
) -> Desk:
    config = config or make_config()
    agents = ConfiguredAgents(config.agents, group_members=lambda group: GROUPS.get(group, []))
    recorder = recorder or Recorder()
    oncall = OncallService(db, clock, config.oncall, agents)
    service = CaseService(
        db,
        clock,
        SlaClock.from_config(config, oncall),
        Outbox(db, clock, recorder),
        agents,
        config.cases,
        config.escalation,
    )
    return Desk(service, recorder, clock, db, oncall)


@pytest.fixture
def desk(db: Database, clock: ManualClock) -> Desk:
    return build_desk(db, clock)


def open_case(desk: Desk, priority: str = "medium", title: str = "ログインできない", reporter: str = CUSTOMER) -> int:
    return desk.service.open(NewCase(title=title, priority=priority), reporter).case.number


def refused(action: Callable[[], object], key: str) -> UserFacingError:
    with pytest.raises(UserFacingError) as caught:
        action()
    assert caught.value.key == key
    return caught.value


# --- opening ----------------------------------------------------------------------------------------


def test_cases_are_numbered_from_one_and_posted_with_their_card(desk: Desk) -> None:
    first = desk.service.open(
        NewCase(
            title="  全ユーザーがログインできない ",
            priority="中",
            description="SSO 経由でエラー",
            customer="株式会社サンプル",
            category="technical",
            impact="全社",
            steps="1. ログイン画面を開く",
            origin_channel="C0FAQ",
        ),
        CUSTOMER,
    )
    second = open_case(desk, "low")
    assert (first.case.number, second) == (1, 2)
    case = desk.service.get(1)
    assert case.title == "全ユーザーがログインできない"
    assert (case.priority, case.status, case.reporter_id) == ("medium", CaseStatus.OPEN, CUSTOMER)
    assert (case.customer, case.category, case.impact, case.origin_channel) == (
        "株式会社サンプル",
        "technical",
        "全社",
        "C0FAQ",
    )
    assert case.created_at == MONDAY_MORNING
    assert case.due_at == MONDAY_MORNING + 6 * H  # 6 business hours inside Monday 10:30–18:00
    assert case.sla_check_at == MONDAY_MORNING + 4.5 * H  # the warning at 75 %
    (event,) = desk.events(1)
    assert (event.kind, event.actor_id, event.new_value, event.at) == ("opened", CUSTOMER, "medium", MONDAY_MORNING)
    assert desk.recorder.kinds() == ["case.card", "case.card"]
    # The card's ts is remembered, so replies in its thread find the case.
    assert case.message_ts is not None
    found = desk.service.find_by_message("C0CASES", case.message_ts)
    assert found is not None and found.number == 1
    assert first.outside_hours is False


def test_a_high_case_pages_whoever_is_on_call(desk: Desk) -> None:
    open_case(desk, "high")
    open_case(desk, "low")
    assert desk.recorder.kinds() == ["case.card", "case.emergency", "case.card"]
    page = desk.recorder.sent[1]
    on_call = desk.oncall.at(MONDAY_MORNING)
    assert page.payload["mentions"] == on_call.mentions and on_call.mentions
    assert desk.service.get(1).due_at == MONDAY_MORNING + 2 * H  # high counts around the clock


def test_outside_business_hours_medium_and_low_start_the_next_business_day(desk: Desk) -> None:
    desk.clock.set(MONDAY_MORNING + 9.5 * H)  # Monday 20:00 JST
    medium = desk.service.open(NewCase(title="設定変更の依頼", priority="medium"), CUSTOMER)
    high = desk.service.open(NewCase(title="全停止", priority="high"), CUSTOMER)
    assert medium.outside_hours is True
    assert medium.case.due_at == MONDAY_MORNING + 24 * H - 0.5 * H + 6 * H  # Tuesday 10:00 + 6 h
    assert high.outside_hours is False


def test_bad_input_opens_nothing_and_uses_no_number(desk: Desk) -> None:
    bad = [
        (NewCase(title="", priority="high"), "case.error.title_empty"),
        (NewCase(title="  \u3000 ", priority="high"), "case.error.title_empty"),
        (NewCase(title="あ" * 201, priority="high"), "case.error.title_too_long"),
        (NewCase(title="ログインできない", priority="urgent"), "case.error.priority"),
        (NewCase(title="ログインできない", priority=""), "case.error.priority"),
        (NewCase(title="ログインできない", priority="low", category="sales"), "case.error.category"),
    ]
    for new, key in bad:
        refused(lambda new=new: desk.service.open(new, CUSTOMER), key)
    assert desk.rows(Case) == [] and desk.rows(CaseEvent) == [] and desk.rows(OutboxMessage) == []
    assert open_case(desk) == 1


def test_a_title_of_exactly_the_limit_is_accepted(desk: Desk) -> None:
    change = desk.service.open(NewCase(title="あ" * 200, priority="low"), CUSTOMER)
    assert len(change.case.title) == 200


def test_the_change_is_committed_before_slack_is_told(db: Database, clock: ManualClock) -> None:
    desk = build_desk(db, clock, Recorder(down=True))
    open_case(desk, "high")
    desk.service.acknowledge(1, AGENT)
    assert desk.service.get(1).status == CaseStatus.ACKNOWLEDGED
    assert [e.kind for e in desk.events(1)] == ["opened", "acknowledged"]
    queued = sorted(m.kind for m in desk.rows(OutboxMessage) if m.state == "pending")
    # The card, the page, the thread line, the card's update, the reporter's note, the page's edit.
    assert queued == [
        "case.card",
        "case.card_update",
        "case.emergency",
        "case.reporter",
        "case.thread",
        "sla.page_update",
    ]
    assert desk.recorder.sent == []


# --- acknowledging and the first response -------------------------------------------------------------


def test_an_agent_acknowledges_and_the_first_response_is_recorded(desk: Desk) -> None:
    open_case(desk)
    desk.clock.advance(15 * timedelta(minutes=1))
    change = desk.service.acknowledge(1, AGENT)
    case = desk.service.get(1)
    assert case.status == CaseStatus.ACKNOWLEDGED == change.case.status
    assert (case.first_response_at, case.first_response_by) == (MONDAY_MORNING + timedelta(minutes=15), AGENT)
    assert case.sla_check_at is None  # SLA pings stop
    event = desk.events(1)[-1]
    assert (event.kind, event.actor_id, event.old_value, event.new_value) == (
        "acknowledged",
        AGENT,
        CaseStatus.OPEN,
        CaseStatus.ACKNOWLEDGED,
    )
    assert desk.recorder.kinds()[-3:] == ["case.thread", "case.card_update", "case.reporter"]
    assert desk.recorder.sent[-1].payload == {"event_id": event.id}
    assert (case.assignee_id, case.assigned_at) == (AGENT, case.first_response_at)  # 担当者
    error = refused(lambda: desk.service.acknowledge(1, "U0AGENT2"), "case.error.already_acknowledged")
    assert error.values == {"number": 1, "user": AGENT, "at": case.first_response_at}  # by whom and since when


@pytest.mark.parametrize(
    ("late", "how"),
    [(timedelta(minutes=31), "acknowledge"), (timedelta(seconds=4), "reply"), (timedelta(minutes=5), "resolve")],
)
def test_a_late_first_response_keeps_the_breach_in_the_history(desk: Desk, late: timedelta, how: str) -> None:
    """Issue 9, defect 4: however little late, the case's history says the target was missed, and by how much."""
    open_case(desk, priority="high")
    due = desk.service.get(1).due_at
    desk.clock.set(due + late)
    {
        "acknowledge": lambda: desk.service.acknowledge(1, AGENT),
        "reply": lambda: desk.service.record_reply(1, AGENT),
        "resolve": lambda: desk.service.resolve(1, None, AGENT),
    }[how]()
    breach = next(e for e in desk.events(1) if e.kind == "sla_breach")
    assert (breach.new_value, breach.old_value, breach.at, breach.actor_id) == (
        "late",
        due.isoformat(),
        due + late,
        "supportbot",
    )
    assert desk.service.get(1).first_response_at == due + late


def test_a_first_response_in_time_records_no_breach(desk: Desk) -> None:
    open_case(desk, priority="high")
    desk.clock.set(desk.service.get(1).due_at)  # exactly on time
    desk.service.acknowledge(1, AGENT)
    assert [e.kind for e in desk.events(1)] == ["opened", "acknowledged"]
    desk.service.resolve(1, None, AGENT)  # a later resolution is not a first response
    assert "sla_breach" not in [e.kind for e in desk.events(1)]


def test_members_of_the_agents_group_are_agents(desk: Desk) -> None:
    open_case(desk)
    assert desk.service.acknowledge(1, GROUP_AGENT).case.first_response_by == GROUP_AGENT


def test_nobody_else_changes_a_case(desk: Desk) -> None:
    open_case(desk)  # medium: nobody was paged or escalated to
    sent = len(desk.recorder.sent)
    for user in (OTHER, ONCALL, LEAD, ENGINEER, SRE):
        refused(lambda user=user: desk.service.acknowledge(1, user), "case.error.not_allowed")
        refused(lambda user=user: desk.service.change_priority(1, "high", "急ぎ", user), "case.error.not_allowed")
        refused(lambda user=user: desk.service.escalate(1, "L2", None, user), "case.error.not_allowed")
        refused(lambda user=user: desk.service.resolve(1, "直りました", user), "case.error.not_allowed")
    # The reporter may resolve their own case, nothing more.
    refused(lambda: desk.service.acknowledge(1, CUSTOMER), "case.error.not_allowed")
    refused(lambda: desk.service.change_priority(1, "high", "急ぎ", CUSTOMER), "case.error.not_allowed")
    refused(lambda: desk.service.escalate(1, "L2", None, CUSTOMER), "case.error.not_allowed")
    case = desk.service.get(1)
    assert (case.status, case.priority, case.escalation_level, case.first_response_at) == (
        CaseStatus.OPEN,
        "medium",
        1,
        None,
    )
    assert [e.kind for e in desk.events(1)] == ["opened"]
    assert len(desk.recorder.sent) == sent


# --- who may act: the people paged or escalated to (issue 9, defect 1) ------------------------------------


def test_the_person_paged_may_act_on_that_case_and_only_that_one(desk: Desk) -> None:
    open_case(desk, "high")  # pages U0ONCALL1
    open_case(desk, "medium")
    assert desk.service.standing(1, ONCALL) is Standing.PARTY
    assert desk.service.acknowledge(1, ONCALL, via="button").case.first_response_by == ONCALL
    assert desk.service.get(1).sla_check_at is None  # the pages stop
    desk.service.change_priority(1, "medium", "回避策を案内済み", ONCALL)
    desk.service.resolve(1, "再起動で復旧", ONCALL)
    refused(lambda: desk.service.acknowledge(2, ONCALL), "case.error.not_allowed")
    desk.service.reopen(1, "再発", ONCALL)
    refused(lambda: desk.service.resolve(1, None, NEXT_ONCALL), "case.error.not_allowed")  # was not paged


def test_who_was_paged_is_kept_in_the_database_for_every_replica_and_later_shifts(
    db: Database, clock: ManualClock
) -> None:
    first = build_desk(db, clock)
    open_case(first, "high")
    clock.advance(timedelta(days=7))  # the rotation has handed over to U0ONCALL2
    other_replica = build_desk(db, clock)
    assert other_replica.oncall.at().primary == NEXT_ONCALL
    refused(lambda: other_replica.service.acknowledge(1, NEXT_ONCALL), "case.error.not_allowed")
    assert other_replica.service.acknowledge(1, ONCALL).case.first_response_by == ONCALL
    (party,) = [p for p in first.rows(CaseParty) if p.role != "assignee"]
    assert (party.case_id, party.party_id, party.role, party.added_at) == (1, ONCALL, "oncall_primary", MONDAY_MORNING)


def sweep(desk: Desk) -> None:
    with desk.db.transaction() as session:
        desk.service.sla.sweep(session, desk.clock.now(), limit=100)


def test_the_secondary_and_the_fallback_group_may_act_when_paged(db: Database, clock: ManualClock) -> None:
    with_secondary = build_desk(db, clock, config=make_config(oncall={"secondary": ["U0BACKUP1"]}))
    open_case(with_secondary, "high")
    refused(lambda: with_secondary.service.acknowledge(1, "U0BACKUP1"), "case.error.not_allowed")  # not paged yet
    clock.advance(3 * H)  # due + 1 h: re-page 3, and the escalation chain calls the secondary
    sweep(with_secondary)
    assert with_secondary.service.acknowledge(1, "U0BACKUP1").case.first_response_by == "U0BACKUP1"
    grouped = build_desk(db, clock, config=make_config(oncall={"rotation": [], "fallback": "S0SRE"}))
    change = grouped.service.open(NewCase(title="全停止", priority="high"), CUSTOMER)
    assert change.paged is not None and change.paged.source == "fallback"
    refused(lambda: grouped.service.acknowledge(2, OTHER), "case.error.not_allowed")
    assert grouped.service.acknowledge(2, SRE).case.first_response_by == SRE


def test_with_nobody_on_call_the_page_calls_here_and_names_nobody(db: Database, clock: ManualClock) -> None:
    desk = build_desk(db, clock, config=make_config(oncall={"rotation": []}))
    change = desk.service.open(NewCase(title="全停止", priority="high"), CUSTOMER)
    assert change.paged is not None and change.paged.source == "nobody"
    page = next(s for s in desk.recorder.sent if s.kind == "case.emergency")
    assert page.payload == {"mentions": [], "oncall_source": "nobody", "here": True}
    assert desk.rows(CaseParty) == []
    refused(lambda: desk.service.acknowledge(1, ONCALL), "case.error.not_allowed")


def test_the_cs_lead_and_the_engineers_may_act_once_escalated_to(desk: Desk) -> None:
    open_case(desk)
    refused(lambda: desk.service.resolve(1, None, LEAD), "case.error.not_allowed")
    desk.service.escalate(1, "L2", "判断をお願いします", AGENT)
    refused(lambda: desk.service.acknowledge(1, ENGINEER), "case.error.not_allowed")
    desk.service.escalate(1, "L3", "DB の調査", LEAD)  # the CS Lead hands it on
    assert desk.service.acknowledge(1, ENGINEER).case.first_response_by == ENGINEER  # a member of S0ENG
    desk.service.resolve(1, "インデックス追加", ENGINEER)
    parties = sorted((p.party_id, p.role) for p in desk.rows(CaseParty))
    assert parties == [("S0ENG", "engineers"), (ENGINEER, "assignee"), (LEAD, "cs_lead")]


def test_the_reporter_resolves_their_own_case_as_self_resolved(desk: Desk) -> None:
    open_case(desk)
    change = desk.service.resolve(1, "自分で設定を直しました", CUSTOMER)
    assert (change.event.kind, change.event.actor_id, change.event.reason) == (
        "self_resolved",
        CUSTOMER,
        "自分で設定を直しました",
    )
    case = desk.service.get(1)
    assert (case.status, case.first_response_at, case.sla_check_at) == (
        CaseStatus.RESOLVED,
        None,
        None,
    )  # not a response
    desk.service.reopen(1, "やはり再発", CUSTOMER)
    assert desk.service.get(1).status == CaseStatus.REOPENED


def test_a_reply_by_the_person_paged_is_the_first_response(desk: Desk) -> None:
    open_case(desk, "high")
    assert desk.service.record_reply(1, OTHER) is None
    change = desk.service.record_reply(1, ONCALL)
    assert change is not None and change.case.first_response_by == ONCALL


def test_an_agents_reply_in_the_thread_is_the_first_response(desk: Desk) -> None:
    open_case(desk, reporter=AGENT)
    assert desk.service.record_reply(1, CUSTOMER) is None  # not an agent
    assert desk.service.record_reply(1, AGENT) is None  # the reporter
    desk.clock.advance(timedelta(minutes=5))
    change = desk.service.record_reply(1, GROUP_AGENT)
    assert change is not None and change.event.kind == "first_response"
    case = desk.service.get(1)
    assert (case.status, case.first_response_by) == (CaseStatus.ACKNOWLEDGED, GROUP_AGENT)
    assert case.first_response_at == MONDAY_MORNING + timedelta(minutes=5)
    assert desk.service.record_reply(1, GROUP_AGENT) is None  # only the first one counts
    assert [e.kind for e in desk.events(1)] == ["opened", "first_response"]


def test_a_case_escalated_before_anyone_responded_can_still_be_acknowledged(desk: Desk) -> None:
    open_case(desk, "high")
    desk.service.escalate(1, "L2", "CS Lead 判断が必要", AGENT)
    case = desk.service.get(1)
    assert (case.status, case.first_response_at) == (CaseStatus.ESCALATED, None)
    desk.service.acknowledge(1, LEAD)  # the CS Lead takes it: the first response (issue 9)
    case = desk.service.get(1)
    assert (case.status, case.escalation_level) == (CaseStatus.ACKNOWLEDGED, 2)  # taken at L2
    assert case.first_response_by == LEAD == case.assignee_id and case.sla_check_at is None
    refused(lambda: desk.service.acknowledge(1, AGENT), "case.error.already_acknowledged")


def test_an_escalated_case_is_taken_again_at_its_new_level_and_the_first_response_stays(desk: Desk) -> None:
    open_case(desk, "medium")
    first = desk.service.acknowledge(1, AGENT).case.first_response_at
    desk.clock.advance(H)
    desk.service.escalate(1, "L2", "返金判断", AGENT)
    assert desk.service.get(1).status == CaseStatus.ESCALATED  # waiting for L2 to take it
    desk.service.acknowledge(1, LEAD)
    case = desk.service.get(1)
    assert (case.status, case.assignee_id, case.first_response_by, case.first_response_at) == (
        CaseStatus.ACKNOWLEDGED,
        LEAD,
        AGENT,
        first,
    )


def test_a_thread_reply_on_an_escalated_case_keeps_it_escalated(desk: Desk) -> None:
    open_case(desk, "high")
    desk.service.escalate(1, "L3", None, AGENT)
    assert desk.service.record_reply(1, GROUP_AGENT) is not None
    case = desk.service.get(1)
    assert (case.status, case.escalation_level, case.first_response_by) == (CaseStatus.ESCALATED, 3, GROUP_AGENT)


# --- priority -------------------------------------------------------------------------------------------


def test_priority_change_recomputes_the_due_time_from_creation(desk: Desk) -> None:
    open_case(desk, "high")
    assert desk.service.get(1).due_at == MONDAY_MORNING + 2 * H
    desk.clock.advance(H)
    change = desk.service.change_priority(1, "中", "回避策を案内済み", AGENT)
    case = desk.service.get(1)
    assert case.priority == "medium" == change.case.priority
    assert case.due_at == MONDAY_MORNING + 6 * H  # from 10:30, not from now
    assert case.sla_check_at == MONDAY_MORNING + 4.5 * H
    event = desk.events(1)[-1]
    assert (event.kind, event.old_value, event.new_value, event.reason) == (
        "priority_changed",
        "high",
        "medium",
        "回避策を案内済み",
    )
    assert (event.actor_id, event.at) == (AGENT, MONDAY_MORNING + H)


def test_raising_an_unanswered_case_to_high_pages(desk: Desk) -> None:
    open_case(desk, "low")
    desk.service.change_priority(1, "重大度A", "全社に影響", AGENT)
    assert desk.recorder.kinds().count("case.emergency") == 1
    assert desk.service.get(1).due_at == MONDAY_MORNING + 2 * H


def test_priority_change_needs_a_reason_a_new_priority_and_an_open_case(desk: Desk) -> None:
    open_case(desk, "high")
    refused(lambda: desk.service.change_priority(1, "medium", None, AGENT), "case.error.reason_required")
    refused(lambda: desk.service.change_priority(1, "medium", "  ", AGENT), "case.error.reason_required")
    refused(lambda: desk.service.change_priority(1, "urgent", "理由", AGENT), "case.error.priority")
    refused(lambda: desk.service.change_priority(1, "高", "理由", AGENT), "case.error.same_priority")
    desk.service.resolve(1, None, AGENT)
    refused(lambda: desk.service.change_priority(1, "low", "理由", AGENT), "case.error.already_resolved")
    assert desk.service.get(1).priority == "high"
    assert [e.kind for e in desk.events(1)] == ["opened", "resolved"]


# --- escalation, resolution, reopening ------------------------------------------------------------------------


def test_escalation_goes_up_one_way(desk: Desk) -> None:
    open_case(desk)
    desk.service.acknowledge(1, AGENT)
    desk.service.escalate(1, "l2", "判断をお願いします", AGENT)
    refused(lambda: desk.service.escalate(1, "L2", None, AGENT), "case.error.already_at_level")
    refused(lambda: desk.service.escalate(1, "L4", None, AGENT), "case.error.level")
    desk.service.escalate(1, "Ｌ３", None, AGENT)
    case = desk.service.get(1)
    assert (case.status, case.escalation_level) == (CaseStatus.ESCALATED, 3)
    escalations = [(e.old_value, e.new_value, e.reason) for e in desk.events(1) if e.kind == "escalated"]
    assert escalations == [("L1", "L2", "判断をお願いします"), ("L2", "L3", None)]


def test_resolve_and_reopen_within_the_window(desk: Desk) -> None:
    open_case(desk)
    desk.service.acknowledge(1, AGENT)
    desk.clock.advance(H)
    desk.service.resolve(1, "設定変更で解消", AGENT)
    case = desk.service.get(1)
    assert (case.status, case.resolved_at) == (CaseStatus.RESOLVED, MONDAY_MORNING + H)
    refused(lambda: desk.service.resolve(1, None, AGENT), "case.error.already_resolved")
    refused(lambda: desk.service.acknowledge(1, AGENT), "case.error.already_resolved")
    refused(lambda: desk.service.reopen(1, None, OTHER), "case.error.not_reporter")
    desk.clock.advance(timedelta(days=14))  # exactly the window
    change = desk.service.reopen(1, "再発しました", CUSTOMER)
    assert change.case.status == CaseStatus.REOPENED and desk.service.get(1).resolved_at is None
    refused(lambda: desk.service.reopen(1, None, CUSTOMER), "case.error.not_resolved")
    desk.service.acknowledge(1, GROUP_AGENT)  # someone picks it up again
    case = desk.service.get(1)
    assert (
        case.status == CaseStatus.ACKNOWLEDGED and case.first_response_by == AGENT
    )  # the first response stays the first
    kinds = [(e.kind, e.actor_id, e.old_value, e.new_value) for e in desk.events(1)]
    assert kinds == [
        ("opened", CUSTOMER, None, "medium"),
        ("acknowledged", AGENT, CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED),
        ("resolved", AGENT, CaseStatus.ACKNOWLEDGED, CaseStatus.RESOLVED),
        ("reopened", CUSTOMER, CaseStatus.RESOLVED, CaseStatus.REOPENED),
        ("acknowledged", GROUP_AGENT, CaseStatus.REOPENED, CaseStatus.ACKNOWLEDGED),
    ]


def test_reopen_after_the_window_is_refused(desk: Desk) -> None:
    open_case(desk)
    desk.service.resolve(1, None, AGENT)
    desk.clock.advance(timedelta(days=14, minutes=1))
    error = refused(lambda: desk.service.reopen(1, "再発", CUSTOMER), "case.error.reopen_window")
    assert error.values["days"] == 14
    refused(lambda: desk.service.reopen(1, "再発", AGENT), "case.error.reopen_window")
    assert desk.service.get(1).status == CaseStatus.RESOLVED


def test_an_agent_may_reopen_someone_elses_case(desk: Desk) -> None:
    open_case(desk)
    desk.service.resolve(1, None, AGENT)
    assert desk.service.reopen(1, None, GROUP_AGENT).case.status == CaseStatus.REOPENED


class LockProbingAgents(ConfiguredAgents):
    """Agents whose lookup (a Slack call for user groups) fails if the caller holds a database lock."""

    def __init__(self, db: Database) -> None:
        super().__init__(make_config().agents)
        self.db = db
        self.lookups = 0

    def is_agent(self, user_id: str) -> bool:
        self.lookups += 1
        raw = self.db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.db.is_postgres:
                cursor.execute("SELECT 1 FROM cases FOR UPDATE NOWAIT")  # LockNotAvailable if held
                raw.rollback()
            else:
                cursor.execute("PRAGMA busy_timeout = 0")
                cursor.execute("BEGIN IMMEDIATE")  # "database is locked" if held
                cursor.execute("ROLLBACK")
        finally:
            raw.close()
        return super().is_agent(user_id)


def test_agent_lookups_happen_outside_the_transaction(desk: Desk) -> None:
    open_case(desk)
    desk.service.agents = LockProbingAgents(desk.db)
    desk.service.acknowledge(1, AGENT)
    desk.service.change_priority(1, "low", "理由", AGENT)
    desk.service.escalate(1, "L2", None, AGENT)
    desk.service.resolve(1, None, AGENT)
    desk.service.reopen(1, None, AGENT)
    assert desk.service.record_reply(1, GROUP_AGENT) is None
    assert desk.service.agents.lookups == 6


def test_an_unknown_number_is_not_found(desk: Desk) -> None:
    open_case(desk)
    service = desk.service
    actions: list[Callable[[], object]] = [
        lambda: service.get(9),
        lambda: service.details(9),
        lambda: service.acknowledge(9, AGENT),
        lambda: service.change_priority(9, "low", "理由", AGENT),
        lambda: service.escalate(9, "L2", None, AGENT),
        lambda: service.resolve(9, None, AGENT),
        lambda: service.reopen(9, None, AGENT),
        lambda: service.record_reply(9, AGENT),
    ]
    for action in actions:
        assert refused(action, "case.error.not_found").values["number"] == 9


# --- history and lists ---------------------------------------------------------------------------------------


def test_every_change_is_an_event_with_its_own_thread_line_and_card_update(desk: Desk) -> None:
    open_case(desk, "high")
    desk.service.acknowledge(1, AGENT)
    desk.service.change_priority(1, "medium", "回避策あり", AGENT)
    desk.service.escalate(1, "L2", None, AGENT)
    desk.service.resolve(1, None, AGENT)
    desk.service.reopen(1, None, CUSTOMER)
    events = desk.events(1)
    assert [e.kind for e in events] == [
        "opened",
        "acknowledged",
        "priority_changed",
        "escalated",
        "resolved",
        "reopened",
    ]
    for event in events[1:]:
        lines = [s for s in desk.recorder.sent if s.payload.get("event_id") == event.id]
        told = ["case.reporter"] if event.actor_id != CUSTOMER else []  # the reporter hears of others' changes
        assert sorted(s.kind for s in lines) == ["case.card_update", *told, "case.thread"]
    assert all(m.state in ("sent", "dropped") for m in desk.rows(OutboxMessage))


def test_lists_by_scope(desk: Desk) -> None:
    open_case(desk, "low", "自分の", reporter=CUSTOMER)
    open_case(desk, "high", "他の人の", reporter=OTHER)
    open_case(desk, "medium", "解決済み", reporter=CUSTOMER)
    desk.service.resolve(3, None, AGENT)
    desk.service.acknowledge(2, AGENT)
    assert [c.number for c in desk.service.list("open", AGENT)] == [2, 1]  # by due time: high first
    assert [c.number for c in desk.service.list("mine", CUSTOMER)] == [1]
    assert [c.number for c in desk.service.list("mine", AGENT)] == [2]  # the cases assigned to me
    assert [c.number for c in desk.service.list("all", AGENT)] == [3, 2, 1]


def test_someone_who_is_not_an_agent_sees_only_their_cases(desk: Desk) -> None:
    """Issue 9, defect 5: reported, assigned, or called to; another case does not exist for them."""
    open_case(desk, "low", "自分の", reporter=CUSTOMER)
    open_case(desk, "high", "他の人の", reporter=OTHER)  # pages U0ONCALL1
    open_case(desk, "medium", "担当の", reporter=OTHER)
    assert [c.number for c in desk.service.list("all", CUSTOMER)] == [1]
    assert [c.number for c in desk.service.list("open", CUSTOMER)] == [1]
    refused(lambda: desk.service.show(2, CUSTOMER), "case.error.not_found")
    assert desk.service.show(1, CUSTOMER).standing is Standing.REPORTER
    assert [c.number for c in desk.service.list("all", ONCALL)] == [2]  # called to it by the page
    desk.service.assign(3, SRE, AGENT)
    assert [c.number for c in desk.service.list("mine", SRE)] == [3]
    assert desk.service.show(3, SRE).standing is Standing.PARTY
    desk.service.escalate(1, "L3", None, AGENT)  # the engineers' user group, S0ENG
    assert [c.number for c in desk.service.list("all", ENGINEER)] == [1]
    assert [c.number for c in desk.service.list("all", AGENT)] == [3, 2, 1]  # agents see every case
    refused(lambda: desk.service.show(99, AGENT), "case.error.not_found")


# --- numbering under concurrency -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_concurrent_openers_get_numbers_one_to_fifty_exactly_once(postgres_db: Database, clock: ManualClock) -> None:
    desk = build_desk(postgres_db, clock)
    desk.service.outbox.notifier = None  # numbering only: the cards stay queued
    barrier = threading.Barrier(50)

    def opener(n: int) -> int:
        barrier.wait()
        return desk.service.open(NewCase(title=f"同時起票 {n}", priority="low"), CUSTOMER).case.number

    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(opener, range(50)))
    assert sorted(numbers) == list(range(1, 51))
    assert sorted(c.number for c in desk.rows(Case)) == list(range(1, 51))
    assert [c.value for c in desk.rows(Counter)] == [50]
    assert len([e for e in desk.rows(CaseEvent) if e.kind == "opened"]) == 50
