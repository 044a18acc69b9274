"""Teaching the bot from Slack, end to end: signed HTTP into the real app, Web API calls into the fake
Slack. The knowledge base is a small HR FAQ in a folder of its own (tests/teaching.py); U0AGENT is an
agent by [agents] users, U0AGENT2 by the S0AGENTS user group; the customer is no agent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.database import Database
from bot.devtools.fake_slack import Call, FakeSlack
from bot.devtools.signing import block_suggestion_payload, message_action_payload, view_submission_payload
from bot.models import FaqDraft, FaqMiss, FaqPhrasing
from scheduler import jobs
from tests.handlers.test_cases import posted, reply
from tests.harness import AppHarness, HttpResponse, blocks_text, find_button, make_config
from tests.teaching import AGENT, AGENT2, CUSTOMER, FORGOT, PARKING, RECEIPTS, hr_knowledge

pytestmark = pytest.mark.e2e

RECEIPTS_ASKED = RECEIPTS + "はいつですか？"
CLOSING = "経費精算の締め日はいつですか？"


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    """One database here: the teaching rules run on SQLite and PostgreSQL in tests/bot/test_faq_teaching.py;
    these tests are about the Slack side, which the database does not change."""
    return sqlite_db


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return hr_knowledge(tmp_path / "kb")


def harness(fake: FakeSlack, db: Database, clock: ManualClock, knowledge: Path) -> AppHarness:
    """The app on the HR knowledge base, with an index of its own (teaching changes it)."""
    return AppHarness(fake=fake, db=db, clock=clock, config=make_config(faq={"knowledge_path": str(knowledge)}))


@pytest.fixture
def app(db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge: Path) -> Iterator[AppHarness]:
    running = harness(fake_slack, db, clock, knowledge)
    yield running
    running.stop()


# --- Slack's requests ---------------------------------------------------------------------------------------


def person(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "team_id": "T0TEAM"}


def shortcut(app: AppHarness, callback_id: str, message: dict[str, Any], *, user: str, channel: str = "C0FAQ") -> str:
    """A message shortcut on `message`; returns its response_url."""
    url = app.fake.new_response_url()
    payload = message_action_payload(
        callback_id,
        message,
        channel=channel,
        user=person(user),
        response_url=url,
        trigger_id=f"trigger.{uuid.uuid4().hex[:10]}",
    )
    assert app.action(payload).status == 200
    return url


def press(app: AppHarness, message: dict[str, Any], prefix: str, *, user: str, channel: str = "C0FAQ") -> str:
    """Click the first button whose action_id starts with `prefix` on `message`; returns the click's response_url."""
    button, block_id = find_button(message, prefix)
    url = app.fake.new_response_url()
    payload = {
        "type": "block_actions",
        "user": person(user),
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "trigger_id": f"trigger.{uuid.uuid4().hex[:10]}",
        "response_url": url,
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "channel": {"id": channel, "name": channel.lower()},
        "message": message,
        "actions": [
            {"type": "button", "action_id": button["action_id"], "block_id": block_id, "value": button["value"]}
        ],
    }
    assert app.action(payload).status == 200
    return url


def options(app: AppHarness, view: dict[str, Any], words: str, *, user: str) -> list[dict[str, Any]]:
    """What the entry picker offers for `words` (the block_suggestion Slack sends while someone types)."""
    payload = block_suggestion_payload(view, block_id="entry", action_id="faq_entry", value=words, user=person(user))
    response = app.action(payload)
    assert response.status == 200 and response.headers.get("Content-Type", "").startswith("application/json")
    return list(response.json()["options"])


def submit(app: AppHarness, view: dict[str, Any], *, user: str, **fields: Any) -> HttpResponse:
    """Submit `view` with text fields and chosen options (a dict for a choice)."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, value = block["element"], fields.get(block["block_id"])
        if element["type"] == "plain_text_input":
            state = {"type": element["type"], "value": value if value is not None else element.get("initial_value")}
        else:
            state = {"type": element["type"], "selected_option": value or element.get("initial_option")}
        values[block["block_id"]] = {element["action_id"]: state}
    return app.action(view_submission_payload(view, values, user=person(user)))


def opened(app: AppHarness, count: int = 1) -> dict[str, Any]:
    call = app.fake.wait_for_calls("views.open", count)[-1]
    return call.response["view"] if call.response else call.args["view"]


def bot_replies(app: AppHarness, count: int, channel: str = "C0FAQ") -> list[Call]:
    return app.fake.wait_for_calls("chat.postMessage", count, where=lambda c: c.args["channel"] == channel)


def ask(app: AppHarness, text: str, *, user: str = CUSTOMER, channel: str = "C0FAQ") -> dict[str, Any]:
    """Someone asks the bot (a mention: it always replies); returns the event."""
    _, event = app.message(f"<@UBOT> {text}", user=user, channel=channel)
    app.message(f"<@UBOT> {text}", user=user, channel=channel, ts=event["ts"], event_type="app_mention")
    return event


def answered_with(app: AppHarness, text: str, count: int) -> str:
    """Ask `text`; the reply (the `count`-th bot post in #faq) as text."""
    ask(app, text)
    return blocks_text(bot_replies(app, count)[-1].args)


def rows(db: Database, model: type) -> list[Any]:
    with db.transaction() as session:
        return list(session.exec(select(model)).all())


# --- 「FAQに紐付け」 ----------------------------------------------------------------------------------------------


def test_a_message_linked_to_an_entry_is_answered_from_then_on(app: AppHarness) -> None:
    event = ask(app, RECEIPTS_ASKED)
    assert "見つかりませんでした" in blocks_text(bot_replies(app, 1)[0].args)
    shortcut(app, "faq_link", {"ts": event["ts"], "text": f"<@UBOT> {RECEIPTS_ASKED}", "user": CUSTOMER}, user=AGENT)
    view = opened(app)
    assert view["callback_id"] == "faq_link_view"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["question"]["element"]["initial_value"] == RECEIPTS_ASKED  # the mention taken off
    offered = options(app, view, "締め日", user=AGENT)
    assert [o["text"]["text"] for o in offered][:1] == [CLOSING] and len(offered) <= 100
    done = submit(app, view, user=AGENT, entry=offered[0])
    assert done.json()["response_action"] == "update"
    assert "の言い換えとして学習しました" in blocks_text(done.json()["view"])
    (row,) = rows(app.services.db, FaqPhrasing)
    assert (row.text, row.created_by, row.asked_by, row.message_ts) == (RECEIPTS_ASKED, AGENT, CUSTOMER, event["ts"])

    assert CLOSING in answered_with(app, RECEIPTS + "って何日？", 2)


def test_an_unanswered_question_is_linked_from_the_agents_gap_list(app: AppHarness) -> None:
    ask(app, RECEIPTS_ASKED)
    bot_replies(app, 1)
    gaps = app.command("/faq", "gaps", user=AGENT2)  # an agent through the user group
    listed = {**gaps.json(), "ts": "1"}
    button, block_id = find_button(listed, "faq_link_gap")
    assert button["value"] == RECEIPTS_ASKED
    payload = {
        "type": "block_actions",
        "user": person(AGENT2),
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "trigger_id": "trigger.gap",
        "response_url": app.fake.new_response_url(),
        "container": {"type": "message", "is_ephemeral": True, "channel_id": "C0FAQ"},
        "channel": {"id": "C0FAQ", "name": "c0faq"},
        "actions": [{"type": "button", "action_id": "faq_link_gap", "block_id": block_id, "value": button["value"]}],
    }
    assert app.action(payload).status == 200
    view = opened(app)
    submit(app, view, user=AGENT2, entry=options(app, view, "経費", user=AGENT2)[0])
    assert "回答できなかった質問はまだありません" in blocks_text(app.command("/faq", "gaps", user=AGENT).json())


# --- 「FAQに追加」 -------------------------------------------------------------------------------------------------


def test_a_thread_answer_becomes_an_entry_once_an_agent_approves_it(app: AppHarness) -> None:
    question = ask(app, PARKING)
    bot_replies(app, 1)
    _, answer = app.message("総務ポータルの「駐車場予約」から予約してください。", user=AGENT, thread_ts=question["ts"])
    message = {"ts": answer["ts"], "thread_ts": question["ts"], "text": answer["text"], "user": AGENT}
    shortcut(app, "faq_add", message, user=AGENT)
    view = opened(app)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert view["callback_id"] == "faq_add_view"
    assert blocks["question"]["element"]["initial_value"] == PARKING  # the thread's question, as the bot has it
    assert blocks["answer"]["element"]["initial_value"] == "総務ポータルの「駐車場予約」から予約してください。"
    categories = [o["value"] for o in blocks["category"]["element"]["options"]]
    assert categories == ["勤怠", "経費"]
    bad = submit(app, view, user=AGENT, links="予約ガイド intra.example.com").json()
    assert bad["response_action"] == "errors" and set(bad["errors"]) == {"links"}
    done = submit(app, view, user=AGENT, links="予約ガイド https://intra.example.com/parking")
    assert done.json()["response_action"] == "update"

    (review,) = app.fake.wait_for_calls("chat.postMessage", where=lambda c: c.args["channel"] == "C0CASES")
    assert "下書きしました" in blocks_text(review.args) and PARKING in blocks_text(review.args)
    assert "見つかりませんでした" in answered_with(app, "駐車場を予約したい", 2)  # a draft does not answer
    refused = press(app, posted(review), "faq_draft_approve", user=CUSTOMER)
    assert "サポート担当者のみ" in reply(app, refused)["text"]
    url = press(app, posted(review), "faq_draft_approve", user=AGENT2)
    assert reply(app, url)["replace_original"] is True and "承認しました" in blocks_text(reply(app, url))
    assert "総務ポータル" in answered_with(app, "駐車場を予約したい", 3)
    (draft,) = rows(app.services.db, FaqDraft)
    assert (draft.created_by, draft.reviewed_by, draft.message_ts) == (AGENT, AGENT2, answer["ts"])


def test_a_thread_the_bot_never_handled_gives_its_question_through_slack(app: AppHarness) -> None:
    _, root = app.message("月末の締め処理はいつ終わりますか", user=CUSTOMER, channel="C0RANDOM")
    _, answer = app.message("毎月3営業日目に終わります", user=AGENT, channel="C0RANDOM", thread_ts=root["ts"])
    message = {"ts": answer["ts"], "thread_ts": root["ts"], "text": answer["text"], "user": AGENT}
    shortcut(app, "faq_add", message, user=AGENT, channel="C0RANDOM")
    blocks = {b.get("block_id"): b for b in opened(app)["blocks"]}
    assert blocks["question"]["element"]["initial_value"] == "月末の締め処理はいつ終わりますか"
    assert app.fake.calls("conversations.replies")


# --- confirmed suggestions -------------------------------------------------------------------------------------


def test_a_picked_suggestion_marked_solved_is_learned_once_an_agent_confirms_it(app: AppHarness) -> None:
    question = ask(app, FORGOT)
    suggestions = posted(bot_replies(app, 1)[0])
    assert "もしかして" in suggestions["text"]
    press(app, suggestions, "faq_pick_", user=CUSTOMER, channel="C0FAQ")
    answer = posted(bot_replies(app, 2)[1])
    assert answer["thread_ts"] == question["ts"] and "打刻忘れの修正方法は？" in blocks_text(answer)
    thanks = press(app, answer, "faq_resolved", user=CUSTOMER, channel="C0FAQ")
    assert reply(app, thanks)["text"].startswith("フィードバックありがとうございます")
    note = posted(bot_replies(app, 3)[2])
    assert note["thread_ts"] == question["ts"] and "言い換え候補" in note["text"]

    refused = press(app, note, "faq_confirm_candidate", user=CUSTOMER, channel="C0FAQ")
    assert "サポート担当者のみ" in reply(app, refused)["text"]
    assert "もしかして" in answered_with(app, FORGOT, 4)  # not learned: a candidate until an agent confirms
    url = press(app, note, "faq_confirm_candidate", user=AGENT, channel="C0FAQ")
    assert reply(app, url)["replace_original"] is True and "確認しました" in reply(app, url)["text"]
    assert "勤怠画面の「修正申請」" in answered_with(app, FORGOT, 5)


def test_what_was_learned_is_listed_and_removed_by_an_agent(app: AppHarness) -> None:
    question = ask(app, FORGOT)
    press(app, posted(bot_replies(app, 1)[0]), "faq_pick_", user=AGENT, channel="C0FAQ")
    url = press(app, posted(bot_replies(app, 2)[1]), "faq_resolved", user=AGENT, channel="C0FAQ")
    assert "の言い換えとして学習しました" in reply(app, url)["text"]  # an agent's 「解決しました」: learned
    assert "勤怠画面の「修正申請」" in answered_with(app, FORGOT, 3)
    listed = app.command("/faq", "learned", user=AGENT).json()
    assert "`p1` [学習済み] 「出勤ボタン押し忘れた」 → 打刻忘れの修正方法は？" in blocks_text(listed)
    click = {**listed, "ts": question["ts"]}
    button, block_id = find_button(click, "faq_learned_remove")
    payload = {
        "type": "block_actions",
        "user": person(AGENT),
        "api_app_id": "A0APP",
        "team": {"id": "T0TEAM", "domain": "fake"},
        "trigger_id": "trigger.remove",
        "response_url": (url := app.fake.new_response_url()),
        "container": {"type": "message", "is_ephemeral": True, "channel_id": "C0FAQ"},
        "channel": {"id": "C0FAQ", "name": "c0faq"},
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": block_id, "value": "p1"}],
    }
    app.action(payload)
    assert "学習した内容はまだありません" in reply(app, url)["text"]
    assert "もしかして" in answered_with(app, FORGOT, 4)


# --- no dead ends, no debug output ----------------------------------------------------------------------------


def test_suggestions_and_nothing_found_lead_to_the_case_form(app: AppHarness) -> None:
    question = ask(app, FORGOT)
    suggestions = posted(bot_replies(app, 1)[0])
    find_button(suggestions, "faq_open_case")
    press(app, suggestions, "faq_none_match", user=CUSTOMER, channel="C0FAQ")
    form = opened(app)
    blocks = {b.get("block_id"): b for b in form["blocks"]}
    assert form["callback_id"] == "case_open_view" and blocks["title"]["element"]["initial_value"] == FORGOT
    assert "FAQの候補には該当するものがありませんでした" in blocks["description"]["element"]["initial_value"]
    app.fake.wait_for(lambda: rows(app.services.db, FaqMiss))
    (miss,) = rows(app.services.db, FaqMiss)
    assert (miss.message_ts, miss.user_id) == (question["ts"], CUSTOMER)

    ask(app, PARKING)
    nothing = posted(bot_replies(app, 2)[1])
    press(app, nothing, "faq_open_case", user=CUSTOMER, channel="C0FAQ")
    blocks = {b.get("block_id"): b for b in opened(app, 2)["blocks"]}
    assert blocks["title"]["element"]["initial_value"] == PARKING
    assert "FAQに該当する回答がありませんでした" in blocks["description"]["element"]["initial_value"]


def test_scores_and_sources_are_shown_to_agents_only(app: AppHarness) -> None:
    answer = answered_with(app, "有給の残日数を確認したい", 1)
    assert "有給休暇の残日数" in answer and "hr.md" not in answer and "出典" not in answer
    customer = blocks_text(app.command("/faq", "有給の残日数", user=CUSTOMER).json())
    agent = blocks_text(app.command("/faq", "有給の残日数", user=AGENT).json())
    assert "有給休暇の残日数" in customer and "一致度" not in customer and "hr.md" not in customer
    assert "一致度" in agent and "`hr.md:9`" in agent and "判定: 回答する" in agent


def test_direct_messages_are_answered_inline(app: AppHarness) -> None:
    app.message("有給の残日数を確認したい", user=CUSTOMER, channel="D0CUSTOMER")
    (answer,) = bot_replies(app, 1, channel="D0CUSTOMER")
    assert "thread_ts" not in answer.args and "有給休暇の残日数" in blocks_text(answer.args)
    app.message(FORGOT, user=CUSTOMER, channel="D0CUSTOMER")
    suggestions = posted(bot_replies(app, 2, channel="D0CUSTOMER")[1])
    assert "thread_ts" not in suggestions
    press(app, suggestions, "faq_pick_", user=CUSTOMER, channel="D0CUSTOMER")
    picked = bot_replies(app, 3, channel="D0CUSTOMER")[2]
    assert "thread_ts" not in picked.args and "打刻忘れの修正方法は？" in blocks_text(picked.args)


# --- only agents teach --------------------------------------------------------------------------------------------


def test_someone_who_is_not_an_agent_is_refused_politely_and_nothing_changes(app: AppHarness) -> None:
    event = ask(app, RECEIPTS_ASKED)
    bot_replies(app, 1)
    message = {"ts": event["ts"], "text": RECEIPTS_ASKED, "user": CUSTOMER}
    for callback in ("faq_link", "faq_add"):
        url = shortcut(app, callback, message, user=CUSTOMER)
        answer = reply(app, url)
        assert answer["response_type"] == "ephemeral" and "サポート担当者のみ" in answer["text"]
    assert app.fake.calls("views.open") == []
    for sub in ("gaps", "learned", "reload"):
        assert "サポート担当者のみ" in app.command("/faq", sub, user=CUSTOMER).body

    shortcut(app, "faq_link", message, user=AGENT)  # a form an agent opened, submitted by someone else
    view = opened(app)
    assert options(app, view, "締め日", user=CUSTOMER) == []
    refused = submit(app, view, user=CUSTOMER, entry={"text": {"type": "plain_text", "text": CLOSING}, "value": "x"})
    assert (
        refused.json()["response_action"] == "errors" and "サポート担当者のみ" in refused.json()["errors"]["question"]
    )
    assert rows(app.services.db, FaqPhrasing) == [] and rows(app.services.db, FaqDraft) == []


# --- replicas and knowledge files --------------------------------------------------------------------------------


def test_a_second_replica_answers_what_the_first_was_taught(
    app: AppHarness, db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge: Path
) -> None:
    other = harness(fake_slack, db, clock, knowledge)  # its own index; only the database is shared
    try:
        event = ask(app, RECEIPTS_ASKED)
        bot_replies(app, 1)
        shortcut(app, "faq_link", {"ts": event["ts"], "text": RECEIPTS_ASKED, "user": CUSTOMER}, user=AGENT)
        view = opened(app)
        submit(app, view, user=AGENT, entry=options(app, view, "締め日", user=AGENT)[0])
        jobs.periodic_jobs(other.services)["faq_sync"]()  # the other replica's scheduled job, run now
        ask(other, RECEIPTS + "って何日？")
        assert CLOSING in blocks_text(bot_replies(other, 2)[-1].args)
    finally:
        other.stop()


def test_knowledge_files_are_reloaded_and_a_broken_one_is_named_with_its_line(app: AppHarness, knowledge: Path) -> None:
    hr = knowledge / "hr.md"
    hr.write_text(
        hr.read_text(encoding="utf-8")
        + "\n### Q: 社用車の駐車場を予約するには？\n\n**A**: 総務ポータルから予約します。\n",
        encoding="utf-8",
    )
    assert app.command("/faq", "reload", user=AGENT).status == 200
    (said,) = app.fake.wait_for_calls("response_url")
    assert "hr.md: 追加 1・変更 0・削除 0" in said.args["text"]
    assert "総務ポータルから予約します" in answered_with(app, PARKING, 1)

    broken = hr.read_text(encoding="utf-8") + "\n### Q: 書きかけの質問\n"
    hr.write_text(broken, encoding="utf-8")
    app.command("/faq", "reload", user=AGENT)
    said = app.fake.wait_for_calls("response_url", 2)[-1]
    line = broken.split("\n").index("### Q: 書きかけの質問") + 1
    assert f"`hr.md:{line}`" in said.args["text"] and "前回読み込めた内容のまま" in said.args["text"]
    assert "総務ポータルから予約します" in answered_with(app, PARKING, 2)  # the last good version answers
