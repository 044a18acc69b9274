"""Issue 11 end to end — customers and their plans: signed HTTP into the real app, against the fake Slack.

A customer on the Premier plan (high: 1 hour around the clock) is imported with its Slack Connect
channel C0ACME; U0EXT is one of its people (another organisation's team_id), U0BETA another customer's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.customer_files import read_csv
from bot.customer_import import import_customers
from bot.customers import CustomerDirectory
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from bot.plans import PlanCatalog
from knowledge.search import KnowledgeIndex
from scheduler.sla_sweep import run_sla_sweep
from tests.bot.test_case_customers import CONFIG
from tests.handlers.test_cases import case, case_command, wait_card
from tests.harness import AppHarness

pytestmark = pytest.mark.e2e

AGENT, EXTERNAL, BETA_PERSON = "U0AGENT", "U0EXT", "U0BETA"
H = timedelta(hours=1)
CUSTOMERS_CSV = """id,name,plan,channels,contract_end,notes
acme,株式会社アクメ,premier,C0ACME,2027-03-31,
beta,ベータ商事,,C0BETA,,
"""


@pytest.fixture
def app(
    db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> Iterator[AppHarness]:
    fake_slack.users.update({EXTERNAL: {"team_id": "T0ACME"}, BETA_PERSON: {"team_id": "T0BETA"}})
    fake_slack.usergroups["S0AGENTS"] = ["U0AGENT2", EXTERNAL]  # a user group cannot make a customer an agent
    report = import_customers(
        CustomerDirectory(db, clock), read_csv(CUSTOMERS_CSV), PlanCatalog.from_config(CONFIG).ids
    )
    assert report.applied and not report.rejected
    harness = AppHarness(fake=fake_slack, db=db, clock=clock, index=knowledge_index, config=CONFIG)
    yield harness
    harness.stop()


def sweep_after(app: AppHarness, clock: ManualClock, delta: timedelta) -> Any:
    clock.advance(delta)
    services = app.services
    return run_sla_sweep(services.sla, services.db, services.outbox, services.clock)


def test_a_high_case_in_a_premier_customers_channel_is_due_and_breaches_in_one_hour(
    app: AppHarness, clock: ManualClock
) -> None:
    answer = case_command(app, "高 管理画面にログインできない", user=EXTERNAL, channel="C0ACME")
    assert answer["text"].startswith("お問い合わせを受け付けました (受付番号 #1、優先度: 高)")
    assert "オンコール" not in answer["text"]  # the team's inner workings are not the customer's business
    opened = case(app, 1)
    assert (opened.customer_id, opened.plan, opened.due_at) == ("acme", "premier", opened.created_at + H)
    card = wait_card(app, 1)
    assert "株式会社アクメ (acme) · Premier" in str(card.args["blocks"])
    assert sweep_after(app, clock, 59 * timedelta(minutes=1)).breaches == []
    assert sweep_after(app, clock, 2 * timedelta(minutes=1)).breaches == [1]


def test_the_same_case_in_an_internal_channel_without_a_customer_is_due_in_two_hours(app: AppHarness) -> None:
    case_command(app, "高 管理画面にログインできない", user=AGENT, channel="C0FAQ")
    opened = case(app, 1)
    assert (opened.customer_id, opened.plan, opened.due_at) == (None, "standard", opened.created_at + 2 * H)


def test_changing_the_customer_recomputes_the_due_time(app: AppHarness) -> None:
    case_command(app, "高 管理画面にログインできない", user=AGENT, channel="C0FAQ")
    answer = case_command(app, "customer 1 acme", user=AGENT, channel="C0FAQ")
    assert (
        "ケース #1 の顧客を 株式会社アクメ にしました (Premier プラン・優先度 高: 1時間 (24時間365日))"
        in answer["text"]
    )
    changed = case(app, 1)
    assert (changed.customer_id, changed.plan, changed.due_at) == ("acme", "premier", changed.created_at + H)
    refused = case_command(app, "customer 1 beta", user=EXTERNAL, channel="C0ACME")
    assert "サポート担当者" in refused["text"] and case(app, 1).customer_id == "acme"
    shown = case_command(app, "show 1", user=AGENT)
    assert "Premier プラン・優先度 高: 1時間 (24時間365日)" in str(shown["blocks"])
    listed = case_command(app, "list customer acme", user=AGENT)
    assert "#1" in str(listed["blocks"]) and "顧客 acme のケース" in listed["text"]


def test_a_customer_sees_their_organisations_cases_and_never_another_customers(app: AppHarness) -> None:
    case_command(app, "中 CSVが文字化けする", user=EXTERNAL, channel="C0ACME")
    case_command(app, "中 請求書の宛名を直したい", user=BETA_PERSON, channel="C0BETA")
    case_command(app, "中 社内の問い合わせ", user=AGENT, channel="C0FAQ")
    mine = str(case_command(app, "list all", user=EXTERNAL, channel="C0ACME")["blocks"])
    assert "#1" in mine and "#2" not in mine and "#3" not in mine
    assert case_command(app, "show 2", user=EXTERNAL, channel="C0ACME")["text"] == "ケース #2 は見つかりませんでした。"
    assert case_command(app, "show 3", user=EXTERNAL, channel="C0ACME")["text"] == "ケース #3 は見つかりませんでした。"
    assert "CSVが文字化けする" in str(case_command(app, "show 1", user=EXTERNAL, channel="C0ACME")["blocks"])
    assert not app.services.agents.is_agent(EXTERNAL)  # another organisation's: never an agent


def bot_replies(app: AppHarness, channel: str) -> list[dict[str, Any]]:
    return [m for m in app.fake.messages(channel) if m.get("user") == app.fake.bot_user_id or m.get("bot_id")]


def test_in_a_customers_channel_only_entries_for_customers_are_answered(app: AppHarness) -> None:
    app.message("SSOはどのIdPに対応していますか？", user=EXTERNAL, channel="C0ACME")  # an internal entry
    app.message("サポートへの問い合わせ方法は？", user=EXTERNAL, channel="C0ACME")  # for customers
    app.settle()
    app.fake.wait_for(lambda: any("問い合わせ方法" in str(m.get("blocks")) for m in bot_replies(app, "C0ACME")))
    said = str([m.get("blocks") for m in bot_replies(app, "C0ACME")])
    assert "SAML" not in said  # the internal entry's answer never appears
    assert "Slackの共有チャンネルで質問する" in said
    assert "SRE On-Call" not in said and "エスカレーション" not in said  # the escalation note is the team's
    assert ".md" not in said  # no source file and line
    app.message("SSOはどのIdPに対応していますか？", user=AGENT, channel="C0FAQ")
    app.fake.wait_for(lambda: any("SAML" in str(m.get("blocks")) for m in bot_replies(app, "C0FAQ")))


def test_a_bad_import_is_rejected_with_line_numbers_and_changes_nothing(app: AppHarness, db: Database) -> None:
    bad = (
        "id,name,plan,channels,contract_end,notes\nacme,株式会社アクメ,standard,C0ACME,,\nzeta,ゼータ,gold,#general,,\n"
    )
    directory = CustomerDirectory(db, app.services.clock)
    report = import_customers(directory, read_csv(bad), PlanCatalog.from_config(CONFIG).ids)
    assert not report.applied
    ((location, reasons),) = [(r.location, r.reasons) for r in report.rejected]
    assert location == "line 3" and any("gold" in reason for reason in reasons)
    assert directory.get("acme").plan == "premier" and directory.get("zeta") is None  # type: ignore[union-attr]
    case_command(app, "高 管理画面にログインできない", user=EXTERNAL, channel="C0ACME")
    assert case(app, 1).plan == "premier"
