"""The SLA clock's values: a case as the clock sees it, the notices it decides, the escalation chain's steps.

Plain data and arithmetic, shared by the step function (bot/sla_clock.py), the pager (bot/pager.py)
and what renders their messages. "Still worth sending" is `awaits_first_response`: a page or reminder
that waited in the outbox is dropped once the case has been answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from bot.case_vocabulary import CaseStatus, EventKind
from bot.models import Case

LATE = "late"
"""The value of the breach event recorded when a first response came after the due time."""


class Timing(NamedTuple):
    """What the clock knows of a case: what its target depends on, its schedule, whether it was answered.

    (Named tuples here and below: the sweep makes thousands of them per batch, and they are cheap.)
    """

    id: int
    number: int
    priority: str  # a Priority, as stored
    status: str  # a CaseStatus, as stored
    created_at: datetime
    due_at: datetime
    first_response_at: datetime | None = None
    next_check: datetime | None = None
    breach_count: int = 0
    assignee: str | None = None  # the 75 % warning mentions them first
    plan: str | None = None  # the plan it was opened under (bot/plans.py): its targets

    @classmethod
    def of(cls, case: Case) -> Timing:
        assert case.id is not None
        return cls(
            case.id,
            case.number,
            case.priority,
            case.status,
            case.created_at,
            case.due_at,
            case.first_response_at,
            case.sla_check_at,
            case.sla_breach_count,
            case.assignee_id,
            case.plan,
        )


def awaits_first_response(case: Case | Timing) -> bool:
    """Nobody has answered yet and the case is open: the clock runs, and pages and reminders still matter."""
    return case.first_response_at is None and case.status != CaseStatus.RESOLVED


def late_by(case: Case) -> timedelta | None:
    """How late the first response came (seconds count); None when in time or not yet answered."""
    if case.first_response_at is None or case.first_response_at <= case.due_at:
        return None
    return case.first_response_at - case.due_at


def breach_sequence(late: timedelta, renotify: timedelta) -> int:
    """1 for the first breach page, then one more per `renotify` interval of lateness."""
    if renotify <= timedelta(0):
        return 1
    return 1 + int(late / renotify)


class ChainStep(StrEnum):
    """Whom the escalation chain adds when nobody acknowledges the pages, in order."""

    SECONDARY = "secondary"  # the secondary on call
    CS_LEAD = "cs_lead"  # [escalation] cs_lead


CHAIN = (ChainStep.SECONDARY, ChainStep.CS_LEAD)


def chain_level(sequence: int, escalate_after: int) -> int:
    """How many steps of the chain re-page `sequence` has reached: one more after every `escalate_after`
    re-pages (2: re-pages 1–2 call the on-call person, 3–4 the secondary too, 5 on the CS Lead too); 0: off."""
    if escalate_after <= 0 or sequence <= 0:
        return 0
    return min((sequence - 1) // escalate_after, len(CHAIN))


class NoticeKind(StrEnum):
    PAGE = "page"  # a high case opened, or raised to high while unanswered
    WARNING = "warning"  # the warn_at share of the target is used up
    BREACH = "breach"  # a high case past due: a re-page (and a DM), repeated every renotify
    LEAD = "lead"  # a medium or low case past due: the CS Lead is pinged, once


class Notice(NamedTuple):
    kind: NoticeKind
    case: Timing
    sequence: int = 0  # a breach page's number: 再通知 N回目
    occasion: str = EventKind.OPENED  # a page's: "opened", or "event<id>" of the priority change
    level: int = 0  # a breach page's: how far up the chain it calls (chain_level)
    steps: tuple[ChainStep, ...] = ()  # a breach page's: the chain's steps it takes first (each once per due time)


class Step(NamedTuple):
    """What one look at a case decided: the notices due, the next look (None: stop), the breach count."""

    notices: tuple[Notice, ...] = ()
    next_check: datetime | None = None
    breach_count: int = 0
