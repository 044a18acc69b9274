"""Issue 9 end to end — who may act, and the pages: signed HTTP into the real app, against the fake Slack.

The configuration is the harness's: the on-call people (U0ONCALL1/2), the CS Lead (U0LEAD) and the
engineers (user group S0ENG, member U0ENG1) are *not* agents; only U0AGENT and S0AGENTS' member are.
The first page of a high case stays its one message in the emergency channel; re-pages reply under
it; the page and the DMs are edited in place when the case is acknowledged or resolved.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from bot.slack import case_blocks
from knowledge.search import KnowledgeIndex
from scheduler.sla_sweep import run_sla_sweep
from tests.handlers.test_cases import (
    case_command,
    events,
    opened_view,
    posted,
    press,
    reply,
    send,
    submit,
    thread_lines,
    wait_card,
)
from tests.harness import AppHarness, make_config

pytestmark = pytest.mark.e2e

AGENT, CUSTOMER, OTHER = "U0AGENT", "U0CUSTOMER", "U0OTHER"
ONCALL, SECONDARY, LEAD, ENGINEER = "U0ONCALL1", "U0ONCALL2", "U0LEAD", "U0ENG1"
REFUSED = "申し訳ありません。ケース #1 のこの操作は、サポート担当者とこのケースで呼び出された方"


@pytest.fixture
def app(
    db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> Iterator[AppHarness]:
    fake_slack.usergroups["S0ENG"] = [ENGINEER]
    harness = AppHarness(fake=fake_slack, db=db, clock=clock, index=knowledge_index)
    for person in (ONCALL, "U0ONCALL2", LEAD, ENGINEER):
        assert not harness.services.agents.is_agent(person)
    yield harness
    harness.stop()


def emergency_posts(app: AppHarness) -> list[dict[str, Any]]:
    """Top-level messages in the emergency channel (as they read now): one page per case."""
    return [m for m in app.fake.messages("C0EMERG") if m.get("thread_ts", m["ts"]) == m["ts"]]


def repages(app: AppHarness) -> list[dict[str, Any]]:
    """Replies in the pages' threads."""
    return [m for m in app.fake.messages("C0EMERG") if m.get("thread_ts", m["ts"]) != m["ts"]]


def dms(app: AppHarness, user: str) -> list[dict[str, Any]]:
    return app.fake.messages("D" + user)


def sweep(app: AppHarness) -> None:
    services = app.services
    run_sla_sweep(services.sla, services.db, services.outbox, services.clock)


def sweep_after(app: AppHarness, clock: ManualClock, delta: timedelta) -> None:
    clock.advance(delta)
    sweep(app)


def has_button(message: dict[str, Any]) -> bool:
    return case_blocks.ACTION_ACK in str(message.get("blocks"))


def answer_to(app: AppHarness, url: str) -> str:
    return str(reply(app, url)["text"])


# --- defect 1: the person paged can acknowledge ---------------------------------------------------------------


def test_the_person_on_call_acknowledges_from_the_page_and_the_pages_stop(app: AppHarness, clock: ManualClock) -> None:
    case_command(app, "高 全ユーザーがログインできない", user=CUSTOMER)
    wait_card(app, 1)
    sweep_after(app, clock, timedelta(hours=2, minutes=1))
    app.fake.wait_for(lambda: repages(app) and dms(app, ONCALL))
    (page,) = emergency_posts(app)  # the page, edited with the re-page's count
    assert f"<@{ONCALL}>" in page["text"] and "🔁 再通知 1回目" in page["text"]

    refusal = answer_to(app, press(app, page, case_blocks.ACTION_ACK, user=OTHER, channel="C0EMERG"))
    assert refusal.startswith(REFUSED)  # a random user cannot
    assert app.services.cases.get(1).first_response_at is None

    done = answer_to(app, press(app, page, case_blocks.ACTION_ACK, user=ONCALL, channel="C0EMERG"))
    assert done == "ケース #1 の対応を開始しました。"
    assert app.services.cases.get(1).first_response_by == ONCALL
    assert thread_lines(app, 1) == [f"✅ <@{ONCALL}> さんが対応を開始しました。"]
    # The page and the DM, edited in place: who took it, when, how late, and no more button.
    taken = f"✅ 対応開始: <@{ONCALL}> 11/16(月) 12:31 (1分超過)"
    app.fake.wait_for(lambda: taken in emergency_posts(app)[0]["text"] and taken in dms(app, ONCALL)[0]["text"])
    assert not has_button(emergency_posts(app)[0]) and not has_button(dms(app, ONCALL)[0])
    for _ in range(3):
        sweep_after(app, clock, timedelta(minutes=30))
    assert len(emergency_posts(app)) == 1 and len(repages(app)) == 1 and len(dms(app, ONCALL)) == 1  # no more
    assert answer_to(app, press(app, page, case_blocks.ACTION_ACK, user=AGENT, channel="C0EMERG")) == (
        f"ケース #1 はすでに <@{ONCALL}> さんが 11/16(月) 12:31 から対応しています。"  # by whom, since when
    )


def test_the_person_on_call_acknowledges_from_the_dm_on_another_replica(
    app: AppHarness, db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    """Who was paged is in the database: a replica that never paged (or a restarted one) lets them act."""
    case_command(app, "重大度A 決済 API が 500 を返す", user=CUSTOMER)
    sweep_after(app, clock, timedelta(hours=2, minutes=1))
    (dm,) = app.fake.wait_for(lambda: dms(app, ONCALL))
    other = AppHarness(fake=fake_slack, db=db, clock=clock, index=knowledge_index)
    try:
        done = answer_to(other, press(other, dm, case_blocks.ACTION_ACK, user=ONCALL, channel="D" + ONCALL))
        assert done == "ケース #1 の対応を開始しました。"
        app.fake.wait_for(lambda: not has_button(dms(app, ONCALL)[0]) and not has_button(emergency_posts(app)[0]))
    finally:
        other.stop()
    sweep_after(app, clock, timedelta(minutes=30))
    assert len(dms(app, ONCALL)) == 1 and len(emergency_posts(app)) == 1 and len(repages(app)) == 1


# --- paging hygiene ------------------------------------------------------------------------------------------


def test_re_pages_reply_under_the_one_page_with_a_count_and_the_dm_is_repeated(
    app: AppHarness, clock: ManualClock
) -> None:
    case_command(app, "高 決済 API が 500 を返す", user=CUSTOMER)
    (page,) = app.fake.wait_for(lambda: emergency_posts(app))
    sweep_after(app, clock, timedelta(hours=2, minutes=1))
    sweep_after(app, clock, timedelta(minutes=30))
    app.fake.wait_for(lambda: len(repages(app)) == 2 and len(dms(app, ONCALL)) == 2)
    first, second = repages(app)
    assert first["text"].startswith("🔁 再通知 1回目") and second["text"].startswith("🔁 再通知 2回目")
    assert first["thread_ts"] == second["thread_ts"] == page["ts"]
    assert f"<@{ONCALL}>" in first["text"] and f"<@{ONCALL}>" in second["text"]  # whom each one calls
    (page,) = emergency_posts(app)  # still one message there, now with the count and the time elapsed
    assert "🔁 再通知 2回目 · 起票から2時間31分 (期限を31分超過)" in page["text"] and has_button(page)

    done = case_command(app, "resolve 1 ロードバランサを切り替え", user=AGENT)["text"]
    assert done == "ケース #1 を解決済みにしました。"
    resolved = "🎉 解決済み 11/16(月) 13:01"
    app.fake.wait_for(lambda: resolved in emergency_posts(app)[0]["text"])
    assert all(resolved in dm["text"] and not has_button(dm) for dm in dms(app, ONCALL))
    assert not has_button(emergency_posts(app)[0])


def chain_config() -> Any:
    """The secondary rotation is the other way round: U0ONCALL2 backs up U0ONCALL1 (neither is an agent)."""
    return make_config(oncall={"secondary": [SECONDARY, ONCALL]}, sla={"escalate_after": 2})


def test_the_escalation_chain_fires_once_per_step_across_two_replicas(
    db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    """Two app instances on one database both sweep at every re-page; each step of the chain happens once."""
    fake_slack.usergroups["S0ENG"] = [ENGINEER]
    replicas = [
        AppHarness(fake=fake_slack, db=db, clock=clock, index=knowledge_index, config=chain_config()) for _ in range(2)
    ]
    first, second = replicas
    try:
        case_command(first, "高 全テナントでログイン不可", user=CUSTOMER)
        fake_slack.wait_for(lambda: emergency_posts(first))
        clock.advance(timedelta(hours=1, minutes=31))
        for _ in range(6):  # re-pages 1 … 6, every 30 minutes, each swept by both replicas at once
            clock.advance(timedelta(minutes=30))
            threads = [threading.Thread(target=sweep, args=(replica,)) for replica in replicas]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        fake_slack.wait_for(lambda: len(repages(first)) == 6)
        first.settle()
        second.settle()
        texts = [m["text"] for m in repages(first)]
        assert [t.split(":")[0] for t in texts] == [f"🔁 再通知 {n}回目" for n in range(1, 7)]
        assert f"<@{SECONDARY}>" not in texts[1] and f"<@{SECONDARY}>" in texts[2]  # after escalate_after = 2
        assert f"⬆️ 2回呼び出しても応答がないため、<@{SECONDARY}> も呼び出します。" in texts[2]
        assert f"⬆️ 4回呼び出しても応答がないため、<@{LEAD}> も呼び出します。" in texts[4]
        assert f"<@{ONCALL}> <@{SECONDARY}> <@{LEAD}>" in texts[5]
        chained = [m for user in (SECONDARY, LEAD) for m in dms(first, user)]
        assert len(chained) == 2  # one DM per step, whichever replica decided it
        assert len(dms(first, ONCALL)) == 6  # the person on call: every re-page
        escalated = [e for e in first.services.cases.details(1).events if e.kind == "sla_escalated"]
        assert [(e.old_value, e.new_value) for e in escalated] == [(SECONDARY, "secondary"), (LEAD, "cs_lead")]
        # Whom the chain paged may act: the secondary takes it from their DM.
        (dm,) = dms(first, SECONDARY)
        done = answer_to(second, press(second, dm, case_blocks.ACTION_ACK, user=SECONDARY, channel="D" + SECONDARY))
        assert done == "ケース #1 の対応を開始しました。"
        fake_slack.wait_for(lambda: all(not has_button(m) for m in dms(first, LEAD) + dms(first, ONCALL)))
    finally:
        for replica in replicas:
            replica.stop()


def test_the_cs_lead_resolves_after_l2(app: AppHarness, db: Database) -> None:
    case_command(app, "中 請求書の金額が違う", user=CUSTOMER)
    card = posted(wait_card(app, 1))
    assert case_command(app, "resolve 1", user=LEAD)["text"].startswith(REFUSED)  # not called yet
    case_command(app, "escalate 1 L2 判断をお願いします", user=AGENT)
    assert f"<@{LEAD}>" in thread_lines(app, 1)[-1]

    press(app, card, case_blocks.ACTION_RESOLVE, user=LEAD)  # the card's 「解決」 opens the form for them
    view = opened_view(app)
    assert submit(app, view, user=LEAD, note="返金で合意").json() is None
    assert thread_lines(app, 2)[-1] == f"🎉 <@{LEAD}> さんが解決済みにしました。\nメモ: 返金で合意"
    assert [kind for _, kind, _ in events(db)] == ["opened", "escalated", "resolved"]


def test_an_engineer_of_the_l3_user_group_acts_after_l3(app: AppHarness, db: Database) -> None:
    case_command(app, "中 CSV エクスポートがタイムアウトする", user=CUSTOMER)
    card = posted(wait_card(app, 1))
    assert answer_to(app, press(app, card, case_blocks.ACTION_ACK, user=ENGINEER)).startswith(REFUSED)
    case_command(app, "escalate 1 L2", user=AGENT)
    case_command(app, "escalate 1 L3 DB のロックを調査", user=LEAD)  # the CS Lead hands it on
    assert "<!subteam^S0ENG>" in thread_lines(app, 2)[-1]
    assert answer_to(app, press(app, card, case_blocks.ACTION_ACK, user=ENGINEER)) == "ケース #1 の対応を開始しました。"
    assert (
        case_command(app, "resolve 1 インデックス追加で解消", user=ENGINEER)["text"]
        == "ケース #1 を解決済みにしました。"
    )
    assert [(kind, actor) for _, kind, actor in events(db)][-2:] == [("acknowledged", ENGINEER), ("resolved", ENGINEER)]


def test_the_reporter_resolves_their_own_case_and_reopens_it(app: AppHarness, db: Database) -> None:
    case_command(app, "低 パスワードの変更方法", user=CUSTOMER)
    wait_card(app, 1)
    assert case_command(app, "ack 1", user=CUSTOMER)["text"].startswith(REFUSED)
    answer = case_command(app, "resolve 1 ヘルプ記事で分かりました", user=CUSTOMER)
    assert answer["text"] == "ケース #1 を自己解決として解決済みにしました。"
    assert thread_lines(app, 1) == [
        f"🎉 起票者の <@{CUSTOMER}> さんが自己解決しました。\nメモ: ヘルプ記事で分かりました"
    ]
    assert "自己解決 — ヘルプ記事で分かりました" in str(case_command(app, "show 1", user=CUSTOMER)["blocks"])
    assert case_command(app, "reopen 1", user=CUSTOMER)["text"] == "ケース #1 を再オープンしました。"
    assert [kind for _, kind, _ in events(db)] == ["opened", "self_resolved", "reopened"]


# --- defect 2: an English title is not a severity --------------------------------------------------------------


def test_an_english_title_starting_with_a_pages_nobody_and_opens_the_form(app: AppHarness) -> None:
    send(app, "A customer cannot export CSV\nSince this morning, for every tenant", user=CUSTOMER)
    view = opened_view(app)
    app.settle()
    fields = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert fields["title"]["initial_value"] == "A customer cannot export CSV"
    assert fields["description"]["initial_value"] == "Since this morning, for every tenant"
    assert "initial_option" not in fields["priority"]  # the person chooses
    assert app.services.cases.list("all", AGENT) == []  # nothing opened, nothing paged
    assert app.fake.calls("chat.postMessage") == [] and app.fake.calls("response_url") == []

    submit(app, view, user=CUSTOMER, title="A customer cannot export CSV", priority="medium")
    assert "🟠 中" in str(wait_card(app, 1).args["blocks"])
    assert emergency_posts(app) == []


# --- defect 3: nobody on call ----------------------------------------------------------------------------------


def test_with_nobody_on_call_the_reporter_is_told_the_truth_and_the_page_says_so(
    db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    config = make_config(oncall={"rotation": []})  # [oncall] fallback defaults to "here"
    app = AppHarness(fake=fake_slack, db=db, clock=clock, index=knowledge_index, config=config)
    try:
        answer = case_command(app, "高 全ユーザーがログインできない", user=CUSTOMER)["text"]
        assert "オンコール担当者に通知しました" not in answer
        assert "現在オンコール担当者がいないため、個別に呼び出された担当者はいません" in answer
        (page,) = app.fake.wait_for(lambda: emergency_posts(app))
        assert "<!here> ⚠️ オンコール担当者がいません" in page["text"] and "[oncall] fallback" in page["text"]
        assert answer_to(app, press(app, page, case_blocks.ACTION_ACK, user=AGENT, channel="C0EMERG")).startswith(
            "ケース #1 の対応を開始しました"
        )
    finally:
        app.stop()
