"""The SLA clock: what happens while a case waits for its first response, and when it is late.

Every case runs on one schedule from its opening to its first response (an acknowledgement, a
reply in its thread by someone who may act, a resolution). The target comes from a policy
(bot/sla.py: by the contract plan stored on the case at opening, and its priority), never from
configuration here:

    opened ──────── warn_at (75 % of the target) ──────── due ──────── due + renotify ─── …
      │                     │                               │                 │
      │ high: page          │ a warning in the case's       │ high: page the emergency channel and
      │ (Pager)             │ thread, mentioning the        │   DM whoever is on call; again every
      │                     │ assignee, else the person on  │   `renotify` until someone answers, up
      │                     │ call (high) or the CS Lead    │   the escalation chain (bot/pager.py)
      │                     │                               │ medium/low: ping the CS Lead in the
      │                     │                               │   thread, once

- The case keeps the next moment to look at it (`sla_check_at`, NULL once the clock has stopped)
  and how many breach pages went out (`sla_breach_count`); only this module sets them.
- `SlaRules.step(case, now)` is pure (no database, no Slack): what is due now, and when to look next.
  After downtime it asks for one page, numbered from the current time, not one per missed interval.
  It also decides the escalation chain: which re-page calls the secondary and the CS Lead too
  (`[sla] escalate_after`), and which re-page takes each step first.
- A first response stops the clock. If it came after the due time, however little, the history gets
  a breach event ("late", with the due time missed) and the card shows by how much (`late_by`).
- A case's plan is its customer's at opening (`terms`, bot/plans.py), stored on the case with the
  contract's flags (契約期間外): a later change of the customer's plan does not move it. A priority or
  customer change restarts the schedule from the case's creation; a case raised to high is paged.
  A reopened case is not timed again (it was answered, or closed by its reporter).
- `SlaClock.queue` turns notices into outbox rows whose keys are unique per (case, kind, sequence),
  so two replicas or a restart deciding the same notice queue it once; only a new notice goes into
  the history and records whom it called (bot/access.py). `Pager` (bot/pager.py) is the one
  producer of pages, and edits them in place once the case is answered or resolved.
- Still worth sending: a page or reminder that waited in the outbox (a rate limit, an outage) is
  dropped at delivery once the case has been answered (`awaits_first_response`, bot/sla_notices.py).

The scheduled job (scheduler/sla_sweep.py) only takes the lock, loops over batches and delivers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlmodel import Session

from bot import case_store
from bot.access import Party, escalation_parties, involve
from bot.case_store import NewEvent
from bot.case_vocabulary import SYSTEM_ACTOR, EventKind
from bot.config import BehaviourConfig
from bot.models import Case
from bot.oncall import OnCall, OncallService
from bot.outbox import OutboxItem, enqueue_many
from bot.outbox_kinds import OutboxKind, lead_key, warning_key
from bot.pager import Pager
from bot.plans import PlanCatalog, PlanHolder, Terms
from bot.priorities import Priority
from bot.sla import PlanPolicy, Target, Targeted, TargetPolicy
from bot.sla_notices import (
    CHAIN,
    LATE,
    ChainStep,
    Notice,
    NoticeKind,
    Step,
    Timing,
    awaits_first_response,
    breach_sequence,
    chain_level,
    late_by,
)

__all__ = [  # the clock's values live in bot/sla_notices.py; what uses the clock finds them here too
    "LATE",
    "ChainStep",
    "Notice",
    "NoticeKind",
    "Pager",
    "SlaClock",
    "SlaRules",
    "Step",
    "SweepReport",
    "Timing",
    "awaits_first_response",
    "breach_sequence",
    "late_by",
]


class SlaRules:
    """The schedule and the step function: arithmetic over a case's target and the time, nothing else."""

    def __init__(
        self, targets: TargetPolicy, *, warn_share: float, renotify: timedelta, escalate_after: int = 0
    ) -> None:
        self.targets = targets
        self.warn_share = warn_share  # 0: no warnings
        self.renotify = renotify  # 0: one breach page
        self.escalate_after = escalate_after  # 0: no escalation chain

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
            level, steps = self.chain(case.breach_count, sequence)
            return Step((Notice(NoticeKind.BREACH, case, sequence, level=level, steps=steps),), again, sequence)
        return Step((Notice(NoticeKind.LEAD, case),), None, 1)

    def chain(self, before: int, sequence: int) -> tuple[int, tuple[ChainStep, ...]]:
        """How far up the escalation chain re-page `sequence` calls, and the steps it takes first (the
        previous re-page was number `before`; after downtime one re-page may take two steps)."""
        level = chain_level(sequence, self.escalate_after)
        return level, CHAIN[chain_level(before, self.escalate_after) : level]

    def _before_due(self, case: Timing, now: datetime) -> Step:
        warn = self.warn_at(case, case.created_at)
        if warn is not None and now < warn:  # looked at early (the warning share was raised since): not yet
            return Step(next_check=warn, breach_count=case.breach_count)
        notices = (Notice(NoticeKind.WARNING, case),) if warn is not None else ()
        return Step(notices, case.due_at, case.breach_count)


class _Planned(NamedTuple):
    """A notice as the database will hold it: its outbox rows, its history line, whom it calls."""

    notice: Notice
    items: list[OutboxItem]
    events: Sequence[NewEvent] = ()
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

    def __init__(self, rules: SlaRules, pager: Pager, plans: PlanCatalog) -> None:
        self.rules = rules
        self.pager = pager
        self.plans = plans

    @classmethod
    def from_config(
        cls, config: BehaviourConfig, oncall: OncallService, targets: TargetPolicy | None = None
    ) -> SlaClock:
        """The clock of `config`: targets by each case's plan (`targets` replaces them in some tests)."""
        plans = PlanCatalog.from_config(config)
        targets = targets or PlanPolicy(plans)
        sla = config.sla
        rules = SlaRules(targets, warn_share=sla.warn_at, renotify=sla.renotify, escalate_after=sla.escalate_after)
        return cls(rules, Pager(oncall, config.escalation), plans)

    # --- plans ----------------------------------------------------------------------------------

    def terms(self, case: Case, customer: PlanHolder | None, now: datetime) -> Terms:
        """Put `case` under `customer`'s plan (the default plan without one) as of `now`: its plan and the
        contract's flags are stored on it; `start` or `restart` then counts its target under that plan."""
        terms = self.plans.terms(customer, case.priority, now)
        case.plan = terms.plan_id
        case.plan_flags = terms.stored_flags
        return terms

    def explain(self, case: Case, language: str) -> str:
        """「Premier プラン・優先度 高: 1時間 (24時間365日)」: the target the case runs on."""
        return self.plans.target(case.plan, case.priority).explain(language)

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
        """The first response was just recorded: the clock stops; a late one is a breach in the history;
        the page and the DMs (if it paged) now say who answered, and lose their button."""
        self.stop(case)
        assert case.id is not None and case.first_response_at is not None
        if late_by(case) is not None:
            event = NewEvent(
                case.id, EventKind.SLA_BREACH, SYSTEM_ACTOR, case.first_response_at, case.due_at.isoformat(), LATE
            )
            case_store.append_events(session, [event])
        self.pager.settle(session, case, case.first_response_at, "answered")

    def closed(self, session: Session, case: Case, now: datetime, occasion: str) -> None:
        """The case was resolved: the clock stops, and its page and DMs (if it paged) say so."""
        self.stop(case)
        self.pager.settle(session, case, now, occasion)

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
            if self._calls_on_call(notice) and on_call is None:
                on_call = self.pager.on_call(session, now)
            planned.append(self._plan(notice, on_call, now))
        inserted = enqueue_many(session, [item for plan in planned for item in plan.items], now)
        new = [plan for plan in planned if plan.items[0].key in inserted]
        case_store.append_events(session, [event for plan in new for event in plan.events])
        involve(session, [(plan.notice.case.id, party) for plan in new for party in plan.parties], now)
        keys = [item.key for plan in new for item in plan.items if item.key in inserted]
        return Queued([plan.notice for plan in new], keys, on_call)

    def _calls_on_call(self, notice: Notice) -> bool:
        """Pages call whoever is on call; so does a high case's warning when nobody is assigned."""
        if notice.kind is NoticeKind.WARNING:
            return self.rules.pages(notice.case) and not notice.case.assignee
        return notice.kind in (NoticeKind.PAGE, NoticeKind.BREACH)

    def _plan(self, notice: Notice, on_call: OnCall | None, now: datetime) -> _Planned:
        case = notice.case
        if notice.kind is NoticeKind.WARNING:
            who, parties = self.pager.responsible(case.assignee, on_call if self.rules.pages(case) else None)
            key = warning_key(case.id, case.priority, case.due_at)
            item = OutboxItem(key, OutboxKind.SLA_WARNING, case.id, {"mention": who} if who else {})
            return _Planned(notice, [item], [self._event(case, EventKind.SLA_WARNING, case.priority, now)], parties)
        if notice.kind is NoticeKind.LEAD:
            item = OutboxItem(lead_key(case.id, case.due_at), OutboxKind.SLA_LEAD, case.id)
            event = self._event(case, EventKind.SLA_BREACH, "lead", now)
            return _Planned(notice, [item], [event], escalation_parties(2, self.pager.escalation))
        assert on_call is not None
        return _Planned(notice, *self.pager.plan(notice, on_call, now))

    @staticmethod
    def _event(case: Timing, kind: EventKind, value: str, now: datetime) -> NewEvent:
        return NewEvent(case.id, kind, SYSTEM_ACTOR, now, new_value=value)
