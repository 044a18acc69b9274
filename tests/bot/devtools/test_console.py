"""The local console drives the real app: typed lines in, what Slack would show out."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.config import load_default_behaviour
from bot.devtools import console as console_module
from bot.devtools.console import Console
from bot.settings import Settings

# A Monday morning in Tokyo, so SLA arithmetic reads simply.
START = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)


@pytest.fixture
def console() -> Iterator[tuple[Console, io.StringIO]]:
    out = io.StringIO()
    with Console(Settings(), load_default_behaviour(), out=out, start=START) as shell:
        yield shell, out


def run(console: tuple[Console, io.StringIO], *lines: str) -> str:
    shell, out = console
    out.seek(0)
    out.truncate()
    for line in lines:
        shell.handle(line)
    return out.getvalue()


def test_the_console_waits_for_the_faqs_embeddings_before_its_first_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its first question is judged as the running bot judges, not lexically while they are computed."""
    waited = []
    monkeypatch.setattr(console_module, "wait_for_embeddings", lambda index, say: waited.append(index))
    with Console(Settings(), load_default_behaviour(), out=io.StringIO(), start=START) as shell:
        assert waited == [shell.runtime.services.index]


def test_a_question_is_answered_in_its_thread(console: tuple[Console, io.StringIO]) -> None:
    shown = run(console, "SSOってどのIdPに対応してましたっけ？")
    assert "bot → #faq (thread)" in shown
    assert "SSOはどのIdPに対応していますか？" in shown and "Okta" in shown
    assert "[1] 解決しました  [2] 解決しない" in shown


def test_chit_chat_gets_no_reply_but_a_mention_does(console: tuple[Console, io.StringIO]) -> None:
    assert "bot →" not in run(console, "お疲れさまです〜")
    assert "[1] ケースを起票" in run(console, "@bot 今日のランチどこ行きます？")


def test_the_whole_story_of_an_urgent_case(console: tuple[Console, io.StringIO]) -> None:
    opened = run(console, "/case 高 全ユーザーがログインできない")
    assert "bot → #cases" in opened and "#1 全ユーザーがログインできない" in opened
    assert "bot → #emergency" in opened and "@oncall" in opened
    assert "ケース #1 を起票しました" in opened
    late = run(console, "/clock +2h1m")
    assert "初期対応期限を1分超過しています" in late
    assert "bot → DM @oncall" in late
    clicked = run(console, "click 1")  # 「対応開始」 on the page
    assert "対応を開始しました" in clicked and "updated its message in #cases" in clicked
    assert "超過" not in run(console, "/clock +30m")  # acknowledged: no more pages


def test_the_case_form_is_filled_in_with_submit(console: tuple[Console, io.StringIO]) -> None:
    form = run(console, "/case")
    assert "ケースを起票" in form and "submit title=" in form
    assert "件名を入力してください" in run(console, "submit priority=中")
    done = run(console, 'submit title="CSVの文字化け <!here>" priority=中 category=技術')
    assert "#1 CSVの文字化け <!here>" in done  # shown as typed; in Slack it would notify nobody
    assert "カテゴリ* 技術" in done.replace("\n  │   ", " ")


def test_acting_as_someone_else(console: tuple[Console, io.StringIO]) -> None:
    run(console, "/case 低 使い方の質問")
    refused = run(console, "/as U0CUSTOMER", "/case ack 1")
    assert "サポート担当者とこのケースで呼び出された方" in refused


def test_the_person_on_call_acknowledges_from_the_dm(console: tuple[Console, io.StringIO]) -> None:
    """Issue 9, defect 1, as it was reported: the on-call person is not in [agents] of the example config."""
    run(console, "/case 高 全ユーザーがログインできない")
    late = run(console, "/as U0ONCALL1", "/in D0ONCALL1", "/clock +2h1m")
    assert "bot → DM @oncall1" in late
    clicked = run(console, "click 2")  # 「対応開始」 in the DM (1 is the page's)
    assert "ケース #1 の対応を開始しました" in clicked
    assert "超過" not in run(console, "/clock +30m")  # no more pages


def test_an_english_title_opens_the_form_and_pages_nobody(console: tuple[Console, io.StringIO]) -> None:
    shown = run(console, "/case A customer cannot export CSV")
    assert "ケースを起票" in shown and "A customer cannot export CSV" in shown and "submit title=" in shown
    assert "#emergency" not in shown and "起票しました" not in shown


def test_mistakes_are_explained(console: tuple[Console, io.StringIO]) -> None:
    assert "no button [9]" in run(console, "click 9")
    assert "expected a user ID" in run(console, "/as sato")
    assert "no form is open" in run(console, "submit title=x")
    assert "/clock +2h" in run(console, "/clock")
    assert "/case" in run(console, "/help")


def test_typed_mentions_become_slack_tokens(console: tuple[Console, io.StringIO]) -> None:
    shown = run(console, "/oncall set @oncall2", "/oncall")
    assert "@oncall2 さんを" in shown and "現在のオンコール*: @oncall2" in shown
    # A typed <!channel> reaches the bot escaped, exactly as Slack sends it.
    assert "@channel" not in run(console, "/case 低 <!channel> テスト").split("#1", 1)[1].split("\n")[0]


def test_an_agent_links_an_unanswered_question_to_an_entry(console: tuple[Console, io.StringIO]) -> None:
    run(console, "/as U0CUSTOMER", "@bot 適格請求書の登録番号は？")
    gaps = run(console, "/as U0AGENT", "/faq gaps")
    assert "適格請求書の登録番号は？" in gaps and "[1] FAQに紐付け" in gaps
    form = run(console, "click 1")
    assert "┌ FAQに紐付け" in form and "'適格請求書の登録番号は？'" in form
    done = run(console, "submit entry=請求書の発行は可能ですか？")
    assert "(searched “請求書の発行は可能ですか？”:" in done and "の言い換えとして学習しました" in done
    answered = run(console, "/as U0CUSTOMER", "@bot 適格請求書の登録番号は？")
    assert "*Q. 請求書の発行は可能ですか？*" in answered and "もしかして" not in answered


def test_a_message_shortcut_on_a_printed_message(console: tuple[Console, io.StringIO]) -> None:
    run(console, "/as U0CUSTOMER", "@bot 二段階認証を設定したい")
    listed = run(console, "/messages")
    assert "m1 @U0CUSTOMER: @bot 二段階認証を設定したい" in listed and "m2 @bot (thread): もしかして" in listed
    refused = run(console, "shortcut FAQに追加 m1")
    assert "サポート担当者のみ" in refused
    run(console, "/as U0AGENT", "reply m1 管理画面 > セキュリティ > 二段階認証 から有効にできます。")
    form = run(console, "shortcut FAQに追加")  # on the last message written here: the agent's reply
    assert "┌ FAQに追加" in form and "'二段階認証を設定したい'" in form and "'管理画面 > セキュリティ" in form
    saved = run(console, "submit category=機能")
    assert "下書き「二段階認証を設定したい」を保存しました" in saved
    assert "bot → #cases" in saved and "[1] 承認して公開  [2] 破棄" in saved
    assert "承認しました" in run(console, "click 1")
    answered = run(console, "/as U0CUSTOMER", "@bot 二段階認証を設定したい")
    assert "管理画面 > セキュリティ > 二段階認証" in answered
