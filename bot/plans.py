"""Contract plans: which plan a case runs on, and its first-response target per priority.

Pure rules over the configuration: no database, no Slack, no clock of its own (callers pass `now`).
A case stores the id of the plan it was opened under; the SLA clock asks `catalog.target(plan_id,
priority)` for it, so a customer's later plan change does not move existing cases. A stored id that
is no longer configured falls back to the default plan, visibly (`Target.requested_plan`), so the
clock never stops over a config edit.

Contracts: `contract_end` is the last day covered, in the plan desk's time zone. After it a case is
flagged 「契約期間外」; on a plan with `low_outside_contract = false` a low-priority case is also
flagged as not covered. Flags are for agents to decide on — nothing is dropped here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from bot.business_calendar import BusinessCalendar, Calendar, TwentyFourSeven, require_aware
from bot.config import WEEKDAYS, BehaviourConfig, BusinessHoursConfig
from bot.config_plans import IMPLICIT_PLAN_ID, IMPLICIT_PLAN_LABEL, CalendarKind, ResponseTarget, plan_business_hours
from bot.durations import spell_duration
from bot.i18n import t

Priority = Literal["high", "medium", "low"]
PRIORITIES: tuple[Priority, ...] = ("high", "medium", "low")

_HOME_TIMEZONE = "Asia/Tokyo"
_END_OF_DAY = time(23, 59, 59, 999999)
_WEEKDAY_NAMES = {"ja": "月火水木金土日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


class PlanHolder(Protocol):
    """What the plan rules need of a customer (bot.customers.CustomerRecord provides it)."""

    @property
    def plan(self) -> str | None: ...

    @property
    def contract_end(self) -> date | None: ...


class Flag(StrEnum):
    """Things agents must see about a new case's contract; none of them stops the case."""

    CONTRACT_ENDED = "contract_ended"
    LOW_NOT_COVERED = "low_not_covered"
    UNKNOWN_PLAN = "unknown_plan"


@dataclass(frozen=True)
class Plan:
    id: str
    label: str
    targets: Mapping[Priority, ResponseTarget]
    hours: BusinessHoursConfig
    calendar: BusinessCalendar = field(repr=False, compare=False)
    low_outside_contract: bool = True

    def contract_ended(self, contract_end: date | None, now: datetime) -> bool:
        """True once the desk's local date is after the contract's last day."""
        if contract_end is None:
            return False
        today = require_aware(now, "now").astimezone(ZoneInfo(self.hours.timezone)).date()
        return today > contract_end


@dataclass(frozen=True)
class Target:
    """The first-response target of one priority on one plan, with the calendar it is counted on."""

    plan: Plan
    priority: Priority
    duration: timedelta
    kind: CalendarKind
    calendar: Calendar = field(repr=False, compare=False)
    requested_plan: str | None = None
    """Set when the plan asked for is not configured (any more) and the default plan stands in."""

    @property
    def plan_id(self) -> str:
        return self.plan.id

    def due_at(self, start: datetime) -> datetime:
        """When the first response is due for a case opened (or re-planned from) `start`, in UTC."""
        return self.calendar.add(start, self.duration)

    def elapsed(self, start: datetime, now: datetime) -> timedelta:
        """Target time used so far (business time on a business calendar)."""
        return self.calendar.elapsed(start, now)

    def explain(self, language: str) -> str:
        """「Premier プラン・優先度 高: 1時間 (24時間365日)」 / "Premier plan, high priority: 1 hour (24/7)"."""
        priority = t(f"priority.{self.priority}", language)
        text = t(
            "plan.target",
            language,
            plan=self.plan.label,
            priority=priority.lower() if language == "en" else priority,
            duration=spell_duration(self.duration, language),
            calendar=describe_calendar(self.kind, self.plan.hours, language),
        )
        if self.requested_plan is not None:
            text += " " + t("plan.substituted", language, requested=self.requested_plan)
        return text


@dataclass(frozen=True)
class Terms:
    """What applies to a case being opened: the target (its plan id is stored on the case) and flags."""

    target: Target
    flags: frozenset[Flag] = frozenset()

    @property
    def plan_id(self) -> str:
        return self.target.plan_id

    def notes(self, language: str) -> list[str]:
        """The flags as sentences for the card and `/case show`, most important first."""
        return flag_notes(self.stored_flags, language)

    @property
    def stored_flags(self) -> str | None:
        """The flags as a case stores them (`cases.plan_flags`): "contract_ended unknown_plan=gold"."""
        words = [
            f"{flag.value}={self.target.requested_plan}" if flag is Flag.UNKNOWN_PLAN else flag.value
            for flag in _FLAG_ORDER
            if flag in self.flags
        ]
        return " ".join(words) or None


_FLAG_ORDER = (Flag.CONTRACT_ENDED, Flag.LOW_NOT_COVERED, Flag.UNKNOWN_PLAN)


def flag_notes(stored: str | None, language: str) -> list[str]:
    """Stored flags (`Terms.stored_flags`) as sentences, most important first; unknown words are skipped."""
    notes = []
    for word in (stored or "").split():
        name, _, requested = word.partition("=")
        if name in tuple(Flag):
            notes.append(t(f"plan.flag.{name}", language, requested=requested))
    return notes


class PlanCatalog:
    """The configured plans and the default one; built once from the configuration."""

    def __init__(self, plans: Iterable[Plan], default_plan: str) -> None:
        self._plans = {plan.id: plan for plan in plans}
        if default_plan not in self._plans:
            raise ValueError(f"default plan {default_plan!r} is not one of {', '.join(self._plans) or 'no plans'}")
        self._default = self._plans[default_plan]
        self._always = TwentyFourSeven()

    @classmethod
    def from_config(cls, config: BehaviourConfig) -> PlanCatalog:
        """[plans.<id>] and [customers] default_plan; without [plans], [sla.<priority>] as "standard"."""
        calendars: dict[str, BusinessCalendar] = {}

        def calendar(hours: BusinessHoursConfig) -> BusinessCalendar:
            return calendars.setdefault(hours.model_dump_json(), BusinessCalendar(hours))

        if not config.plans:
            targets = {priority: config.sla.for_priority(priority) for priority in PRIORITIES}
            hours = config.business_hours
            implicit = Plan(IMPLICIT_PLAN_ID, IMPLICIT_PLAN_LABEL, targets, hours, calendar(hours))
            return cls([implicit], IMPLICIT_PLAN_ID)
        plans = []
        for plan_id, plan in config.plans.items():
            hours = plan_business_hours(config.business_hours, plan.business_hours)
            targets = {priority: plan.target_for(priority) for priority in PRIORITIES}
            plans.append(Plan(plan_id, plan.label, targets, hours, calendar(hours), plan.low_outside_contract))
        return cls(plans, config.customers.default_plan or IMPLICIT_PLAN_ID)

    @property
    def default(self) -> Plan:
        return self._default

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._plans)

    def __contains__(self, plan_id: object) -> bool:
        return plan_id in self._plans

    def get(self, plan_id: str) -> Plan | None:
        return self._plans.get(plan_id)

    def plan_for(self, customer: PlanHolder | None) -> Plan:
        """The customer's plan; the default plan without a customer, a plan, or a configured plan."""
        if customer is None or not customer.plan:
            return self._default
        return self._plans.get(customer.plan, self._default)

    def target(self, plan_id: str | None, priority: str) -> Target:
        """The target for a case stored with `plan_id` (None = the default plan) at `priority`."""
        checked = _priority(priority)
        plan = self._plans.get(plan_id) if plan_id else self._default
        requested = None
        if plan is None:
            plan, requested = self._default, plan_id
        response = plan.targets[checked]
        calendar: Calendar = plan.calendar if response.calendar == "business" else self._always
        return Target(plan, checked, response.target, response.calendar, calendar, requested)

    def terms(self, customer: PlanHolder | None, priority: str, now: datetime) -> Terms:
        """What applies to a case opened now for `customer` (or none) at `priority`."""
        requested = customer.plan if customer is not None and customer.plan else None
        target = self.target(requested, priority)
        flags = set()
        if target.requested_plan is not None:
            flags.add(Flag.UNKNOWN_PLAN)
        if customer is not None and target.plan.contract_ended(customer.contract_end, now):
            flags.add(Flag.CONTRACT_ENDED)
            if target.priority == "low" and not target.plan.low_outside_contract:
                flags.add(Flag.LOW_NOT_COVERED)
        return Terms(target, frozenset(flags))


def _priority(priority: str) -> Priority:
    for known in PRIORITIES:
        if priority == known:
            return known
    raise ValueError(f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}")


def describe_calendar(kind: CalendarKind, hours: BusinessHoursConfig, language: str) -> str:
    """「24時間365日」, or the desk's hours: 「営業時間内: 月〜金 10:00–18:00、祝日・休業日を除く」."""
    if kind == "24x7":
        return t("plan.calendar.24x7", language)
    end = "24:00" if hours.end == _END_OF_DAY else f"{hours.end:%H:%M}"
    span = f"{hours.start:%H:%M}–{end}"
    if hours.timezone != _HOME_TIMEZONE:
        span += f" ({hours.timezone})"
    excluded = [t("plan.calendar.holidays", language)] if hours.holidays == "JP" else []
    if hours.closed:
        excluded.append(t("plan.calendar.closures", language))
    closed = t("plan.calendar.excluding", language, days=("・" if language == "ja" else " and ").join(excluded))
    return t(
        "plan.calendar.business",
        language,
        days=_days(hours.days, language),
        hours=span,
        closed=closed if excluded else "",
    )


def _days(days: Iterable[str], language: str) -> str:
    """Working weekdays as people write them: 「月〜金」, "Mon–Fri", 「月・水・金」, "every day"."""
    indexes = sorted({WEEKDAYS.index(day) for day in days})
    if len(indexes) == len(WEEKDAYS):
        return t("plan.calendar.every_day", language)
    names = _WEEKDAY_NAMES["ja" if language == "ja" else "en"]
    if len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{names[indexes[0]]}{'〜' if language == 'ja' else '–'}{names[indexes[-1]]}"
    return ("・" if language == "ja" else ", ").join(names[i] for i in indexes)
