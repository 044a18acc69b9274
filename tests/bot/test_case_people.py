"""The case loop between people, on SQLite and PostgreSQL, without Slack: assignment, what the reporter
is told (queued with the change), the pages' edits after the answer, and on-call notices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.access import Standing
from bot.agents import ConfiguredAgents
from bot.cases import NewCase
from bot.clock import ManualClock
from bot.database import Database
from bot.models import CaseParty, OutboxMessage
from bot.oncall import OncallService
from bot.outbox import Outbox
from bot.pager import Pager
from bot.sla_notices import ChainStep, Notice, NoticeKind, Timing
from tests.bot.test_cases import AGENT, CUSTOMER, LEAD, ONCALL, OTHER, Desk, Recorder, build_desk, open_case, refused
from tests.harness import make_config

H = timedelta(hours=1)


@pytest.fixture
def desk(db: Database, clock: ManualClock) -> Desk:
    return build_desk(db, clock)


def queued(desk: Desk, kind: str) -> list[OutboxMessage]:
    return [m for m in desk.rows(OutboxMessage) if m.kind == kind]


def sweep(desk: Desk) -> None:
    with desk.db.transaction() as session:
        desk.service.sla.sweep(session, desk.clock.now(), limit=100)


# --- assignment ---------------------------------------------------------------------------------------


def test_an_agent_assigns_anyone_and_the_assignee_may_act(desk: Desk) -> None:
    open_case(desk)
    refused(lambda: desk.service.resolve(1, None, OTHER), "case.error.not_allowed")
    change = desk.service.assign(1, OTHER, AGENT)
    assert (change.event.kind, change.event.old_value, change.event.new_value) == ("assigned", None, OTHER)
    assert desk.service.standing(1, OTHER) is Standing.PARTY  # 担当者: a party who may act
    assert [(p.party_id, p.role) for p in desk.rows(CaseParty)] == [(OTHER, "assignee")]
    desk.service.assign(1, LEAD, AGENT)
    assert [(e.old_value, e.new_value) for e in desk.events(1) if e.kind == "assigned"] == [
        (None, OTHER),
        (OTHER, LEAD),
    ]
    refused(lambda: desk.service.assign(1, LEAD, AGENT), "case.error.already_assigned")
    refused(lambda: desk.service.assign(1, "sato", AGENT), "case.error.assignee")
    assert desk.service.resolve(1, None, OTHER).case.status == "resolved"  # still a party after handing it on
    refused(lambda: desk.service.assign(1, AGENT, AGENT), "case.error.already_resolved")


def test_only_agents_assign_others_but_anyone_who_may_act_takes_a_case(desk: Desk) -> None:
    open_case(desk, "high")  # pages U0ONCALL1
    desk.service.acknowledge(1, AGENT)
    refused(lambda: desk.service.assign(1, OTHER, ONCALL), "case.error.not_allowed")
    refused(lambda: desk.service.assign(1, CUSTOMER, CUSTOMER), "case.error.not_allowed")  # the reporter cannot
    assert desk.service.assign(1, ONCALL, ONCALL).case.assignee_id == ONCALL  # 「担当する」
    assert desk.service.list("mine", ONCALL)[0].number == 1


# --- what the reporter is told: queued with the change, never for their own doing ------------------------------


def test_the_reporter_is_told_with_each_change_in_its_transaction(desk: Desk) -> None:
    desk.service.open(
        NewCase(title="解決しない", priority="low", origin_channel="C0FAQ", origin_thread_ts="1.2"), CUSTOMER
    )
    desk.service.open(NewCase(title="別の場所から", priority="low", origin_channel="C0SUPPORT"), CUSTOMER)
    desk.service.acknowledge(1, AGENT)
    desk.service.acknowledge(2, AGENT)
    desk.service.resolve(2, None, CUSTOMER)  # 自己解決: not told
    kinds = {(m.case_id, desk.service.event(m.payload["event_id"]).kind) for m in queued(desk, "case.reporter")}  # type: ignore[union-attr]
    assert kinds == {(1, "opened"), (1, "acknowledged"), (2, "acknowledged")}
    first = desk.service.get(1)
    assert (first.origin_channel, first.origin_thread_ts) == ("C0FAQ", "1.2")
    assert desk.service.get(2).origin_thread_ts is None


def test_the_case_keeps_the_language_of_the_flow_that_opened_it(desk: Desk) -> None:
    desk.service.open(NewCase(title="Export fails", priority="low", language="en"), CUSTOMER)
    open_case(desk)
    assert [desk.service.get(n).language for n in (1, 2)] == ["en", None]


# --- the pages' edits -------------------------------------------------------------------------------------------


def test_acknowledging_and_resolving_edit_the_page_and_every_dm(db: Database, clock: ManualClock) -> None:
    desk = build_desk(db, clock, config=make_config(oncall={"secondary": ["U0ONCALL2"]}))
    open_case(desk, "high")
    clock.advance(3 * H + timedelta(minutes=1))  # re-page 3: the person on call and the secondary get DMs
    sweep(desk)
    dms = {m.id for m in queued(desk, "sla.breach_dm")}
    assert len(dms) == 2
    desk.service.acknowledge(1, ONCALL)
    targets = [m.payload["target"] for m in queued(desk, "sla.page_update") if "answered" in m.dedupe_key]
    assert sorted(targets, key=str) == sorted(["page", *dms], key=str)
    desk.service.resolve(1, "復旧", ONCALL)
    resolved = [m for m in queued(desk, "sla.page_update") if m.dedupe_key.endswith(f"event{desk.events(1)[-1].id}")]
    assert len(resolved) == 3  # the page and the two DMs, again


def test_a_case_never_paged_has_nothing_to_edit(desk: Desk) -> None:
    open_case(desk, "medium")
    desk.service.acknowledge(1, AGENT)
    desk.service.resolve(1, None, AGENT)
    assert queued(desk, "sla.page_update") == []


def test_a_page_that_lands_after_the_answer_is_edited_right_after(desk: Desk) -> None:
    open_case(desk, "high")
    (page,) = queued(desk, "case.emergency")
    desk.service.acknowledge(1, AGENT)
    with desk.db.transaction() as session:  # as the outbox does in the transaction marking it sent
        keys = Pager.after_sent(session, page, desk.clock.now())
    assert keys == [f"sla:1:page-update:page:landed{page.id}"]
    open_case(desk, "high")
    (second,) = [m for m in queued(desk, "case.emergency") if m.case_id == 2]
    with desk.db.transaction() as session:
        assert Pager.after_sent(session, second, desk.clock.now()) == []  # still unanswered: nothing to edit


# --- on-call notices --------------------------------------------------------------------------------------------


def test_set_and_clear_queue_a_dm_and_a_line_with_the_change(db: Database, clock: ManualClock) -> None:
    recorder = Recorder()
    config = make_config()
    oncall = OncallService(db, clock, config.oncall, ConfiguredAgents(config.agents), Outbox(db, clock, recorder))
    oncall.set_override("U0COVER", clock.now() + 8 * H, AGENT)
    oncall.clear_override(AGENT)
    assert oncall.clear_override(AGENT) == 0  # nothing left to clear: nothing to tell
    sent = [(s.kind, s.payload.get("change"), s.payload.get("who")) for s in recorder.sent]
    assert sent == [
        ("oncall.dm", "set", "U0COVER"),
        ("oncall.line", "set", "U0COVER"),
        ("oncall.dm", "clear", ONCALL),  # whoever is on call after the change
        ("oncall.line", "clear", ONCALL),
    ]
    assert recorder.sent[0].payload["user"] == "U0COVER" and recorder.sent[0].payload["by"] == AGENT


def test_a_refused_override_tells_nobody(db: Database, clock: ManualClock) -> None:
    recorder = Recorder()
    config = make_config()
    oncall = OncallService(db, clock, config.oncall, ConfiguredAgents(config.agents), Outbox(db, clock, recorder))
    refused(lambda: oncall.set_override("U0COVER", None, OTHER), "case.error.not_agent")
    assert recorder.sent == [] and oncall.history() == []


def test_a_chain_step_decided_twice_is_queued_once(db: Database, clock: ManualClock) -> None:
    """Two replicas (or a restart) deciding the same re-page: its rows, its history and its DMs exist once."""
    desk = build_desk(db, clock, config=make_config(oncall={"secondary": ["U0ONCALL2"]}))
    open_case(desk, "high")
    clock.advance(3 * H + timedelta(minutes=1))
    case = desk.service.get(1)
    notice = Notice(NoticeKind.BREACH, Timing.of(case), 3, level=1, steps=(ChainStep.SECONDARY,))
    with db.transaction() as session:
        first = desk.service.sla.queue(session, [notice], clock.now())
    with db.transaction() as session:
        again = desk.service.sla.queue(session, [notice], clock.now())
    assert [n.sequence for n in first.notices] == [3] and again.notices == [] and again.keys == []
    assert [m.payload["user"] for m in queued(desk, "sla.breach_dm")] == [ONCALL, "U0ONCALL2"]
    assert [e.new_value for e in desk.events(1) if e.kind == "sla_escalated"] == ["secondary"]
