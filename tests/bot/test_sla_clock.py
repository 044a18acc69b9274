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
from bot.plans import PlanCatalog
from bot.sla import SlaPolicy
from bot.sla_clock import (
    ChainStep,
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
from tests.harness import make_config

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


# --- the escalation chain: decided by the step function, once per step -------------------------------------

CHAINED = SlaRules(POLICY, warn_share=0.75, renotify=30 * M, escalate_after=2)
SECONDARY, CS_LEAD = ChainStep.SECONDARY, ChainStep.CS_LEAD


def repaged(sequence: int) -> Timing:
    """A high case whose re-page `sequence` went out, looked at when the next one is due."""
    return high(next_check=DUE + sequence * 30 * M, breach_count=sequence)


@pytest.mark.parametrize(
    ("case", "now", "sequence", "level", "steps"),
    [
        pytest.param(high(next_check=DUE), DUE, 1, 0, (), id="re-page-1-calls-the-person-on-call"),
        pytest.param(repaged(1), DUE + 30 * M, 2, 0, (), id="re-page-2-still-them"),
        pytest.param(repaged(2), DUE + H, 3, 1, (SECONDARY,), id="re-page-3-adds-the-secondary"),
        pytest.param(repaged(3), DUE + 90 * M, 4, 1, (), id="re-page-4-secondary-already-called"),
        pytest.param(repaged(4), DUE + 2 * H, 5, 2, (CS_LEAD,), id="re-page-5-adds-the-cs-lead"),
        pytest.param(repaged(5), DUE + 150 * M, 6, 2, (), id="re-page-6-everyone-already-called"),
        pytest.param(repaged(9), DUE + 5 * H, 11, 2, (), id="the-chain-ends-with-the-cs-lead"),
        # Down from re-page 1 to re-page 6: one re-page takes both steps, each once.
        pytest.param(repaged(1), DUE + 150 * M, 6, 2, (SECONDARY, CS_LEAD), id="catch-up-takes-both-steps"),
        # After a priority change the schedule (and the chain) starts again for the new due time.
        pytest.param(high(next_check=DUE, breach_count=0), DUE + H, 3, 1, (SECONDARY,), id="restarted"),
    ],
)
def test_the_escalation_chain(
    case: Timing, now: datetime, sequence: int, level: int, steps: tuple[ChainStep, ...]
) -> None:
    (notice,) = CHAINED.step(case, now).notices
    assert (notice.kind, notice.sequence, notice.level, notice.steps) == (BREACH, sequence, level, steps)


@pytest.mark.parametrize(
    ("escalate_after", "levels"),
    [(1, [0, 1, 2, 2]), (2, [0, 0, 1, 1, 2]), (3, [0, 0, 0, 1, 1, 1, 2]), (0, [0, 0, 0, 0, 0, 0, 0])],
)
def test_chain_levels_by_escalate_after(escalate_after: int, levels: list[int]) -> None:
    rules = SlaRules(POLICY, warn_share=0.75, renotify=30 * M, escalate_after=escalate_after)
    assert [rules.chain(0, sequence)[0] for sequence in range(1, len(levels) + 1)] == levels


def test_without_a_chain_no_step_is_ever_taken() -> None:
    (notice,) = RULES.step(repaged(20), DUE + 11 * H).notices  # RULES: escalate_after 0
    assert (notice.level, notice.steps) == (0, ())


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


CLOCK = SlaClock(RULES, Pager(Mock(), EscalationConfig()), PlanCatalog.from_config(make_config()))


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
