"""The SLA clock's rules without a database or Slack: the schedule, the step function, lateness, pages.

The step function is driven by a table: a case's state, the time, what it must decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from unittest.mock import Mock

import pytest

from bot import case_store
from bot.business_calendar import BusinessCalendar
from bot.case_vocabulary import CaseStatus
from bot.config import BusinessHoursConfig, EscalationConfig, SlaConfig
from bot.models import Case
from bot.oncall import OnCall
from bot.outbox_kinds import OutboxKind
from bot.sla import SlaPolicy
from bot.sla_clock import (
    Notice,
    NoticeKind,
    Pager,
    SlaClock,
    SlaRules,
    Step,
    Timing,
    awaits_first_response,
    breach_sequence,
    late_by,
)

M, H = timedelta(minutes=1), timedelta(hours=1)
OPENED = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)  # Monday 10:30 in Tokyo, inside business hours
DUE = OPENED + 2 * H  # high: 2 h around the clock
WARN = OPENED + 90 * M  # 75 % of it
MEDIUM_DUE = datetime(2026, 11, 16, 7, 30, tzinfo=UTC)  # medium: 6 business hours, Monday 16:30

POLICY = SlaPolicy(SlaConfig(), BusinessCalendar(BusinessHoursConfig()))
RULES = SlaRules(POLICY, warn_share=0.75, renotify=30 * M)


def high(**state: object) -> Timing:
    """A high case opened at OPENED, as the sweep would read it; `state` overrides fields."""
    values: dict[str, object] = {
        "id": 1,
        "number": 1,
        "priority": "high",
        "status": CaseStatus.OPEN,
        "created_at": OPENED,
        "due_at": DUE,
        "first_response_at": None,
        "next_check": WARN,
        "breach_count": 0,
    }
    values.update(state)
    return Timing(**values)  # type: ignore[arg-type]


def decided(step: Step) -> list[tuple[NoticeKind, int]]:
    return [(notice.kind, notice.sequence) for notice in step.notices]


WARNING, BREACH, LEAD = NoticeKind.WARNING, NoticeKind.BREACH, NoticeKind.LEAD


@pytest.mark.parametrize(
    ("case", "now", "notices", "next_check", "breach_count"),
    [
        pytest.param(high(), WARN - M, [], WARN, 0, id="not-yet"),
        pytest.param(high(), WARN, [(WARNING, 0)], DUE, 0, id="warning-at-75-percent"),
        pytest.param(high(), WARN + 20 * M, [(WARNING, 0)], DUE, 0, id="warning-looked-at-late"),
        pytest.param(high(next_check=DUE), DUE, [(BREACH, 1)], DUE + 30 * M, 1, id="breach"),
        pytest.param(high(next_check=DUE), DUE + 5 * M, [(BREACH, 1)], DUE + 30 * M, 1, id="breach-a-little-late"),
        pytest.param(
            high(next_check=DUE + 30 * M, breach_count=1), DUE + 29 * M, [], DUE + 30 * M, 1, id="before-the-re-page"
        ),
        pytest.param(
            high(next_check=DUE + 30 * M, breach_count=1), DUE + 30 * M, [(BREACH, 2)], DUE + H, 2, id="re-page"
        ),
        pytest.param(
            high(next_check=DUE + H, breach_count=2), DUE + 61 * M, [(BREACH, 3)], DUE + 90 * M, 3, id="re-page-again"
        ),
        # The bot was down through the warning, the breach and six re-pages: one page, numbered from now.
        pytest.param(
            high(), DUE + 3 * H + 10 * M, [(BREACH, 7)], DUE + 3 * H + 30 * M, 7, id="catch-up-after-downtime"
        ),
        # Someone answered while a check was pending (the sweep may still read a stale check): nothing, and stop.
        pytest.param(
            high(next_check=DUE, first_response_at=DUE - M), DUE + M, [], None, 0, id="answered-while-waiting"
        ),
        pytest.param(
            high(next_check=DUE, status=CaseStatus.ACKNOWLEDGED, first_response_at=WARN),
            DUE,
            [],
            None,
            0,
            id="acknowledged",
        ),
        pytest.param(high(next_check=DUE, status=CaseStatus.RESOLVED), DUE, [], None, 0, id="resolved-by-reporter"),
        # Reopened: a self-resolved case was never answered, but its clock stopped for good.
        pytest.param(high(status=CaseStatus.REOPENED, next_check=None), DUE + H, [], None, 0, id="reopened"),
        # Warnings went from 50 % to 75 % after the case was opened: its stored check is early.
        pytest.param(high(next_check=OPENED + H), OPENED + H, [], WARN, 0, id="looked-at-before-its-warning"),
        pytest.param(
            high(priority="medium", due_at=MEDIUM_DUE, next_check=MEDIUM_DUE),
            MEDIUM_DUE,
            [(LEAD, 0)],
            None,
            1,
            id="medium-late-pings-the-cs-lead-once",
        ),
        pytest.param(
            high(priority="low", due_at=MEDIUM_DUE, next_check=MEDIUM_DUE, status=CaseStatus.ESCALATED),
            MEDIUM_DUE + 2 * H,
            [(LEAD, 0)],
            None,
            1,
            id="escalated-but-unanswered-still-counts",
        ),
    ],
)
def test_step(
    case: Timing, now: datetime, notices: list[tuple[NoticeKind, int]], next_check: datetime | None, breach_count: int
) -> None:
    step = RULES.step(case, now)
    assert decided(step) == notices
    assert (step.next_check, step.breach_count) == (next_check, breach_count)
    assert all(notice.case == case for notice in step.notices)


def test_without_warnings_the_first_check_is_the_due_time() -> None:
    rules = SlaRules(POLICY, warn_share=0, renotify=30 * M)
    assert rules.warn_at(high(), OPENED) is None and rules.first_check(high(), OPENED) == DUE
    assert decided(rules.step(high(next_check=DUE), DUE - M)) == []
    assert decided(rules.step(high(next_check=DUE - M), DUE - M)) == []  # nothing to warn about


def test_renotify_zero_pages_once() -> None:
    rules = SlaRules(POLICY, warn_share=0.75, renotify=timedelta(0))
    step = rules.step(high(next_check=DUE), DUE + 2 * H)
    assert (decided(step), step.next_check) == ([(BREACH, 1)], None)


@pytest.mark.parametrize(
    ("late", "sequence"), [(timedelta(0), 1), (29 * M, 1), (30 * M, 2), (3 * H + 10 * M, 7), (10 * H, 21)]
)
def test_breach_sequence(late: timedelta, sequence: int) -> None:
    assert breach_sequence(late, 30 * M) == sequence


# --- opening, a priority change, a first response ----------------------------------------------------


def case_model(priority: str = "high", created_at: datetime = OPENED, **fields: object) -> Case:
    values: dict[str, object] = {"status": CaseStatus.OPEN, **fields}
    return Case(
        id=1,
        number=1,
        title="ログインできない",
        priority=priority,
        reporter_id="U0CUSTOMER",
        created_at=created_at,
        updated_at=created_at,
        **values,
    )


CLOCK = SlaClock(RULES, Pager(Mock()), EscalationConfig())


def test_a_new_case_is_due_by_its_target_and_first_looked_at_at_its_warning() -> None:
    case = case_model()
    CLOCK.start(case)
    assert (case.due_at, case.sla_check_at, case.sla_breach_count) == (DUE, WARN, 0)
    assert RULES.pages(case) and not RULES.pages(case_model("medium"))
    outside = case_model("medium", created_at=datetime(2026, 11, 16, 12, 0, tzinfo=UTC))  # 21:00 in Tokyo
    assert CLOCK.is_outside_hours(outside) and not CLOCK.is_outside_hours(case)


def test_a_priority_change_restarts_the_schedule_from_the_creation() -> None:
    case = case_model("medium")
    CLOCK.start(case)
    case.sla_breach_count = 1  # a CS Lead ping went out already
    case.priority = "high"  # raised three hours after opening: already past the high target
    CLOCK.restart(case)
    assert (case.due_at, case.sla_check_at, case.sla_breach_count) == (DUE, WARN, 0)
    step = RULES.step(Timing.of(case), OPENED + 3 * H)
    assert (decided(step), step.next_check) == ([(BREACH, 3)], DUE + 90 * M)  # one page now, not three


def test_a_priority_change_after_the_first_response_keeps_the_clock_stopped() -> None:
    case = case_model("medium", first_response_at=OPENED + M)
    CLOCK.start(case)
    case.priority = "high"
    CLOCK.restart(case)
    assert (case.due_at, case.sla_check_at) == (DUE, None)  # the due time is shown; nothing is watched


@pytest.mark.parametrize(
    ("responded", "late"),
    [(DUE - M, None), (DUE, None), (DUE + timedelta(seconds=3), timedelta(seconds=3)), (DUE + 31 * M, 31 * M)],
)
def test_how_late_the_first_response_came(responded: datetime, late: timedelta | None) -> None:
    assert late_by(case_model(due_at=DUE, first_response_at=responded)) == late
    assert late_by(case_model(due_at=DUE)) is None  # not answered yet


def test_pages_and_reminders_are_worth_sending_only_while_nobody_has_answered() -> None:
    assert awaits_first_response(case_model())
    assert awaits_first_response(case_model(status=CaseStatus.ESCALATED))
    assert not awaits_first_response(case_model(first_response_at=OPENED))
    assert not awaits_first_response(case_model(status=CaseStatus.RESOLVED))  # by the reporter, unanswered


# --- the pager -----------------------------------------------------------------------------------------


def pager_items(notice: Notice, on_call: OnCall) -> list[tuple[str, str]]:
    return [(item.kind, item.key) for item in Pager.items(notice, on_call)]


def test_a_breach_pages_the_channel_and_dms_the_person_on_call() -> None:
    on_call = OnCall("U0ONCALL1", "U0BACKUP1", "rotation", None, None)
    items = pager_items(Notice(BREACH, high(), 2), on_call)
    key = f"sla:1:breach:{DUE.isoformat()}:2"
    assert items == [(OutboxKind.BREACH_PAGE, key), (OutboxKind.BREACH_DM, f"{key}:dm")]
    (page, dm) = Pager.items(Notice(BREACH, high(), 2), on_call)
    assert page.payload == {"mentions": ["U0ONCALL1", "U0BACKUP1"], "sequence": 2, "here": False}
    assert dm.payload == {"user": "U0ONCALL1", "sequence": 2}


def test_a_user_group_gets_no_dm_and_nobody_on_call_calls_here() -> None:
    group = OnCall("S0SRE", None, "fallback", None, None)
    assert pager_items(Notice(BREACH, high(), 1), group) == [
        (OutboxKind.BREACH_PAGE, f"sla:1:breach:{DUE.isoformat()}:1")
    ]
    (page,) = Pager.items(Notice(NoticeKind.PAGE, high()), OnCall(None, None, "nobody", None, None))
    assert (page.kind, page.key) == (OutboxKind.PAGE, "case:1:emergency:opened")
    assert page.payload == {"mentions": [], "oncall_source": "nobody", "here": True}


def test_a_page_for_a_raised_case_has_its_own_key() -> None:
    on_call = OnCall("U0ONCALL1", None, "rotation", None, None)
    (page,) = Pager.items(Notice(NoticeKind.PAGE, high(), occasion="event7"), on_call)
    assert page.key == "case:1:emergency:event7"


def test_the_sweep_reads_what_the_clock_knows_of_a_case() -> None:
    """The store's narrow read and the clock's Timing name the same fields, in the same order."""
    assert tuple(case_store.DUE_COLUMNS) == Timing._fields


@dataclass(frozen=True)
class _Asked:
    priority: str


def test_targets_come_from_the_policy_asked_about_the_case() -> None:
    """A policy by plan (issue 11) slots in here: the rules never read the configuration."""
    asked: list[str] = []

    class Recording:
        def target(self, case: _Asked) -> object:
            asked.append(case.priority)
            return POLICY.target(case)

    rules = SlaRules(Recording(), warn_share=0.75, renotify=30 * M)  # type: ignore[arg-type]
    assert rules.due_at(_Asked("high"), OPENED) == DUE and asked == ["high"]
