"""Issue 12 in Slack, end to end: `/case stats` and App Home over signed HTTP, against the fake Slack."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from tests.handlers.test_cases import case_command, wait_card
from tests.harness import AppHarness, blocks_text

pytestmark = pytest.mark.e2e

AGENT, GROUP_AGENT, CUSTOMER = "U0AGENT", "U0AGENT2", "U0CUSTOMER"


def test_case_stats_answers_agents_ephemerally_with_the_reports_figures(app: AppHarness, clock: ManualClock) -> None:
    case_command(app, "高 全ユーザーがログインできない", user=CUSTOMER)
    case_command(app, "低 CSV の列順を変えたい", user=CUSTOMER)
    wait_card(app, 2)
    clock.advance(timedelta(minutes=30))
    case_command(app, "ack 1", user=AGENT)
    clock.advance(timedelta(minutes=1))  # figures are taken up to now, the ack's instant excluded

    answer = case_command(app, "stats", user=AGENT)
    assert answer["response_type"] == "ephemeral"
    blocks = answer["blocks"]
    assert blocks[0]["type"] == "header" and "サポートレポート" in blocks[0]["text"]["text"]
    assert len(blocks) <= 50
    shown = blocks_text(answer)
    assert "起票 2件 (高 1 / 中 0 / 低 1)" in shown
    assert "高 (目標 2時間・24時間): 達成率 100% (達成 1 / 超過 0 / 対応待ち 0)" in shown
    # the same figures as the CLI's text: nothing is computed in the handler
    report = app.services.reports.figures(app.services.reports.period("7d"))
    assert f"未解決 {report.cases.open_at_end}件" in shown

    month = case_command(app, "stats 2026-11", user=GROUP_AGENT)  # an agent through the user group
    assert "サポートレポート 2026-11-01 〜 2026-11-30" in blocks_text(month)


def test_case_stats_refuses_others_and_bad_periods_politely(app: AppHarness) -> None:
    refused = case_command(app, "stats", user=CUSTOMER)
    assert refused["response_type"] == "ephemeral" and "サポート担当者向け" in refused["text"]
    assert "blocks" not in refused or not refused["blocks"]
    bad = case_command(app, "統計 <!channel> 先週", user=AGENT)
    assert bad["response_type"] == "ephemeral" and "期間「&lt;!channel&gt; 先週」は使えません" in bad["text"]
