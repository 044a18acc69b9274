"""Cases end to end: signed `/case` commands, clicks, modals and thread replies into the real app."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.clock import ManualClock
from bot.database import Database
from bot.devtools.fake_slack import Call, FakeSlack
from bot.devtools.signing import slash_command_body
from bot.models import Case, CaseEvent
from bot.slack import case_blocks, case_forms
from knowledge.search import KnowledgeIndex
from tests.harness import AppHarness, HttpResponse, blocks_text, find_button, make_config

AGENT, GROUP_AGENT, CUSTOMER, OTHER = "U0AGENT", "U0AGENT2", "U0CUSTOMER", "U0OTHER"
NOTIFYING = re.compile(r"<(?:!channel|!here|!everyone|@U0AGENT2|!subteam\^S0SRE)")


# --- helpers ------------------------------------------------------------------------------------------------


def cards(app: AppHarness) -> list[Call]:
    """Case cards posted to the cases channel (not thread lines)."""
    return [
        c for c in app.fake.calls("chat.postMessage") if c.args["channel"] == "C0CASES" and not c.args.get("thread_ts")
    ]


def wait_card(app: AppHarness, number: int) -> Call:
    calls = app.fake.wait_for_calls(
        "chat.postMessage",
        where=lambda c: (
            c.args["channel"] == "C0CASES" and f"#{number} " in c.args["text"] and not c.args.get("thread_ts")
        ),
    )
    return calls[0]


def thread_lines(app: AppHarness, count: int) -> list[str]:
    """The lines posted in case threads (in the cases channel) so far; exactly `count` of them."""
    calls = app.fake.wait_for_calls(
        "chat.postMessage", count, where=lambda c: bool(c.args.get("thread_ts")) and c.args["channel"] == "C0CASES"
    )
    assert len(calls) == count, [c.args["text"] for c in calls]
    return [c.args["text"] for c in calls]


def updates(app: AppHarness, count: int) -> list[Call]:
    """The card updates so far (not the pages' edits); exactly `count` of them."""
    calls = app.fake.wait_for_calls("chat.update", count, where=lambda c: c.args["channel"] == "C0CASES")
    assert len(calls) == count
    return calls


def send(app: AppHarness, text: str, *, user: str, channel: str = "C0FAQ") -> str:
    """Run `/case text`; returns the command's response_url, to find what the app says back."""
    url = app.fake.new_response_url()
    body = slash_command_body(
        "/case", text, user_id=user, channel_id=channel, response_url=url, trigger_id=f"trigger.{uuid.uuid4().hex[:10]}"
    )
    assert app.post_signed(body).status == 200
    return url


def reply(app: AppHarness, url: str) -> dict[str, Any]:
    """What the app posted to `url` (one response_url)."""
    (call,) = app.fake.wait_for_calls("response_url", where=lambda c: c.args["_url"] == url)
    return call.args


def case_command(app: AppHarness, text: str, *, user: str, channel: str = "C0FAQ") -> dict[str, Any]:
    """Run `/case text` and wait for the app's answer through response_url."""
    return reply(app, send(app, text, user=user, channel=channel))


def case(app: AppHarness, number: int) -> Case:
    return app.services.cases.get(number)


def events(db: Database) -> list[tuple[int, str, str]]:
    with db.transaction() as session:
        rows = session.exec(select(CaseEvent).order_by(CaseEvent.id)).all()
        return [(e.case_id, e.kind, e.actor_id) for e in rows]


def state(**values: str | None) -> dict[str, Any]:
    """A view's submitted state: plain text for most blocks, selected options for choices."""
    out: dict[str, Any] = {}
    for block, value in values.items():
        if block in ("priority", "category", "level"):
            selected = {"value": value} if value else None
            out[block] = {"value": {"type": "radio_buttons", "selected_option": selected}}
        else:
            out[block] = {"value": {"type": "plain_text_input", "value": value}}
    return {"values": out}


def submit(app: AppHarness, view: dict[str, Any], *, user: str, **values: str | None) -> HttpResponse:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "trigger_id": f"trigger.{uuid.uuid4().hex[:10]}",
        "view": {**view, "id": view.get("id", "V0VIEW"), "state": state(**values)},
    }
    return app.action(payload)


def opened_view(app: AppHarness, count: int = 1) -> dict[str, Any]:
    return app.fake.wait_for_calls("views.open", count)[-1].args["view"]


def press(app: AppHarness, message: dict[str, Any], action: str, *, user: str, channel: str = "C0CASES") -> str:
    """Click the button `action` on `message`; returns the click's response_url."""
    button, block_id = find_button(message, action)
    url = app.fake.new_response_url()
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "trigger_id": f"trigger.{uuid.uuid4().hex[:10]}",
        "response_url": url,
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "channel": {"id": channel, "name": channel.lower()},
        "message": message,
        "actions": [{"type": "button", "action_id": action, "block_id": block_id, "value": button["value"]}],
    }
    assert app.action(payload).status == 200
    return url


def posted(call: Call) -> dict[str, Any]:
    """A posted or updated message as Slack would show it in a click payload."""
    return {**call.args, "ts": call.response["ts"] if call.response else call.args["ts"]}


def everything_sent(app: AppHarness) -> str:
    return json.dumps([c.args for c in app.fake.calls()], ensure_ascii=False)


# --- opening by text ----------------------------------------------------------------------------------------


def test_a_high_case_by_text_is_posted_paged_and_confirmed(app: AppHarness) -> None:
    answer = case_command(app, "高 全ユーザーがログインできない", user=CUSTOMER)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == (
        "ケース #1 を起票しました (優先度: 🔴 高)。初期対応の目標: 11/16(月) 12:30 まで。\n"
        "優先度「高」のため、緊急チャンネルとオンコール担当者に通知しました。"
    )
    card = wait_card(app, 1)
    shown = blocks_text(card.args)
    for part in (
        "#1 全ユーザーがログインできない",
        "🔴 高",
        "<@U0CUSTOMER>",
        "未対応",
        "初期対応期限",
        "11/16(月) 12:30",
    ):
        assert part in shown
    assert [b["text"]["text"] for b in card.args["blocks"][-1]["elements"]] == ["対応開始", "エスカレーション", "解決"]
    (page,) = app.fake.wait_for_calls("chat.postMessage", where=lambda c: c.args["channel"] == "C0EMERG")
    primary = app.services.oncall.at().primary
    assert primary and f"<@{primary}>" in page.args["text"] and "#1" in page.args["text"]
    link = f"https://fake.slack.com/archives/C0CASES/p{card.response['ts'].replace('.', '')}"
    assert link in blocks_text(page.args)  # the page links to the card
    assert case(app, 1).message_ts == card.response["ts"]


def test_priority_words_by_text(app: AppHarness) -> None:
    words = [("medium", "medium"), ("Ｃ：", "low"), ("sev-B", "medium"), ("重大度C", "low"), ("LOW", "low")]
    for n, (word, priority) in enumerate(words, 1):
        answer = case_command(app, f"{word} 請求書の宛名を変更したい", user=CUSTOMER)
        assert answer["text"].startswith(f"ケース #{n} を起票しました")
        assert case(app, n).priority == priority and case(app, n).title == "請求書の宛名を変更したい"
    assert len(cards(app)) == 5
    assert app.fake.calls("chat.postMessage") == cards(app)  # no page for medium and low


def test_outside_business_hours_the_target_is_the_next_business_day(app: AppHarness, clock: ManualClock) -> None:
    clock.advance(timedelta(hours=9, minutes=30))  # Monday 20:00 JST
    answer = case_command(app, "中 設定変更の依頼", user=CUSTOMER)
    assert answer["text"] == (
        "ケース #1 を起票しました (優先度: 🟠 中)。初期対応の目標: 11/17(火) 16:00 まで。\n"
        "営業時間外のため、初期対応の目標時間は翌営業日の営業開始から数えます。"
    )


def test_help_and_malformed_commands_get_the_usage_text(app: AppHarness) -> None:
    answers = {
        "list later": "*`/case` の使い方*",
        "help": "• `/case reopen 42 [理由]` — 再オープン (解決から14日以内)",
        "show abc": "ケース番号を指定してください (例: `42` または `#42`)。",
    }
    for text, answer in answers.items():
        response = app.command("/case", text, user=CUSTOMER)
        assert response.status == 200 and answer in response.json()["text"]
    assert [c.method for c in app.fake.calls() if c.method != "auth.test"] == []


def test_answers_follow_the_configured_language(
    db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    english = AppHarness(fake=fake_slack, db=db, clock=clock, config=make_config(language="en"), index=knowledge_index)
    try:
        assert "*How to use `/case`*" in english.command("/case", "help", user=CUSTOMER).json()["text"]
        answer = case_command(english, "high Nobody can log in", user=CUSTOMER)
        assert answer["text"].startswith(
            "Opened case #1 (priority 🔴 High). First response expected by Mon 11/16 12:30."
        )
        assert case_command(english, "ack 1", user=CUSTOMER)["text"] == (
            "Sorry, only support agents and the people paged or escalated to for case #1 can do that."
        )
    finally:
        english.stop()


def test_bad_input_gets_a_clear_error_and_changes_nothing(app: AppHarness, db: Database) -> None:
    refused_in_the_ack = {  # a case to open is checked before it is recorded (bot/intake.py), and refused at once
        "高": "件名を入力してください。",
        "高 " + "あ" * 201: "件名は200文字以内にしてください (現在201文字)。詳細は本文に書いてください。",
    }
    for text, error in refused_in_the_ack.items():
        answer = app.command("/case", text, user=CUSTOMER)
        assert answer.status == 200 and answer.json()["text"] == error
    errors = {
        ("show 99", AGENT): "ケース #99 は見つかりませんでした。",
        ("ack #99", AGENT): "ケース #99 は見つかりませんでした。",
        ("escalate 99 L2", AGENT): "ケース #99 は見つかりませんでした。",
    }
    for (text, user), error in errors.items():
        answer = case_command(app, text, user=user)
        assert (answer["text"], answer["response_type"]) == (error, "ephemeral")
    assert events(db) == [] and app.fake.calls("chat.postMessage") == []
    assert case_command(app, "低 " + "あ" * 200, user=CUSTOMER)["text"].startswith("ケース #1 を起票しました")


# --- the lifecycle ------------------------------------------------------------------------------------------------


def test_the_lifecycle_by_command_updates_the_card_and_its_thread(app: AppHarness, db: Database) -> None:
    case_command(app, "高 VPN に接続できない", user=CUSTOMER)
    card_ts = wait_card(app, 1).response["ts"]

    assert case_command(app, "ack 1", user=AGENT)["text"] == "ケース #1 の対応を開始しました。"
    (update,) = updates(app, 1)
    assert update.args["ts"] == card_ts and "対応中" in blocks_text(update.args)
    assert "case_ack" not in blocks_text(update.args)
    assert thread_lines(app, 1) == ["✅ <@U0AGENT> さんが対応を開始しました。"]

    assert "理由を書いてください" in case_command(app, "priority #1 中", user=AGENT)["text"]
    answer = case_command(app, "priority #1 中 回避策 (VPN クライアント再起動) を案内済み", user=AGENT)
    assert answer["text"] == "ケース #1 の優先度を 🟠 中 に変更しました。初期対応期限: 11/16(月) 16:30"
    line = thread_lines(app, 2)[-1]
    assert "🔴 高 → 🟠 中" in line and "回避策 (VPN クライアント再起動) を案内済み" in line
    assert "🟠 中" in blocks_text(updates(app, 2)[-1].args)

    answer = case_command(app, "escalate 1 L2 判断をお願いします", user=AGENT)
    assert answer["text"] == "ケース #1 を L2 CS Lead にエスカレーションしました。"
    assert "<@U0LEAD>" in thread_lines(app, 3)[-1]
    assert "エスカレーション中" in blocks_text(updates(app, 3)[-1].args)

    answer = case_command(app, "resolve 1 クライアント更新で解消", user=GROUP_AGENT)
    assert answer["text"] == "ケース #1 を解決済みにしました。"
    assert thread_lines(app, 4)[-1] == "🎉 <@U0AGENT2> さんが解決済みにしました。\nメモ: クライアント更新で解消"
    resolved_card = updates(app, 4)[-1].args
    assert "解決済み" in blocks_text(resolved_card)
    find_button(resolved_card, case_blocks.ACTION_REOPEN)

    assert case_command(app, "reopen 1 再発しました", user=CUSTOMER)["text"] == "ケース #1 を再オープンしました。"
    assert thread_lines(app, 5)[-1] == "↩️ <@U0CUSTOMER> さんが再オープンしました。\nメモ: 再発しました"

    assert all(c.args["thread_ts"] == card_ts for c in app.fake.calls("chat.postMessage") if c.args.get("thread_ts"))
    assert [kind for _, kind, _ in events(db)] == [
        "opened",
        "acknowledged",
        "priority_changed",
        "escalated",
        "resolved",
        "reopened",
    ]

    shown = case_command(app, "show #1", user=AGENT)
    assert shown["response_type"] == "ephemeral"
    history = blocks_text(shown)
    for line in (
        "起票 (優先度 高)",
        "対応開始",
        "優先度 高 → 中 — 回避策 (VPN クライアント再起動) を案内済み",
        "エスカレーション L1 → L2 — 判断をお願いします",
        "解決 — クライアント更新で解消",
        "再オープン — 再発しました",
    ):
        assert line in history
    # The reporter reads the same history without the team's notes (the priority's reason is theirs to know).
    theirs = blocks_text(case_command(app, "show #1", user=CUSTOMER))
    assert "判断をお願いします" not in theirs and "クライアント更新で解消" not in theirs
    assert "回避策 (VPN クライアント再起動) を案内済み" in theirs and "再オープン — 再発しました" in theirs


def test_lists_by_scope(app: AppHarness) -> None:
    case_command(app, "低 操作方法の質問", user=CUSTOMER)
    case_command(app, "高 全停止", user=OTHER)
    case_command(app, "resolve 1", user=AGENT)
    listed = case_command(app, "list", user=AGENT)
    assert listed["text"] == "ケース一覧 (対応中)" and listed["response_type"] == "ephemeral"
    assert "*#2*" in blocks_text(listed) and "*#1*" not in blocks_text(listed)
    everything = blocks_text(case_command(app, "list all", user=AGENT))
    assert "*#1*" in everything and "*#2*" in everything
    mine = blocks_text(case_command(app, "list mine", user=OTHER))
    assert "*#2*" in mine and "*#1*" not in mine
    # Someone who is not an agent sees their own cases only (issue 9, defect 5).
    theirs = blocks_text(case_command(app, "list all", user=CUSTOMER))
    assert "*#1*" in theirs and "*#2*" not in theirs
    assert case_command(app, "show 2", user=CUSTOMER)["text"] == case_command(app, "show 99", user=CUSTOMER)[
        "text"
    ].replace("99", "2")


def test_non_agents_are_refused_politely_and_nothing_changes(app: AppHarness, db: Database) -> None:
    case_command(app, "高 ログインできない", user=CUSTOMER)
    card = posted(wait_card(app, 1))
    # The reporter may resolve their own case, nothing else; anyone else nothing at all.
    urls = [send(app, text, user=CUSTOMER) for text in ("ack 1", "priority 1 低 もう大丈夫", "escalate 1 L3")]
    urls.append(send(app, "resolve 1", user=OTHER))
    urls += [press(app, card, action, user=OTHER) for action in (case_blocks.ACTION_ACK, case_blocks.ACTION_ESCALATE)]
    urls.append(press(app, card, case_blocks.ACTION_RESOLVE, user=OTHER))
    for url in urls:
        answer = reply(app, url)
        assert (answer["text"], answer["response_type"]) == (
            "申し訳ありません。ケース #1 のこの操作は、サポート担当者とこのケースで呼び出された方 "
            "(オンコール担当・CS Lead・エンジニア) のみ行えます。",
            "ephemeral",
        )
    assert app.fake.calls("chat.update") == [] and app.fake.calls("views.open") == []
    assert [kind for _, kind, _ in events(db)] == ["opened"]
    assert case(app, 1).status == "open"


# --- buttons and modals --------------------------------------------------------------------------------------------


def test_the_card_buttons_acknowledge_escalate_and_resolve(app: AppHarness, db: Database) -> None:
    case_command(app, "中 CSV エクスポートが失敗する", user=CUSTOMER)
    card = posted(wait_card(app, 1))

    answer = reply(app, press(app, card, case_blocks.ACTION_ACK, user=GROUP_AGENT))
    assert (answer["text"], answer["response_type"]) == ("ケース #1 の対応を開始しました。", "ephemeral")
    assert answer.get("replace_original") is False  # the card stays
    assert case(app, 1).first_response_by == GROUP_AGENT
    assert thread_lines(app, 1) == ["✅ <@U0AGENT2> さんが対応を開始しました。"]

    press(app, card, case_blocks.ACTION_ESCALATE, user=AGENT)
    view = opened_view(app, 1)
    assert view["callback_id"] == case_forms.VIEW_ESCALATE
    assert submit(app, view, user=AGENT, level="L3", note="DB のロックを調査").json() is None
    assert "<!subteam^S0ENG>" in thread_lines(app, 2)[-1]
    assert case(app, 1).escalation_level == 3

    press(app, card, case_blocks.ACTION_RESOLVE, user=AGENT)
    view = opened_view(app, 2)
    assert view["callback_id"] == case_forms.VIEW_RESOLVE
    submit(app, view, user=AGENT, note="インデックス追加で解消")
    assert "インデックス追加で解消" in thread_lines(app, 3)[-1]
    final = updates(app, 3)[-1].args
    assert "解決済み" in blocks_text(final) and "case_resolve" not in blocks_text(final)
    assert [kind for _, kind, _ in events(db)] == ["opened", "acknowledged", "escalated", "resolved"]

    again = submit(app, view, user=AGENT, note="二重送信")  # a second submit: shown in the form, nothing changes
    assert again.json() == {"response_action": "errors", "errors": {"note": "ケース #1 は解決済みです。"}}
    assert len(events(db)) == 4


def test_a_late_acknowledgement_keeps_the_breach_on_the_card_and_in_the_history(
    app: AppHarness, clock: ManualClock
) -> None:
    """Issue 9, defect 4: acknowledged 31 minutes late (before any sweep ran), the breach is not erased."""
    case_command(app, "高 決済ができない", user=CUSTOMER)
    wait_card(app, 1)
    clock.advance(timedelta(hours=2, minutes=31))  # due at 12:30, answered at 13:01
    assert case_command(app, "ack 1", user=AGENT)["text"] == "ケース #1 の対応を開始しました。"
    (update,) = updates(app, 1)
    assert "*初回応答*\\n11/16(月) 13:01 (31分超過) ✅ <@U0AGENT>" in blocks_text(update.args)
    history = blocks_text(case_command(app, "show 1", user=AGENT))
    assert "初期対応期限 (11/16(月) 12:30) を31分超過して初回応答" in history
    assert thread_lines(app, 1) == [
        "✅ <@U0AGENT> さんが対応を開始しました。"
    ]  # the breach is history, not a thread line


def test_an_agents_reply_in_the_card_thread_is_the_first_response(app: AppHarness, db: Database) -> None:
    case_command(app, "中 請求書が届かない", user=CUSTOMER)
    card_ts = wait_card(app, 1).response["ts"]
    app.message("補足です", user=CUSTOMER, channel="C0CASES", thread_ts=card_ts)  # the reporter: not a response
    app.message("担当します。ログを確認中です", user=AGENT, channel="C0CASES", thread_ts=card_ts)
    assert thread_lines(app, 1) == ["💬 <@U0AGENT> さんが初回応答しました。"]
    assert "対応中" in blocks_text(updates(app, 1)[-1].args)
    assert [kind for _, kind, _ in events(db)] == ["opened", "first_response"]
    assert case(app, 1).first_response_by == AGENT


def test_the_form_validates_next_to_the_fields_then_opens_the_case(app: AppHarness) -> None:
    response = app.command("/case", "", user=CUSTOMER, channel="C0SUPPORT")
    assert response.status == 200 and response.body == ""
    view = opened_view(app)
    assert view["callback_id"] == case_forms.VIEW_OPEN
    blocks = [b["block_id"] for b in view["blocks"]]
    assert blocks == ["title", "description", "priority", "customer_pick", "customer", "category", "impact", "steps"]
    invalid = submit(app, view, user=CUSTOMER, title="  ", priority=None)
    assert invalid.json() == {
        "response_action": "errors",
        "errors": {
            "title": "件名を入力してください。",
            "priority": "優先度「」が分かりません。高・中・低 (high/medium/low、重大度A/B/C) のいずれかを指定してください。",
        },
    }
    forged = submit(app, view, user=CUSTOMER, title="請求の件", priority="urgent", category="sales")
    assert set(forged.json()["errors"]) == {"priority", "category"}
    too_long = submit(app, view, user=CUSTOMER, title="あ" * 201, priority="low")
    assert too_long.json()["errors"] == {
        "title": "件名は200文字以内にしてください (現在201文字)。詳細は本文に書いてください。"
    }
    assert cards(app) == []
    ok = submit(
        app,
        view,
        user=CUSTOMER,
        title="管理画面が 500 エラー",
        description="昨日から発生",
        priority="medium",
        customer="株式会社サンプル",
        category="technical",
        impact="管理者 3 名",
        steps="1. ログイン\n2. ユーザー一覧",
    )
    assert ok.status == 200 and ok.json() is None
    shown = blocks_text(wait_card(app, 1).args)
    for part in (
        "管理画面が 500 エラー",
        "🟠 中",
        "株式会社サンプル",
        "技術",
        "昨日から発生",
        "管理者 3 名",
        "2. ユーザー一覧",
    ):
        assert part in shown
    # Recorded before the ack (issue 14), the confirmation is a DM through the outbox.
    (note,) = app.fake.wait_for_calls("chat.postMessage", where=lambda c: c.args["channel"] == CUSTOMER)
    assert note.args["text"] == "ケース #1 を起票しました (優先度: 🟠 中)。初期対応の目標: 11/16(月) 16:30 まで。"
    saved = case(app, 1)
    assert (saved.customer, saved.category, saved.impact, saved.origin_channel) == (
        "株式会社サンプル",
        "technical",
        "管理者 3 名",
        "C0SUPPORT",
    )


def test_a_message_shortcut_opens_the_form_prefilled_with_a_link(app: AppHarness) -> None:
    message = app.fake.add_message("C0GENERAL", "SAML 連携でエラー &lt;code&gt;\n詳細はスレッドで", user=CUSTOMER)
    response = app.action(
        {
            "type": "message_action",
            "callback_id": case_forms.SHORTCUT_FROM_MESSAGE,
            "team": {"id": "T0TEAM", "domain": "fake"},
            "user": {"id": AGENT, "username": "agent", "team_id": "T0TEAM"},
            "channel": {"id": "C0GENERAL", "name": "general"},
            "message": message,
            "message_ts": message["ts"],
            "response_url": app.fake.new_response_url(),
            "trigger_id": f"trigger.{uuid.uuid4().hex[:10]}",
        }
    )
    assert response.status == 200
    view = opened_view(app)
    fields = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}
    assert fields["title"] == "SAML 連携でエラー <code>"  # Slack's &lt; &gt; undone once, shown as typed
    assert fields["description"] == "SAML 連携でエラー <code>\n詳細はスレッドで"
    link = f"https://fake.slack.com/archives/C0GENERAL/p{message['ts'].replace('.', '')}"
    assert json.loads(view["private_metadata"])["origin_link"] == link
    submit(app, view, user=AGENT, title=fields["title"], description=fields["description"], priority="low")
    assert f"<{link}|元のメッセージ>" in blocks_text(wait_card(app, 1).args)
    (dm,) = app.fake.wait_for_calls("chat.postMessage", where=lambda c: c.args["channel"] == AGENT)
    assert dm.args["text"].startswith("ケース #1 を起票しました (優先度: 🟢 低)")


def test_not_solved_on_an_faq_answer_leads_to_a_case_linked_to_the_question(app: AppHarness) -> None:
    question = "SSOってどのIdPに対応してましたっけ？"
    _, event = app.message(question, user=CUSTOMER)
    (answer_call,) = app.fake.wait_for_calls("chat.postMessage")
    answer = {**posted(answer_call), "thread_ts": event["ts"]}
    press(app, answer, "faq_unresolved", user=CUSTOMER, channel="C0FAQ")
    view = opened_view(app)
    fields = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert fields["title"]["initial_value"] == question
    assert question in fields["description"]["initial_value"]
    assert fields["priority"]["initial_option"]["value"] == "low"
    submit(app, view, user=CUSTOMER, title=question, description=fields["description"]["initial_value"], priority="low")
    link = f"https://fake.slack.com/archives/C0FAQ/p{event['ts'].replace('.', '')}"
    assert f"<{link}|元のメッセージ>" in blocks_text(wait_card(app, 1).args)
    (note,) = app.fake.wait_for_calls(
        "chat.postMessage", where=lambda c: c.args.get("thread_ts") == event["ts"] and "#1" in c.args["text"]
    )
    assert note.args["channel"] == "C0FAQ"  # told in the thread, not by DM
    assert app.fake.messages("D" + CUSTOMER) == []


# --- reopening --------------------------------------------------------------------------------------------------------


def test_reopen_inside_the_window_by_the_reporter(app: AppHarness, clock: ManualClock) -> None:
    case_command(app, "低 パスワードリセットのメールが届かない", user=CUSTOMER)
    case_command(app, "resolve 1", user=AGENT)
    resolved_card = posted(updates(app, 1)[-1])
    clock.advance(timedelta(days=13, hours=23))
    refusal = case_command(app, "reopen 1", user=OTHER)
    assert (
        refusal["text"]
        == "ケース #1 を再オープンできるのは、起票者とサポート担当者、このケースで呼び出された方のみです。"
    )
    assert case(app, 1).status == "resolved"
    answer = reply(app, press(app, resolved_card, case_blocks.ACTION_REOPEN, user=CUSTOMER))
    assert answer["text"] == "ケース #1 を再オープンしました。"
    assert case(app, 1).status == "reopened"
    assert thread_lines(app, 2)[-1] == "↩️ <@U0CUSTOMER> さんが再オープンしました。"
    find_button(updates(app, 2)[-1].args, case_blocks.ACTION_ACK)  # someone has to pick it up again


def test_reopen_after_the_window_offers_a_new_linked_case(app: AppHarness, clock: ManualClock) -> None:
    case_command(app, "中 CSV の文字化け", user=CUSTOMER)
    case_command(app, "resolve 1", user=AGENT)
    clock.advance(timedelta(days=14, minutes=1))
    refusal = case_command(app, "reopen #1 また文字化けしました", user=CUSTOMER)
    assert refusal["response_type"] == "ephemeral"
    assert refusal["text"].startswith("ケース #1 は解決から14日を過ぎているため再オープンできません。")
    assert case(app, 1).status == "resolved"
    press(app, {**refusal, "ts": "1700000000.000001"}, case_blocks.ACTION_NEW_LINKED, user=CUSTOMER, channel="C0FAQ")
    view = opened_view(app)
    assert json.loads(view["private_metadata"]) == {"channel": "C0FAQ", "related_case": 1}
    title = next(b for b in view["blocks"] if b["block_id"] == "title")["element"]["initial_value"]
    assert title == "CSV の文字化け"
    submit(app, view, user=CUSTOMER, title=title, priority="medium", description="再発")
    assert "関連ケース: #1" in blocks_text(wait_card(app, 2).args)
    assert case(app, 2).related_case == 1


# --- escaping ---------------------------------------------------------------------------------------------------------------


def test_typed_mentions_never_notify_anyone(app: AppHarness) -> None:
    hostile = "<!channel> <!here> <@U0AGENT2> <!subteam^S0SRE|@sre> 至急"
    case_command(app, f"高 {hostile}", user=CUSTOMER)
    case_command(app, f"priority 1 中 {hostile}", user=AGENT)
    app.command("/case", "", user=CUSTOMER)
    submit(app, opened_view(app), user=CUSTOMER, title=hostile, description=hostile, customer=hostile, priority="high")
    wait_card(app, 2)
    app.fake.wait_for_calls("chat.postMessage", 2, where=lambda c: c.args["channel"] == "C0EMERG")
    case_command(app, "show 1", user=CUSTOMER)
    case_command(app, "list", user=CUSTOMER)
    sent = everything_sent(app)
    assert "@channel @here @U0AGENT2 @sre 至急" in sent
    assert NOTIFYING.findall(sent) == []
    assert all(
        not c.args.get("link_names") and c.args.get("parse") != "full" for c in app.fake.calls("chat.postMessage")
    )


def test_an_unknown_priority_typed_as_a_mention_is_echoed_inert(app: AppHarness) -> None:
    app.command("/case", "中 件名")
    app.fake.wait_for_calls("response_url")
    # Typed brackets arrive escaped by Slack; the refusal quotes the word without making it a token.
    app.command("/case", "priority 1 &lt;!channel&gt; 理由")
    (refusal,) = app.fake.wait_for_calls("response_url", count=2)[1:]
    assert "優先度「&lt;!channel&gt;」が分かりません" in refusal.args["text"]
    assert "<!channel>" not in refusal.args["text"]
