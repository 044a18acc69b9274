"""The SLA clock: what happens while a case waits for its first response, and when it is late.

Every case runs on one schedule from its opening to its first response (an acknowledgement, a
reply in its thread by someone who may act, a resolution). The target comes from a policy
(bot/sla.py: today by priority; by contract plan later), never from configuration here:

    opened ──────── warn_at (75 % of the target) ──────── due ──────── due + renotify ─── …
      │                     │                               │                 │
      │ high: page          │ a warning in the case's       │ high: page the emergency channel and
      │ (Pager)             │ thread                        │   DM whoever is on call; again every
      │                     │                               │   `renotify` until someone answers
      │                     │                               │ medium/low: ping the CS Lead in the
      │                     │                               │   thread, once

- The case keeps the next moment to look at it (`sla_check_at`, NULL once the clock has stopped)
  and how many breach pages went out (`sla_breach_count`); only this module sets them.
- `SlaRules.step(case, now)` is pure (no database, no Slack): what is due now, and when to look next.
  After downtime it asks for one page, numbered from the current time, not one per missed interval.
- A first response stops the clock. If it came after the due time, however little, the history gets
  a breach event ("late", with the due time missed) and the card shows by how much (`late_by`).
- A priority change restarts the schedule from the case's creation; a case raised to high is paged.
  A reopened case is not timed again (it was answered, or closed by its reporter).
- `SlaClock.queue` turns notices into outbox rows whose keys are unique per (case, kind, sequence),
  so two replicas or a restart deciding the same notice queue it once; only a new notice goes into
  the history and records whom it called (bot/access.py). `Pager` is the one producer of pages.
- Still worth sending: a page or reminder that waited in the outbox (a rate limit, an outage) is
  dropped at delivery once the case has been answered (`awaits_first_response`).

The scheduled job (scheduler/sla_sweep.py) only takes the lock, loops over batches and delivers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from sqlmodel import Session

from bot import case_store
from bot.access import Party, escalation_parties, involve, oncall_parties
from bot.business_calendar import BusinessCalendar
from bot.case_store import NewEvent
from bot.case_vocabulary import SYSTEM_ACTOR, CaseStatus, EventKind
from bot.config import BehaviourConfig, EscalationConfig
from bot.identifiers import is_user
from bot.models import Case
from bot.oncall import OnCall, OncallService
from bot.outbox import OutboxItem, enqueue_many
from bot.outbox_kinds import OutboxKind, breach_key, dm_key, lead_key, page_key, warning_key
from bot.priorities import Priority
from bot.sla import SlaPolicy, Target, Targeted, TargetPolicy

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


class NoticeKind(StrEnum):
    PAGE = "page"  # a high case opened, or raised to high while unanswered
    WARNING = "warning"  # the warn_at share of the target is used up
    BREACH = "breach"  # a high case past due: a page (and a DM), repeated every renotify
    LEAD = "lead"  # a medium or low case past due: the CS Lead is pinged, once


class Notice(NamedTuple):
    kind: NoticeKind
    case: Timing
    sequence: int = 0  # a breach page's number
    occasion: str = EventKind.OPENED  # a page's: "opened", or "event<id>" of the priority change


class Step(NamedTuple):
    """What one look at a case decided: the notices due, the next look (None: stop), the breach count."""

    notices: tuple[Notice, ...] = ()
    next_check: datetime | None = None
    breach_count: int = 0


class SlaRules:
    """The schedule and the step function: arithmetic over a case's target and the time, nothing else."""

    def __init__(self, targets: TargetPolicy, *, warn_share: float, renotify: timedelta) -> None:
        self.targets = targets
        self.warn_share = warn_share  # 0: no warnings
        self.renotify = renotify  # 0: one breach page

    def target(self, case: Targeted) -> Target:
        return self.targets.target(case)

    def due_at(self, case: Targeted, created_at: datetime) -> datetime:
        return self.target(case).due_at(created_at)

    def warn_at(self, case: Targeted, created_at: datetime) -> datetime | None:
        return self.target(case).share_at(created_at, self.warn_share) if self.warn_share else None

    def first_check(self, case: Targeted, created_at: datetime) -> datetime:
        """When to look at a new case first: its warning, or its due time when warnings are off."""
        return self.warn_at(case, created_at) or self.due_at(case, created_at)

    @staticmethod
    def pages(case: Targeted) -> bool:
        """A high case pages whoever is on call; a medium or low one that is late pings the CS Lead."""
        return case.priority == Priority.HIGH

    def step(self, case: Timing, now: datetime) -> Step:
        """What is due for `case` at `now`, and when to look at it next."""
        if case.next_check is None or not awaits_first_response(case):
            return Step(breach_count=case.breach_count)
        if now < case.next_check:
            return Step(next_check=case.next_check, breach_count=case.breach_count)
        if now < case.due_at:
            return self._before_due(case, now)
        if self.pages(case):
            sequence = breach_sequence(now - case.due_at, self.renotify)
            again = case.due_at + sequence * self.renotify if self.renotify > timedelta(0) else None
            return Step((Notice(NoticeKind.BREACH, case, sequence),), again, sequence)
        return Step((Notice(NoticeKind.LEAD, case),), None, 1)

    def _before_due(self, case: Timing, now: datetime) -> Step:
        warn = self.warn_at(case, case.created_at)
        if warn is not None and now < warn:  # looked at early (the warning share was raised since): not yet
            return Step(next_check=warn, breach_count=case.breach_count)
        notices = (Notice(NoticeKind.WARNING, case),) if warn is not None else ()
        return Step(notices, case.due_at, case.breach_count)


class Pager:
    """The one producer of pages: whoever is on call at the moment of the page is called.

    A page opening a high case goes to the emergency channel; a breach page too, with a DM to the
    person on call (a user group gets none). With nobody on call the page says so and calls @here.
    """

    def __init__(self, oncall: OncallService) -> None:
        self.oncall = oncall

    def on_call(self, session: Session, now: datetime) -> OnCall:
        return self.oncall.at(now, session=session)

    @staticmethod
    def items(notice: Notice, on_call: OnCall) -> list[OutboxItem]:
        case = notice.case
        mentions: dict[str, Any] = {"mentions": on_call.mentions}
        if notice.kind is NoticeKind.PAGE:
            payload = {**mentions, "oncall_source": on_call.source, "here": on_call.pages_here}
            return [OutboxItem(page_key(case.id, notice.occasion), OutboxKind.PAGE, case.id, payload)]
        key = breach_key(case.id, case.due_at, notice.sequence)
        payload = {**mentions, "sequence": notice.sequence, "here": on_call.pages_here}
        items = [OutboxItem(key, OutboxKind.BREACH_PAGE, case.id, payload)]
        if is_user(on_call.primary):
            dm = {"user": on_call.primary, "sequence": notice.sequence}
            items.append(OutboxItem(dm_key(key), OutboxKind.BREACH_DM, case.id, dm))
        return items


class _Planned(NamedTuple):
    """A notice as the database will hold it: its outbox rows, its history line, whom it calls."""

    notice: Notice
    items: list[OutboxItem]
    event: NewEvent | None = None
    parties: Sequence[Party] = ()


@dataclass
class Queued:
    """The notices that were new (not queued before by another sweep or replica) and their keys."""

    notices: list[Notice] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    paged: OnCall | None = None  # whom the pages called, if any page was planned


@dataclass
class SweepReport:
    examined: int = 0
    warnings: list[int] = field(default_factory=list)  # case numbers
    breaches: list[int] = field(default_factory=list)
    lead_pings: list[int] = field(default_factory=list)
    skipped: bool = False  # another replica held the sweep lock
    keys: list[str] = field(default_factory=list)  # the outbox messages queued by this sweep

    def add(self, examined: int, queued: Queued) -> None:
        self.examined += examined
        self.keys += queued.keys
        buckets = {
            NoticeKind.WARNING: self.warnings,
            NoticeKind.BREACH: self.breaches,
            NoticeKind.LEAD: self.lead_pings,
        }
        for notice in queued.notices:
            buckets[notice.kind].append(notice.case.number)

    def merge(self, other: SweepReport) -> None:
        self.examined += other.examined
        self.warnings += other.warnings
        self.breaches += other.breaches
        self.lead_pings += other.lead_pings
        self.keys += other.keys


class SlaClock:
    """The clock in the database: it keeps each case's schedule and queues what the schedule calls for.

    Every method works in the caller's transaction; delivery follows the commit.
    """

    def __init__(self, rules: SlaRules, pager: Pager, escalation: EscalationConfig) -> None:
        self.rules = rules
        self.pager = pager
        self.escalation = escalation

    @classmethod
    def from_config(
        cls, config: BehaviourConfig, oncall: OncallService, targets: TargetPolicy | None = None
    ) -> SlaClock:
        targets = targets or SlaPolicy(config.sla, BusinessCalendar(config.business_hours))
        rules = SlaRules(targets, warn_share=config.sla.warn_at, renotify=config.sla.renotify)
        return cls(rules, Pager(oncall), config.escalation)

    # --- a case's changes (CaseService) ---------------------------------------------------------

    def start(self, case: Case) -> None:
        """A new case: due from its creation under its target; first looked at at its warning."""
        case.due_at = self.rules.due_at(case, case.created_at)
        case.sla_check_at = self.rules.first_check(case, case.created_at)
        case.sla_breach_count = 0

    def restart(self, case: Case) -> None:
        """The priority changed: due again from the creation under the new target; watched if unanswered."""
        case.due_at = self.rules.due_at(case, case.created_at)
        case.sla_breach_count = 0
        case.sla_check_at = self.rules.first_check(case, case.created_at) if case.first_response_at is None else None

    def answered(self, session: Session, case: Case) -> None:
        """The first response was just recorded: the clock stops; a late one is a breach in the history."""
        self.stop(case)
        assert case.id is not None and case.first_response_at is not None
        if late_by(case) is not None:
            event = NewEvent(
                case.id, EventKind.SLA_BREACH, SYSTEM_ACTOR, case.first_response_at, case.due_at.isoformat(), LATE
            )
            case_store.append_events(session, [event])

    @staticmethod
    def stop(case: Case) -> None:
        """Nothing more to watch: answered, or resolved by its reporter before anyone answered."""
        case.sla_check_at = None

    def is_outside_hours(self, case: Case) -> bool:
        """True when the case's target only starts counting at the next opening of the desk."""
        return self.rules.target(case).counts_later(case.created_at)

    def page(self, session: Session, case: Case, now: datetime, *, occasion: str) -> OnCall | None:
        """Page for a high case that nobody has answered (opened, or raised to high); whom it called."""
        if not self.rules.pages(case) or not awaits_first_response(case):
            return None
        return self.queue(session, [Notice(NoticeKind.PAGE, Timing.of(case), occasion=occasion)], now).paged

    # --- the sweep ------------------------------------------------------------------------------

    def sweep(self, session: Session, now: datetime, *, limit: int) -> SweepReport:
        """Decide and queue what is due for one batch of cases. A handful of statements, no Slack."""
        cases = [Timing._make(row) for row in case_store.due_rows(session, now, limit=limit)]  # DUE_COLUMNS
        steps = [self.rules.step(case, now) for case in cases]
        queued = self.queue(session, [notice for step in steps for notice in step.notices], now)
        moves = [(case.id, step.next_check, step.breach_count) for case, step in zip(cases, steps, strict=True)]
        case_store.move_checks(session, moves)
        report = SweepReport()
        report.add(len(cases), queued)
        return report

    # --- notices → outbox, history, parties -------------------------------------------------------

    def queue(self, session: Session, notices: Sequence[Notice], now: datetime) -> Queued:
        """Queue each notice once; a new one also goes into the case's history and records whom it called."""
        on_call: OnCall | None = None  # the same for every case at `now`: looked up once, if needed
        planned = []
        for notice in notices:
            if notice.kind in (NoticeKind.PAGE, NoticeKind.BREACH) and on_call is None:
                on_call = self.pager.on_call(session, now)
            planned.append(self._plan(notice, on_call, now))
        inserted = enqueue_many(session, [item for plan in planned for item in plan.items], now)
        new = [plan for plan in planned if plan.items[0].key in inserted]
        case_store.append_events(session, [plan.event for plan in new if plan.event is not None])
        involve(session, [(plan.notice.case.id, party) for plan in new for party in plan.parties], now)
        keys = [item.key for plan in new for item in plan.items if item.key in inserted]
        return Queued([plan.notice for plan in new], keys, on_call)

    def _plan(self, notice: Notice, on_call: OnCall | None, now: datetime) -> _Planned:
        case = notice.case
        if notice.kind is NoticeKind.WARNING:
            item = OutboxItem(warning_key(case.id, case.priority, case.due_at), OutboxKind.SLA_WARNING, case.id)
            return _Planned(notice, [item], self._event(case, EventKind.SLA_WARNING, case.priority, now))
        if notice.kind is NoticeKind.LEAD:
            item = OutboxItem(lead_key(case.id, case.due_at), OutboxKind.SLA_LEAD, case.id)
            event = self._event(case, EventKind.SLA_BREACH, "lead", now)
            return _Planned(notice, [item], event, escalation_parties(2, self.escalation))
        assert on_call is not None
        items, called = self.pager.items(notice, on_call), oncall_parties(on_call)
        if notice.kind is NoticeKind.PAGE:  # a page on opening is told by the "opened" event already
            return _Planned(notice, items, None, called)
        return _Planned(notice, items, self._event(case, EventKind.SLA_BREACH, str(notice.sequence), now), called)

    @staticmethod
    def _event(case: Timing, kind: EventKind, value: str, now: datetime) -> NewEvent:
        return NewEvent(case.id, kind, SYSTEM_ACTOR, now, new_value=value)
