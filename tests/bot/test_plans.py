"""Plan resolution: which plan applies, the target for (plan, priority), and what agents are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.business_calendar import BusinessCalendar, TwentyFourSeven
from bot.clock import ManualClock
from bot.config import parse_behaviour
from bot.database import Database
from bot.plans import Flag, PlanCatalog
from bot.services import build_services
from bot.settings import Settings
from knowledge.search import KnowledgeIndex
from tests.bot.test_config_plans import MINIMAL, PREMIER, STANDARD

JST = ZoneInfo("Asia/Tokyo")
H = timedelta(hours=1)


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@dataclass(frozen=True)
class Customer:
    plan: str | None = None
    contract_end: date | None = None


def catalog(**extra: Any) -> PlanCatalog:
    premier = {**PREMIER, "business_hours": {"start": "09:00", "end": "20:00"}, "low_outside_contract": False}
    data = {**MINIMAL, "plans": {"standard": STANDARD, "premier": premier}, "customers": {"default_plan": "standard"}}
    return PlanCatalog.from_config(parse_behaviour({**data, **extra}, "supportbot.toml", Path(".")))


PLANS = catalog()


def test_the_plan_comes_from_the_customer_or_the_default() -> None:
    assert PLANS.plan_for(Customer("premier")).id == "premier"
    assert PLANS.plan_for(Customer(None)).id == "standard"  # a customer without a plan
    assert PLANS.plan_for(None).id == "standard"  # a case without a customer
    assert PLANS.default.id == "standard" and PLANS.ids == ("standard", "premier")
    assert "premier" in PLANS and "gold" not in PLANS


def test_targets_by_plan_and_priority() -> None:
    high = PLANS.target("premier", "high")
    assert (high.plan_id, high.duration, high.kind) == ("premier", 1 * H, "24x7")
    assert isinstance(high.calendar, TwentyFourSeven)
    low = PLANS.target("premier", "low")
    assert (low.duration, low.kind) == (4 * H, "business")
    assert isinstance(low.calendar, BusinessCalendar)
    assert PLANS.target(None, "high").duration == 2 * H
    with pytest.raises(ValueError, match="unknown priority 'urgent'"):
        PLANS.target("premier", "urgent")


def test_the_target_is_explained_in_japanese_and_english() -> None:
    assert PLANS.target("premier", "high").explain("ja") == "Premier プラン・優先度 高: 1時間 (24時間365日)"
    assert PLANS.target("premier", "high").explain("en") == "Premier plan, high priority: 1 hour (24/7)"
    assert PLANS.target("premier", "low").explain("ja") == (
        "Premier プラン・優先度 低: 4時間 (営業時間内: 月〜金 09:00–20:00、祝日・休業日を除く)"
    )
    assert PLANS.target("standard", "medium").explain("en") == (
        "Standard plan, medium priority: 6 hours (business hours: Mon–Fri 10:00–18:00, "
        "excluding public holidays and company closures)"
    )


def test_unusual_desks_are_described_as_configured() -> None:
    plans = catalog(
        business_hours={"days": ["mon", "wed", "fri"], "holidays": "none", "closed": [], "timezone": "Europe/London"}
    )
    assert plans.target("standard", "low").explain("en") == (
        "Standard plan, low priority: 8 hours (business hours: Mon, Wed, Fri 10:00–18:00 (Europe/London))"
    )
    every_day = catalog(
        business_hours={"days": list(("mon", "tue", "wed", "thu", "fri", "sat", "sun")), "end": "24:00"}
    )
    assert "(営業時間内: 毎日 10:00–24:00、祝日・休業日を除く)" in every_day.target("standard", "low").explain("ja")


def test_each_plan_counts_business_time_on_its_own_desk_across_a_weekend_and_a_holiday() -> None:
    # Friday 2026-11-20 18:30 JST; Monday 11-23 is 勤労感謝の日, so the next business day is Tuesday.
    clock = ManualClock(jst("2026-11-20T18:30"))
    opened = clock.now()
    premier_low = PLANS.target("premier", "low")  # 4 business hours on a 09:00–20:00 desk
    standard_medium = PLANS.target("standard", "medium")  # 6 business hours on 10:00–18:00
    assert premier_low.due_at(opened) == jst("2026-11-24T11:30")  # 1h30 on Friday, 2h30 on Tuesday
    assert standard_medium.due_at(opened) == jst("2026-11-24T16:00")  # closed at 18:30: all of it on Tuesday
    assert PLANS.target("premier", "high").due_at(opened) == jst("2026-11-20T19:30")  # 24x7
    clock.set(jst("2026-11-23T12:00"))  # the holiday: no business time passes
    assert premier_low.elapsed(opened, clock.now()) == timedelta(hours=1, minutes=30)
    assert standard_medium.elapsed(opened, clock.now()) == timedelta(0)
    clock.advance(timedelta(days=1))  # Tuesday noon
    assert premier_low.elapsed(opened, clock.now()) == timedelta(hours=4, minutes=30)
    assert standard_medium.elapsed(opened, clock.now()) == 2 * H


def test_a_case_keeps_its_plan_and_a_plan_removed_from_the_config_falls_back_visibly() -> None:
    target = PLANS.target("gold", "high")  # a case opened under a plan that was deleted since
    assert target.plan_id == "standard" and target.requested_plan == "gold"
    assert target.duration == 2 * H
    assert target.explain("ja").endswith("※ プラン「gold」は設定にないため、既定のプランで計算しています")


def test_terms_flag_an_ended_contract_and_never_drop_the_case() -> None:
    clock = ManualClock(jst("2026-04-01T09:00"))
    ended = Customer("premier", contract_end=date(2026, 3, 31))
    terms = PLANS.terms(ended, "high", clock.now())
    assert terms.plan_id == "premier" and terms.target.duration == 1 * H
    assert terms.flags == {Flag.CONTRACT_ENDED}
    assert terms.notes("ja") == ["契約期間外"]
    low = PLANS.terms(ended, "low", clock.now())  # premier: low_outside_contract = false
    assert low.flags == {Flag.CONTRACT_ENDED, Flag.LOW_NOT_COVERED}
    assert low.target.duration == 4 * H  # still on the clock: agents decide
    assert low.notes("en")[1].startswith("The contract has ended and low-priority requests are not covered")
    standard = PLANS.terms(Customer("standard", date(2026, 3, 31)), "low", clock.now())
    assert standard.flags == {Flag.CONTRACT_ENDED}  # the standard plan still supports low priority


def test_the_last_day_of_the_contract_is_covered_in_the_desks_time_zone() -> None:
    customer = Customer("premier", contract_end=date(2026, 3, 31))
    assert PLANS.terms(customer, "high", jst("2026-03-31T23:59")).flags == frozenset()
    assert PLANS.terms(customer, "high", jst("2026-04-01T00:00")).flags == {Flag.CONTRACT_ENDED}
    assert PLANS.terms(Customer("premier"), "high", jst("2030-01-01T00:00")).flags == frozenset()  # no end date


def test_terms_for_a_customer_whose_plan_is_not_configured() -> None:
    terms = PLANS.terms(Customer("gold"), "medium", jst("2026-11-16T10:30"))
    assert terms.plan_id == "standard" and terms.flags == {Flag.UNKNOWN_PLAN}
    assert terms.notes("ja") == ["顧客のプラン「gold」は設定にないため、既定のプランを適用しました"]
    assert PLANS.terms(None, "medium", jst("2026-11-16T10:30")).flags == frozenset()


def test_plans_with_the_same_hours_share_one_calendar() -> None:
    assert PLANS.target("standard", "low").calendar is PLANS.target("standard", "medium").calendar
    assert PLANS.target("standard", "low").calendar is not PLANS.target("premier", "low").calendar


def test_until_cases_store_a_plan_the_sla_clock_runs_every_case_on_the_default_plan(
    sqlite_db: Database, knowledge_index: KnowledgeIndex
) -> None:
    premier = {**PREMIER, "business_hours": {"start": "09:00", "end": "20:00"}}
    data = {**MINIMAL, "plans": {"standard": STANDARD, "premier": premier}, "customers": {"default_plan": "premier"}}
    services = build_services(Settings(), parse_behaviour(data, "t", Path(".")), db=sqlite_db, index=knowledge_index)
    rules = services.sla.rules  # what the SLA clock asks its target policy, for a case of each priority
    assert rules.target(Asking("high")).duration == 1 * H
    assert rules.due_at(Asking("low"), jst("2026-11-20T18:30")) == jst("2026-11-24T11:30")  # the premier desk
    minimal = parse_behaviour(MINIMAL, "t", Path("."))
    unchanged = build_services(Settings(), minimal, db=sqlite_db, index=knowledge_index).sla.rules
    for priority in ("high", "medium", "low"):
        configured = minimal.sla.for_priority(priority)
        target = unchanged.target(Asking(priority))
        assert target.duration == configured.target
        assert target.counts_later(jst("2026-11-21T12:00")) == (configured.calendar == "business")  # a Saturday
    assert unchanged.due_at(Asking("medium"), jst("2026-11-20T17:00")) == jst("2026-11-24T15:00")


@dataclass(frozen=True)
class Asking:
    """What the SLA clock asks a target policy about: a case (here only its priority)."""

    priority: str
