"""Issue 12 in Slack, end to end: `/case stats` and App Home over signed HTTP, against the fake Slack."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from bot.cases import NewCase
from bot.clock import ManualClock
from bot.devtools.signing import event_body
from bot.slack import case_blocks
from bot.slack.home_blocks import ACTION_PAGE
from tests.handlers.test_cases import case_command, opened_view, posted, press, submit, wait_card
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


# --- App Home ---------------------------------------------------------------------------------------------


def open_home(app: AppHarness, user: str) -> dict[str, Any]:
    """`app_home_opened` on the Home tab; returns the view the bot published for `user`."""
    before = publishes(app, user)
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1.0"}
    assert app.post_signed(event_body(event)).status == 200
    return published(app, user, before)


def publishes(app: AppHarness, user: str) -> int:
    app.settle()  # a refresh after the person's last action has gone out
    return len([c for c in app.fake.calls("views.publish") if c.args["user_id"] == user])


def published(app: AppHarness, user: str, before: int) -> dict[str, Any]:
    """The view published for `user` after the first `before` of theirs."""
    calls = app.fake.wait_for_calls("views.publish", count=before + 1, where=lambda c: c.args["user_id"] == user)
    view = calls[-1].args["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    return view


def click_in_home(app: AppHarness, view: dict[str, Any], action_prefix: str, *, user: str, nth: int = 0) -> None:
    """A click on a button of the Home tab: no response_url, the view instead of a message."""
    buttons = [
        (element, block.get("block_id", ""))
        for block in view["blocks"]
        for element in [*(block.get("elements") or []), *([block["accessory"]] if block.get("accessory") else [])]
        if element.get("type") == "button" and str(element.get("action_id", "")).startswith(action_prefix)
    ]
    element, block_id = buttons[nth]
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "trigger_id": f"trigger.{uuid.uuid4().hex[:10]}",
        "container": {"type": "view", "view_id": f"VHOME{user}"},
        "view": {"id": f"VHOME{user}", "type": "home", "blocks": view["blocks"], "hash": "1.fakehash"},
        "actions": [{**element, "block_id": block_id, "action_ts": "1.0"}],
    }
    assert app.action(payload).status == 200


def test_opening_app_home_publishes_the_agents_cases_the_queue_and_the_figures(
    app: AppHarness, clock: ManualClock
) -> None:
    case_command(app, "中 請求書の宛名を変えたい", user=CUSTOMER)
    case_command(app, "高 全ユーザーがログインできない", user=CUSTOMER)
    case_command(app, "低 CSV の列順", user=CUSTOMER)
    wait_card(app, 3)
    case_command(app, "ack 1", user=AGENT)

    view = open_home(app, AGENT)
    shown = blocks_text(view)
    assert "自分の担当 (1件)" in shown and "請求書の宛名を変えたい" in shown
    assert "未割り当て (2件、期限順)" in shown
    assert shown.index("全ユーザーがログインできない") < shown.index("CSV の列順")  # by due time
    assert "当番* 今: <@U0ONCALL1>" in shown and "次: <@U0ONCALL2>" in shown
    assert "今週の目標達成率" in shown and "今日の超過* 0件" in shown

    before = publishes(app, AGENT)
    click_in_home(app, view, case_blocks.ACTION_TAKE, user=AGENT)  # 「担当する」 on #2, the first in the queue
    again = published(app, AGENT, before)
    assert app.services.cases.get(2).assignee_id == AGENT
    # The answer is a DM through the outbox (never lost, never twice); the home shows the new state.
    (told,) = app.fake.wait_for_calls("chat.postMessage", where=lambda c: c.args.get("channel") == AGENT)
    assert told.args["text"] == "ケース #2 はあなたの担当になりました。"  # what a card would say
    assert "自分の担当 (2件)" in blocks_text(again) and "未割り当て (1件、期限順)" in blocks_text(again)


def test_a_click_in_app_home_that_fails_is_answered_in_app_home(app: AppHarness) -> None:
    case_command(app, "中 請求書の宛名を変えたい", user=CUSTOMER)
    wait_card(app, 1)
    view = open_home(app, AGENT)
    case_command(app, "resolve 1 電話で解決", user=AGENT)  # meanwhile, elsewhere
    before = publishes(app, AGENT)
    click_in_home(app, view, case_blocks.ACTION_TAKE, user=AGENT)  # the stale 「担当する」
    again = published(app, AGENT, before)
    assert again["blocks"][2]["text"]["text"] == "ケース #1 は解決済みです。"
    assert app.services.cases.get(1).assignee_id is None


def test_a_case_changed_by_command_refreshes_the_persons_home(app: AppHarness) -> None:
    case_command(app, "中 請求書の宛名を変えたい", user=CUSTOMER)
    wait_card(app, 1)
    before = publishes(app, AGENT)
    case_command(app, "ack 1", user=AGENT)
    assert "自分の担当 (1件)" in blocks_text(published(app, AGENT, before))
    case_command(app, "list", user=AGENT)  # reading changes nothing: no refresh
    assert publishes(app, AGENT) == before + 1


def test_the_escalate_and_resolve_forms_refresh_the_persons_home(app: AppHarness) -> None:
    case_command(app, "中 請求書の宛名を変えたい", user=CUSTOMER)
    card = posted(wait_card(app, 1))
    case_command(app, "assign 1 <@U0AGENT>", user=AGENT)
    before = publishes(app, AGENT)
    press(app, card, case_blocks.ACTION_ESCALATE, user=AGENT)
    assert publishes(app, AGENT) == before  # opening the form changes nothing
    submit(app, opened_view(app, 1), user=AGENT, level="L2", note="経理に確認")
    assert "自分の担当 (1件)" in blocks_text(published(app, AGENT, before))
    press(app, card, case_blocks.ACTION_RESOLVE, user=AGENT)
    view = opened_view(app, 2)
    submit(app, view, user=AGENT, note="宛名を変更しました")
    assert "自分の担当 (0件)" in blocks_text(published(app, AGENT, before + 1))
    assert app.services.cases.get(1).status == "resolved"
    refused = submit(app, view, user=AGENT, note="二重送信")  # shown in the form; nothing changed, no refresh
    assert refused.json()["response_action"] == "errors"
    assert publishes(app, AGENT) == before + 2


def test_app_home_of_someone_else_shows_their_own_open_cases_and_how_to_ask(app: AppHarness) -> None:
    case_command(app, "低 CSV の列順", user=CUSTOMER)
    case_command(app, "低 別の人のケース", user="U0OTHER")
    shown = blocks_text(open_home(app, CUSTOMER))
    assert "あなたのケース (1件)" in shown and "CSV の列順" in shown and "別の人のケース" not in shown
    assert "困ったときは" in shown and "未割り当て" not in shown


def test_app_home_pages_through_many_cases_within_100_blocks(app: AppHarness) -> None:
    for n in range(25):
        app.services.cases.open(NewCase(title=f"ケース{n:02d}", priority="低"), reporter=CUSTOMER)
        app.services.cases.assign(n + 1, AGENT, AGENT)
    for n in range(12):
        app.services.cases.open(NewCase(title=f"未割り当て{n:02d}", priority="中"), reporter=CUSTOMER)
    view = open_home(app, AGENT)
    shown = blocks_text(view)
    assert "自分の担当 (25件)" in shown and "1〜10件目 / 25件" in shown and "ケース09" in shown
    assert "ケース10" not in shown and "未割り当て (12件、期限順)" in shown
    before = publishes(app, AGENT)
    click_in_home(app, view, ACTION_PAGE, user=AGENT)
    second = blocks_text(published(app, AGENT, before))
    assert "11〜20件目 / 25件" in second and "ケース10" in second and "ケース09" not in second
    assert "前へ" in second and "次の5件" in second
