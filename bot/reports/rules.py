"""What reports need of the SLA rules, behind one narrow interface.

Reports count time the way the SLA does: each case in its own calendar (business hours for
business-calendar targets, wall-clock time for 24x7 ones). They ask for nothing more than a
priority's target and calendar on a plan, so the SLA module can change shape behind `SlaRules`. Each
case is counted on the plan stored on it (`cases.plan`; None, or a plan no longer configured: the
default plan), exactly as the SLA clock counted it (bot/plans.py `PlanCatalog`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.business_calendar import BusinessCalendar, Calendar, TwentyFourSeven
from bot.config import BehaviourConfig
from bot.plans import PlanCatalog

_SECOND = timedelta(seconds=1)
_RESOLUTION = timedelta(microseconds=1)
_SEARCH_LIMIT = timedelta(days=366)


class SlaRules(Protocol):
    def target(self, priority: str, plan: str | None = None) -> timedelta:
        """The first-response target of a case of this priority (and plan)."""
        ...

    def calendar(self, priority: str, plan: str | None = None) -> Calendar:
        """The calendar that target is counted on."""
        ...


class PlanRules:
    """`SlaRules` over the plan catalogue: the target of the case's stored plan (None: the default plan)."""

    def __init__(self, catalog: PlanCatalog) -> None:
        self.catalog = catalog

    def target(self, priority: str, plan: str | None = None) -> timedelta:
        return self.catalog.target(plan, priority).duration

    def calendar(self, priority: str, plan: str | None = None) -> Calendar:
        return self.catalog.target(plan, priority).calendar


def calendar_kind(calendar: Calendar) -> str:
    """ "business" or "24x7", for people reading a report."""
    return "24x7" if isinstance(calendar, TwentyFourSeven) else "business"


@dataclass(frozen=True)
class ReportRules:
    """Everything reports take from the configuration."""

    timezone: str
    sla: SlaRules
    business: Calendar  # the desk's calendar: backlog ages are counted in its business days
    business_day: timedelta  # how much open time one business day has
    attainment_goal: float
    default_plan: str | None = None  # with several plans: the one whose targets the per-priority headings show

    @classmethod
    def from_config(cls, config: BehaviourConfig, plans: PlanCatalog | None = None) -> ReportRules:
        """The rules of this configuration; pass the running bot's `PlanCatalog` to share its calendars."""
        hours = config.business_hours
        calendar = BusinessCalendar(hours)
        opens = datetime.combine(date(2000, 1, 3), hours.start)
        closes = datetime.combine(date(2000, 1, 3), hours.end)
        day = closes - opens
        catalog = plans or PlanCatalog.from_config(config)
        if day % _SECOND:  # an end of "24:00" is stored as 23:59:59.999999
            day = day - day % _SECOND + _SECOND
        return cls(
            timezone=hours.timezone,
            sla=PlanRules(catalog),
            business=calendar,
            business_day=day,
            attainment_goal=config.reports.attainment_goal,
            default_plan=catalog.default.id if len(catalog.ids) > 1 else None,
        )


def rewind(calendar: Calendar, end: datetime, amount: timedelta) -> datetime:
    """The latest instant from which `amount` of the calendar's time has passed by `end`.

    A case opened after it is younger than `amount`; one opened at or before it is not.
    """
    if amount <= timedelta(0):
        return end
    lo = end - amount
    while calendar.elapsed(lo, end) < amount:
        step = (end - lo) * 2
        if step > _SEARCH_LIMIT:
            return end - _SEARCH_LIMIT
        lo = end - step
    hi = end
    while hi - lo > _RESOLUTION:
        mid = lo + (hi - lo) / 2
        if calendar.elapsed(mid, end) >= amount:
            lo = mid
        else:
            hi = mid
    return lo
