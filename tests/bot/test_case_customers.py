"""A case's customer and plan (issue 11): from the channel or the picker, stored at opening, changed by agents."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.access import Standing
from bot.case_commands import Verb, parse_case_command
from bot.case_vocabulary import EventKind, ListScope
from bot.cases import NewCase
from bot.clock import ManualClock
from bot.customers import CustomerData, CustomerDirectory
from bot.database import Database
from bot.errors import UserFacingError
from bot.slack import case_blocks, case_replies
from bot.slack.desk import Desk as SlackDesk
from tests.bot.test_cases import AGENT, CUSTOMER, Desk, build_desk
from tests.harness import make_config

H = timedelta(hours=1)
PLANS = {
    "standard": {
        "label": "Standard",
        "high": {"target": "2h", "calendar": "24x7"},
        "medium": {"target": "6h", "calendar": "business"},
        "low": {"target": "8h", "calendar": "business"},
    },
    "premier": {
        "label": "Premier",
        "high": {"target": "1h", "calendar": "24x7"},
        "medium": {"target": "2h", "calendar": "24x7"},
        "low": {"target": "4h", "calendar": "business"},
        "low_outside_contract": False,
    },
}
CONFIG = make_config(plans=PLANS, customers={"default_plan": "standard"})


@pytest.fixture
def desk(db: Database, clock: ManualClock) -> Desk:
    directory = CustomerDirectory(db, clock)
    directory.upsert(CustomerData("acme", "株式会社アクメ", "premier", ("C0ACME",)))
    directory.upsert(CustomerData("beta", "ベータ商事", None, ("C0BETA",)))
    directory.upsert(CustomerData("old", "旧商事", "premier", ("C0OLD",), contract_end=date(2026, 1, 31)))
    return build_desk(db, clock, config=CONFIG)


def open_in(desk: Desk, channel: str | None, priority: str = "high", by: str = CUSTOMER, **extra: str) -> int:
    new = NewCase(title="ログインできない", priority=priority, origin_channel=channel, **extra)
    return desk.service.open(new, by).case.number


def test_a_case_opened_in_a_customer_channel_runs_on_the_customers_plan(desk: Desk) -> None:
    case = desk.service.get(open_in(desk, "C0ACME"))
    assert (case.customer_id, case.customer, case.plan) == ("acme", "株式会社アクメ", "premier")
    assert case.due_at == case.created_at + H
    internal = desk.service.get(open_in(desk, "C0FAQ"))
    assert (internal.customer_id, internal.plan) == (None, "standard")
    assert internal.due_at == internal.created_at + 2 * H
    no_plan = desk.service.get(open_in(desk, "C0BETA"))
    assert (no_plan.customer_id, no_plan.plan) == ("beta", "standard")


def test_the_customer_an_agent_picked_wins_over_the_channel_and_an_unknown_one_is_refused(desk: Desk) -> None:
    case = desk.service.get(open_in(desk, "C0BETA", by=AGENT, customer_id="acme"))
    assert (case.customer_id, case.plan) == ("acme", "premier")
    assert desk.service.get(open_in(desk, "C0BETA", customer_id="acme")).customer_id == "beta"  # not an agent
    with pytest.raises(UserFacingError) as caught:
        open_in(desk, "C0FAQ", by=AGENT, customer_id="nobody")
    assert caught.value.key == "case.error.customer_unknown"


def test_a_later_plan_change_of_the_customer_does_not_move_existing_cases(desk: Desk, db: Database) -> None:
    number = open_in(desk, "C0ACME")
    CustomerDirectory(db, desk.clock).upsert(CustomerData("acme", "株式会社アクメ", "standard", ("C0ACME",)))
    case = desk.service.get(number)
    assert (case.plan, case.due_at) == ("premier", case.created_at + H)
    assert desk.service.get(open_in(desk, "C0ACME")).plan == "standard"


def test_the_sweep_breaches_a_premier_case_at_its_own_target(desk: Desk) -> None:
    number = open_in(desk, "C0ACME")
    desk.clock.advance(H + timedelta(minutes=1))
    with desk.db.transaction() as session:
        report = desk.service.sla.sweep(session, desk.clock.now(), limit=100)
    assert report.breaches == [number]


def test_a_customer_whose_contract_ended_is_flagged_not_dropped(desk: Desk) -> None:
    case = desk.service.get(open_in(desk, "C0OLD", priority="low"))
    assert case.plan_flags == "contract_ended low_not_covered"
    slack_desk = SlackDesk.from_config(CONFIG)
    _, blocks = case_blocks.card(case, desk.clock.now(), "ja", "Asia/Tokyo", plans=slack_desk.plans)
    text = str(blocks)
    assert "契約期間外" in text and "株式会社アクメ" not in text and "旧商事 (old) · Premier" in text


def test_changing_the_customer_recomputes_the_due_time_from_creation(desk: Desk) -> None:
    number = open_in(desk, "C0FAQ")
    desk.clock.advance(30 * timedelta(minutes=1))
    change = desk.service.change_customer(number, "acme", AGENT)
    assert (change.case.plan, change.case.due_at) == ("premier", change.case.created_at + H)
    assert change.event.kind == EventKind.CUSTOMER_CHANGED
    assert (change.event.old_value, change.event.new_value) == (None, "acme")
    with pytest.raises(UserFacingError) as caught:
        desk.service.change_customer(number, "acme", AGENT)
    assert caught.value.key == "case.error.same_customer"


def test_only_agents_change_the_customer(desk: Desk) -> None:
    number = open_in(desk, "C0FAQ")
    with pytest.raises(UserFacingError) as caught:
        desk.service.change_customer(number, "acme", CUSTOMER)
    assert caught.value.key == "case.error.not_allowed"


def test_show_explains_the_target_and_lists_filter_by_customer(desk: Desk) -> None:
    acme = open_in(desk, "C0ACME")
    open_in(desk, "C0FAQ")
    slack_desk = SlackDesk.from_config(CONFIG)
    details = desk.service.show(acme, AGENT)
    _, blocks = case_blocks.case_details(details, AGENT, desk.clock.now(), "ja", "Asia/Tokyo", slack_desk.plans)
    assert "Premier プラン・優先度 高: 1時間 (24時間365日)" in str(blocks)
    listed = desk.service.list(ListScope.OPEN, AGENT, customer="acme")
    assert [case.number for case in listed] == [acme]


def test_the_picker_searches_the_directory_for_agents_only(desk: Desk) -> None:
    assert [c.id for c in desk.service.find_customers("アクメ", AGENT)] == ["acme"]
    assert [c.id for c in desk.service.find_customers("ACME", AGENT)] == ["acme"]
    assert desk.service.find_customers("アクメ", CUSTOMER) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("customer 42 acme", (Verb.CUSTOMER, 42, "acme", None)),
        ("顧客 #42 acme", (Verb.CUSTOMER, 42, "acme", None)),
        ("customer 42", (Verb.INVALID, None, None, None)),
        ("list customer acme", (Verb.LIST, None, ListScope.OPEN, "acme")),
        ("list customer acme all", (Verb.LIST, None, ListScope.ALL, "acme")),
        ("list customer", (Verb.INVALID, None, None, None)),
    ],
)
def test_the_grammar_of_customers(text: str, expected: tuple[object, ...]) -> None:
    parsed = parse_case_command(text)
    assert (parsed.verb, parsed.number, parsed.word, parsed.text) == expected


def test_a_customer_in_their_channel_sees_their_organisations_cases_and_no_other(desk: Desk) -> None:
    colleague = open_in(desk, "C0ACME", by="U0ACME2")
    mine = open_in(desk, "C0ACME")
    beta = open_in(desk, "C0BETA")
    listed = desk.service.list(ListScope.ALL, CUSTOMER, channel="C0ACME")
    assert [case.number for case in listed] == [mine, colleague]
    assert desk.service.show(colleague, CUSTOMER, "C0ACME").standing is Standing.REPORTER
    with pytest.raises(UserFacingError) as caught:
        desk.service.show(beta, CUSTOMER, "C0ACME")
    assert caught.value.key == "case.error.not_found"
    assert [case.number for case in desk.service.list(ListScope.ALL, CUSTOMER, channel="C0ACME", customer="beta")] == []
    assert len(desk.service.list(ListScope.ALL, AGENT, channel="C0ACME")) == 3  # agents see every case anywhere


def test_a_case_opened_in_its_customers_channel_is_confirmed_in_the_customer_facing_tone(desk: Desk) -> None:
    new = NewCase(title="ログインできない", priority="high", origin_channel="C0ACME")
    change = desk.service.open(new, CUSTOMER)
    assert change.customer_channel
    text = case_replies.opened(change, SlackDesk.from_config(CONFIG))
    assert text.startswith(f"お問い合わせを受け付けました (受付番号 #{change.case.number}、優先度: 高)")
    assert "オンコール" not in text and "緊急のお問い合わせ" in text
    internal = desk.service.open(NewCase(title="x", priority="high", origin_channel="C0FAQ"), CUSTOMER)
    assert not internal.customer_channel


def test_out_of_hours_the_customer_is_told_when_the_first_response_comes_under_their_plan(desk: Desk) -> None:
    desk.clock.set(datetime(2026, 11, 16, 12, 0, tzinfo=UTC))  # Monday 21:00 in Tokyo
    change = desk.service.open(NewCase(title="CSVが文字化けする", priority="low", origin_channel="C0ACME"), CUSTOMER)
    text = case_replies.opened(change, SlackDesk.from_config(CONFIG))
    assert "ただいま営業時間外です。ご契約の応答目標 (Premier プラン・優先度 低: 4時間 (営業時間内:" in text
    assert "初回のご連絡は 11/17(火) 14:00 までにいたします。" in text
