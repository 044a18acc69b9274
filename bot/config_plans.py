"""[plans.<id>] and [customers] in supportbot.toml: first-response targets per contract plan.

A plan is what a customer bought: a label, a target per priority (duration + calendar), optionally
its own desk hours (a partial override of [business_hours]) and whether low-priority requests are
still supported after the contract has ended.

Without any [plans], [sla.high|medium|low] are the one implicit plan "standard" (today's behaviour).
Setting both [plans] and [sla.<priority>] is rejected: two places for the same targets would leave
people guessing which one applies. [sla] keeps the sweep settings (check_interval, warn_at, renotify).

This module imports nothing from bot.config (bot.config imports it), so the checks that need other
sections take them as arguments.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator

from bot.config_section import Section
from bot.durations import parse_duration

IMPLICIT_PLAN_ID = "standard"
"""The id of the plan made from [sla.high|medium|low] when no [plans] are configured."""
IMPLICIT_PLAN_LABEL = "Standard"

PRIORITY_KEYS = ("high", "medium", "low")
PLAN_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

CalendarKind = Literal["24x7", "business"]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Hours = TypeVar("Hours", bound=BaseModel)


class ResponseTarget(Section):
    """A first-response target: how long, counted around the clock or in business hours."""

    target: Duration = Field(description='first-response target, e.g. "2h" or "90m"')
    calendar: CalendarKind = Field(description='"24x7" or "business"')

    @field_validator("target")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError('must be longer than zero, e.g. "2h"')
        return value


_TARGET_EXAMPLE = '{ target = "2h", calendar = "24x7" }'


class PlanConfig(Section):
    """One [plans.<id>] table."""

    label: str = Field(min_length=1, max_length=80, description='the name people see, e.g. "Premier"')
    high: ResponseTarget = Field(description=f"target for high priority, e.g. {_TARGET_EXAMPLE}")
    medium: ResponseTarget = Field(description=f"target for medium priority, e.g. {_TARGET_EXAMPLE}")
    low: ResponseTarget = Field(description=f"target for low priority, e.g. {_TARGET_EXAMPLE}")
    business_hours: dict[str, Any] = Field(
        default_factory=dict,
        description='this plan\'s desk hours, overriding keys of [business_hours], e.g. { end = "20:00" }',
    )
    low_outside_contract: bool = Field(
        default=True,
        description="false: low-priority requests of a customer whose contract has ended are flagged "
        "as not covered, for agents to decide",
    )

    def target_for(self, priority: str) -> ResponseTarget:
        target: ResponseTarget = getattr(self, priority)
        return target


class CustomersConfig(Section):
    """[customers]: the directory itself lives in the database (`supportbot customers import`)."""

    default_plan: str | None = Field(
        default=None,
        description=f'the plan of cases without a customer, or of a customer without a plan, e.g. "{IMPLICIT_PLAN_ID}"',
    )


def plan_business_hours(base: Hours, override: Mapping[str, Any]) -> Hours:
    """[business_hours] with a plan's overrides applied, validated as a whole (so end > start still
    holds against the inherited start). Raises pydantic's ValidationError."""
    if not override:
        return base
    return type(base).model_validate({**base.model_dump(), **override})


def plan_problems(
    plans: Mapping[str, PlanConfig],
    customers: CustomersConfig,
    sla_keys_set: Collection[str],
    business_hours: BaseModel,
) -> list[str]:
    """Everything wrong across [plans], [customers] and [sla], each naming the key and the fix."""
    problems = [_bad_id(plan_id) for plan_id in plans if not PLAN_ID_PATTERN.match(plan_id)]
    for plan_id, plan in plans.items():
        problems += _hours_problems(plan_id, plan, business_hours)
    mixed = [key for key in PRIORITY_KEYS if key in sla_keys_set]
    if plans and mixed:
        tables = ", ".join(f"[sla.{key}]" for key in mixed)
        problems.append(
            f"{tables} and [plans] both set first-response targets; with [plans], each plan sets its own "
            f"high/medium/low: move these targets into a plan (e.g. [plans.{IMPLICIT_PLAN_ID}] "
            f"high = {_TARGET_EXAMPLE}) and delete {tables} ([sla] keeps check_interval, warn_at and renotify)"
        )
    problems += _default_plan_problems(plans, customers)
    return problems


def _bad_id(plan_id: str) -> str:
    return (
        f"[plans.{plan_id}]: {plan_id!r} is not a usable plan id; use lowercase letters, digits, "
        '"-" and "_" (up to 40), e.g. [plans.premier], and put the display name in label'
    )


def _default_plan_problems(plans: Mapping[str, PlanConfig], customers: CustomersConfig) -> list[str]:
    chosen = customers.default_plan
    if not plans:
        if chosen is None or chosen == IMPLICIT_PLAN_ID:
            return []
        return [
            f"[customers] default_plan: {chosen!r} is not a plan; without [plans] the only plan is "
            f'"{IMPLICIT_PLAN_ID}" (the targets in [sla]); add [plans.{chosen}] or delete default_plan'
        ]
    names = ", ".join(plans)
    if chosen is None:
        return [
            "[customers] default_plan: missing; with [plans], name the plan for cases without a customer, "
            f'e.g. default_plan = "{next(iter(plans))}" (plans: {names})'
        ]
    if chosen not in plans:
        return [f"[customers] default_plan: {chosen!r} is not one of the plans ({names}); use one of them"]
    return []


def _hours_problems(plan_id: str, plan: PlanConfig, business_hours: BaseModel) -> list[str]:
    key = f"[plans.{plan_id}.business_hours]"
    try:
        plan_business_hours(business_hours, plan.business_hours)
    except ValidationError as exc:
        known = ", ".join(type(business_hours).model_fields)
        problems = []
        for error in exc.errors():
            field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])[1:]
            if error["type"] == "extra_forbidden":
                problems.append(f"{key} {field}: unknown key; known keys here: {known}")
            else:
                problems.append(f"{key} {field}: {str(error['msg']).removeprefix('Value error, ')}")
        return problems
    return []
