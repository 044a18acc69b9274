"""First-response targets: how long a case may wait for its first response, counted on which calendar.

The SLA clock (bot/sla_clock.py) asks a `TargetPolicy` for each case's target and never looks at
configuration itself. The bot's policy is `PlanPolicy`: the target of the plan stored on the case when
it opened (bot/plans.py; without [plans], [sla.high|medium|low] are the one plan). `SlaPolicy` reads
[sla.high|medium|low] alone (what the reports and a few tests use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.business_calendar import BusinessCalendar, Calendar, TwentyFourSeven
from bot.config import SlaConfig
from bot.plans import PlanCatalog
from bot.priorities import Priority


@dataclass(frozen=True)
class Target:
    """A first-response target: a duration, counted on a calendar (business hours or 24x7)."""

    duration: timedelta
    calendar: Calendar

    def due_at(self, start: datetime) -> datetime:
        """When the first response is due for a case opened at `start` (UTC)."""
        return self.calendar.add(start, self.duration)

    def share_at(self, start: datetime, share: float) -> datetime:
        """When `share` of the target has elapsed (0.75: the warning), in the target's own time."""
        return self.calendar.add(start, self.duration * share)

    def elapsed(self, start: datetime, now: datetime) -> timedelta:
        """Target time used so far: business time on a business calendar."""
        return self.calendar.elapsed(start, now)

    @property
    def around_the_clock(self) -> bool:
        """Counted every hour of every day, not only while the desk is open."""
        return isinstance(self.calendar, TwentyFourSeven)

    def counts_later(self, start: datetime) -> bool:
        """True when a case opened at `start` is outside business hours: its time only counts from the opening."""
        return not self.calendar.is_open(start)


class Targeted(Protocol):
    """What a policy may look at to choose a case's target (the Case model, the sweep's rows)."""

    @property
    def priority(self) -> str: ...


class TargetPolicy(Protocol):
    def target(self, case: Targeted) -> Target:
        """The target (duration and calendar) for this case."""
        ...


@dataclass(frozen=True)
class NewRequest:
    """A case not opened yet, of which only the priority (and perhaps the plan) is known."""

    priority: str
    plan: str | None = None


def target_for(policy: TargetPolicy, priority: str) -> Target:
    """The target `policy` gives a new case of `priority` when nothing else is known of it (e.g. its plan)."""
    return policy.target(NewRequest(priority))


class SlaPolicy:
    """Targets by priority from [sla], counted on the business calendar or around the clock."""

    def __init__(self, config: SlaConfig, calendar: BusinessCalendar) -> None:
        always = TwentyFourSeven()
        self._targets: dict[Priority, Target] = {}
        for priority in Priority:
            configured = config.for_priority(priority)
            counted_on = calendar if configured.calendar == "business" else always
            self._targets[priority] = Target(configured.target, counted_on)

    def target(self, case: Targeted) -> Target:
        return self.for_priority(case.priority)

    def for_priority(self, priority: str) -> Target:
        try:
            return self._targets[Priority(priority)]
        except ValueError:
            expected = ", ".join(Priority)
            raise ValueError(f"unknown priority {priority!r}; expected one of {expected}") from None


class PlanPolicy:
    """Targets by the plan stored on the case (`plan`; None or a plan no longer configured: the default
    plan) and its priority. Whatever has no `plan` (a new request) runs on the default plan."""

    def __init__(self, catalog: PlanCatalog) -> None:
        self.catalog = catalog
        self._targets: dict[tuple[str | None, str], Target] = {}  # the sweep asks thousands of times

    def target(self, case: Targeted) -> Target:
        key = (getattr(case, "plan", None), case.priority)
        found = self._targets.get(key)
        if found is None:
            planned = self.catalog.target(*key)
            found = self._targets.setdefault(key, Target(planned.duration, planned.calendar))
        return found
