"""What reports take from the configuration: calendars per priority, business-day length, rewinding."""

from __future__ import annotations

from datetime import timedelta

from bot.business_calendar import TwentyFourSeven
from bot.plans import PlanCatalog
from bot.reports.rules import ReportRules, calendar_kind, rewind
from tests.bot.reports.conftest import PLANS, jst
from tests.harness import make_config


def test_rules_follow_the_sla_configuration(rules: ReportRules) -> None:
    assert rules.timezone == "Asia/Tokyo"
    assert rules.business_day == timedelta(hours=8)
    assert rules.attainment_goal == 0.95
    assert rules.sla.target("high") == timedelta(hours=2) and calendar_kind(rules.sla.calendar("high")) == "24x7"
    assert (
        rules.sla.target("medium") == timedelta(hours=6) and calendar_kind(rules.sla.calendar("medium")) == "business"
    )


def test_a_desk_open_until_midnight_has_a_fourteen_hour_day() -> None:
    config = make_config(business_hours={"start": "10:00", "end": "24:00"}, reports={"attainment_goal": 0.9})
    rules = ReportRules.from_config(config)
    assert rules.business_day == timedelta(hours=14)
    assert rules.attainment_goal == 0.9


def test_rewind_skips_nights_weekends_and_holidays(rules: ReportRules) -> None:
    day = rules.business_day
    # Tuesday 11/24 12:00, the day after 勤労感謝の日 (Monday 11/23): one business day back is Friday 12:00.
    assert rewind(rules.business, jst(11, 24, 12), day) == jst(11, 20, 12)
    # Three business days back from Wednesday 11/4 11:00, over 文化の日 (Tuesday 11/3): Thursday 10/29 11:00.
    assert rewind(rules.business, jst(11, 4, 11), day * 3) == jst(10, 29, 11)
    # From an opening, one business day back is the previous opening.
    assert rewind(rules.business, jst(11, 17, 10), day) == jst(11, 16, 10)
    assert rewind(TwentyFourSeven(), jst(11, 17, 10), timedelta(hours=5)) == jst(11, 17, 5)
    assert rewind(rules.business, jst(11, 17, 10), timedelta(0)) == jst(11, 17, 10)


def test_the_running_bots_plan_catalog_can_be_shared() -> None:
    config = make_config()
    plans = PlanCatalog.from_config(config)
    rules = ReportRules.from_config(config, plans)
    assert rules.sla.calendar("medium") is plans.target(None, "medium").calendar
    assert rules.sla.target("high") == plans.target(None, "high").duration


def test_each_plan_has_its_own_targets_and_calendars() -> None:
    rules = ReportRules.from_config(make_config(plans=PLANS, customers={"default_plan": "standard"}))
    assert rules.sla.target("medium", "premier") == timedelta(hours=2)
    assert calendar_kind(rules.sla.calendar("medium", "premier")) == "24x7"
    assert rules.sla.target("medium") == timedelta(hours=6) == rules.sla.target("medium", "standard")
    assert calendar_kind(rules.sla.calendar("medium", None)) == "business"
    # A plan no longer configured: the default plan, as the SLA clock counts it.
    assert rules.sla.target("medium", "gold") == timedelta(hours=6)
    assert rules.default_plan == "standard"  # several plans: the headings name whose targets they show
    assert ReportRules.from_config(make_config()).default_plan is None  # one plan: nothing to say
