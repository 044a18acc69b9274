"""[plans.<id>] and [customers] in supportbot.toml: what is accepted, and how mistakes are explained."""

from __future__ import annotations

import re
import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import EXAMPLE_CONFIG_PATH, BehaviourConfig, parse_behaviour
from bot.plans import PlanCatalog
from bot.settings import ConfigError

MINIMAL: dict[str, Any] = {"channels": {"cases": "C0CASES", "emergency": "C0EMERG"}}
STANDARD = {
    "label": "Standard",
    "high": {"target": "2h", "calendar": "24x7"},
    "medium": {"target": "6h", "calendar": "business"},
    "low": {"target": "8h", "calendar": "business"},
}
PREMIER = {
    "label": "Premier",
    "high": {"target": "1h", "calendar": "24x7"},
    "medium": {"target": "2h", "calendar": "24x7"},
    "low": {"target": "4h", "calendar": "business"},
}


def parse(**sections: Any) -> BehaviourConfig:
    return parse_behaviour({**MINIMAL, **sections}, "supportbot.toml", Path("."))


def problems(**sections: Any) -> str:
    with pytest.raises(ConfigError) as error:
        parse(**sections)
    return str(error.value)


def test_the_issues_plans_are_accepted() -> None:
    config = parse(plans={"standard": STANDARD, "premier": PREMIER}, customers={"default_plan": "standard"})
    assert config.plans["premier"].high.target == timedelta(hours=1)
    assert config.plans["premier"].low.calendar == "business"
    assert config.plans["standard"].low_outside_contract is True
    assert config.customers.default_plan == "standard"


def test_without_plans_the_sla_targets_are_the_implicit_standard_plan() -> None:
    config = parse(sla={"high": {"target": "90m", "calendar": "24x7"}}, customers={"default_plan": "standard"})
    catalog = PlanCatalog.from_config(config)
    assert catalog.ids == ("standard",)
    assert catalog.target(None, "high").duration == timedelta(minutes=90)
    assert catalog.target(None, "medium").duration == timedelta(hours=6)


def test_plans_and_sla_targets_together_are_rejected_naming_both_and_the_fix() -> None:
    message = problems(
        plans={"standard": STANDARD},
        customers={"default_plan": "standard"},
        sla={
            "warn_at": 0.5,
            "high": {"target": "2h", "calendar": "24x7"},
            "low": {"target": "8h", "calendar": "business"},
        },
    )
    assert "1 problem(s)" in message
    assert "[sla.high], [sla.low] and [plans] both set first-response targets" in message
    assert "move these targets into a plan" in message and "delete [sla.high], [sla.low]" in message


def test_sla_sweep_settings_may_stay_next_to_plans() -> None:
    config = parse(
        plans={"standard": STANDARD}, customers={"default_plan": "standard"}, sla={"warn_at": 0.5, "renotify": "10m"}
    )
    assert config.sla.warn_at == 0.5


def test_default_plan_is_required_with_plans_and_must_exist() -> None:
    assert (
        '[customers] default_plan: missing; with [plans], name the plan for cases without a customer, e.g. default_plan = "standard" (plans: standard, premier)'
        in problems(plans={"standard": STANDARD, "premier": PREMIER})
    )
    assert "[customers] default_plan: 'gold' is not one of the plans (standard, premier); use one of them" in problems(
        plans={"standard": STANDARD, "premier": PREMIER}, customers={"default_plan": "gold"}
    )


def test_default_plan_without_plans_can_only_be_standard() -> None:
    message = problems(customers={"default_plan": "premier"})
    assert "[customers] default_plan: 'premier' is not a plan" in message
    assert 'the only plan is "standard"' in message and "add [plans.premier] or delete default_plan" in message


def test_plan_keys_and_values_are_named_with_their_plan() -> None:
    message = problems(
        plans={"premier": {**PREMIER, "hgh": {}, "medium": {"target": "2 hours", "calendar": "24x7"}, "low": None}},
        customers={"default_plan": "premier"},
    )
    assert (
        "[plans.premier] hgh: unknown key; known keys here: label, high, medium, low, business_hours, low_outside_contract"
        in message
    )
    assert "[plans.premier.medium] target: expected a duration" in message
    assert "[plans.premier] low:" in message


def test_a_missing_priority_says_what_to_add() -> None:
    plan = {key: value for key, value in PREMIER.items() if key != "low"}
    message = problems(plans={"premier": plan}, customers={"default_plan": "premier"})
    assert (
        '[plans.premier] low: missing; add it (target for low priority, e.g. { target = "2h", calendar = "24x7" })'
        in message
    )


def test_plan_ids_must_be_usable_keys() -> None:
    message = problems(plans={"Gold Plan": STANDARD}, customers={"default_plan": "Gold Plan"})
    assert "[plans.Gold Plan]: 'Gold Plan' is not a usable plan id" in message
    assert "put the display name in label" in message


def test_business_hours_override_is_partial_and_checked_against_the_inherited_hours() -> None:
    config = parse(
        plans={"premier": {**PREMIER, "business_hours": {"start": "09:00", "end": "20:00"}}},
        customers={"default_plan": "premier"},
        business_hours={"days": ["mon", "tue", "wed", "thu", "fri", "sat"]},
    )
    plan = PlanCatalog.from_config(config).default
    assert (plan.hours.start, plan.hours.end) == (time(9, 0), time(20, 0))
    assert plan.hours.days == ["mon", "tue", "wed", "thu", "fri", "sat"]

    message = problems(
        plans={"premier": {**PREMIER, "business_hours": {"end": "09:30", "opens": "9:00", "days": ["mon", "xx"]}}},
        customers={"default_plan": "premier"},
    )
    assert "[plans.premier.business_hours] end: must be later than start (10:00)" in message
    assert "[plans.premier.business_hours] opens: unknown key; known keys here: timezone, days, start, end" in message
    assert "[plans.premier.business_hours] days[1]: expected one of mon" in message


def test_a_plans_problems_are_all_reported_at_once() -> None:
    message = problems(
        plans={"Gold": STANDARD, "premier": {**PREMIER, "business_hours": {"timezone": "Tokyo"}}},
        sla={"medium": {"target": "6h", "calendar": "business"}},
    )
    assert "4 problem(s)" in message
    for key in ("[plans.Gold]", "[plans.premier.business_hours] timezone", "[sla.medium]", "[customers] default_plan"):
        assert key in message


TOML_LINE = re.compile(r"^(\[plans\.|[a-z_]+\s*=)")


def example_plans() -> dict[str, Any]:
    """The commented [plans] examples of supportbot.example.toml, uncommented."""
    text = EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8")
    block = text[text.index("# --- Example: two plans") : text.index("\n[customers]")]
    lines = [line[2:] for line in block.splitlines() if line.startswith("# ") and TOML_LINE.match(line[2:])]
    return tomllib.loads("\n".join(lines))["plans"]


def test_the_example_files_plan_examples_are_valid_and_say_what_the_seeds_say() -> None:
    example = tomllib.loads(EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8"))
    sla = {key: value for key, value in example["sla"].items() if key not in ("high", "medium", "low")}
    plans = example_plans()
    config = parse_behaviour(
        {**example, "sla": sla, "plans": plans, "customers": {"default_plan": "standard"}}, "example", Path(".")
    )
    catalog = PlanCatalog.from_config(config)
    assert set(catalog.ids) >= {"standard", "premier", "hennge", "m365-enterprise", "m365-advanced", "cs-basic"}
    for plan_id in ("m365-business", "m365-enterprise", "m365-advanced"):  # severity A: 1 hour, 24/7, every plan
        assert catalog.target(plan_id, "high").explain("ja").endswith("優先度 高: 1時間 (24時間365日)")
    assert catalog.target("m365-advanced", "medium").duration == timedelta(hours=2)
    assert catalog.target("m365-advanced", "low").duration == timedelta(hours=4)
    assert [catalog.target("hennge", p).duration for p in ("high", "medium", "low")] == [
        timedelta(hours=h) for h in (2, 6, 8)
    ]
    assert catalog.get("cs-basic") is not None and not catalog.get("cs-basic").low_outside_contract  # type: ignore[union-attr]
    assert catalog.get("premier").hours.end == time(20, 0)  # type: ignore[union-attr]


def test_the_example_file_itself_runs_on_the_implicit_plan() -> None:
    config = parse_behaviour(tomllib.loads(EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8")), "example", Path("."))
    assert config.plans == {} and config.customers.default_plan is None
    assert PlanCatalog.from_config(config).default.id == "standard"
