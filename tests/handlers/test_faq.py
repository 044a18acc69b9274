"""FAQ end to end: signed HTTP requests into the real app, Web API calls into the fake Slack."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.signing import event_body
from bot.models import FaqFeedback, FaqReply, UnansweredQuestion
from knowledge.search import KnowledgeIndex
from tests.harness import AppHarness, blocks_text, find_button, make_config

SSO_QUESTION = "SSOってどのIdPに対応してましたっけ？"


def bot_posts(app: AppHarness, channel: str = "C0FAQ") -> list[dict]:
    return [m for m in app.fake.messages(channel) if m.get("bot_id")]


def rows(db: Database, model: type) -> list:
    with db.transaction() as session:
        return list(session.exec(select(model)).all())


def test_question_is_answered_in_its_thread(app: AppHarness) -> None:
    response, event = app.message(SSO_QUESTION)
    assert response.status == 200
    (call,) = app.fake.wait_for_calls("chat.postMessage")
    assert call.args["channel"] == "C0FAQ"
    assert call.args["thread_ts"] == event["ts"]
    text = blocks_text(call.args)
    assert "SSOはどのIdPに対応していますか？" in text
    assert "Okta" in text
    assert "faq.md" not in text and "出典" not in text  # where an answer is written is for agents (`/faq`)
    find_button(call.args, "faq_resolved")
    find_button(call.args, "faq_unresolved")


def test_chit_chat_and_other_channels_are_ignored(app: AppHarness) -> None:
    app.message("お疲れさまです〜")
    app.message("今日のランチどこ行きます？")
    app.message(SSO_QUESTION, channel="C0RANDOM")  # not an FAQ channel
    app.message(SSO_QUESTION, event_type="message", subtype="message_changed")
    app.message(SSO_QUESTION, bot_id="B0OTHER")
    app.settle()  # every listener has finished, having posted nothing
    assert app.fake.calls("chat.postMessage") == []


def test_a_redelivered_event_is_answered_once(app: AppHarness) -> None:
    _, event = app.message(SSO_QUESTION, event_id="EvSAME1")
    app.message(SSO_QUESTION, ts=event["ts"], event_id="EvSAME1", retry_num=1)
    app.message(SSO_QUESTION, ts=event["ts"], event_id="EvSAME1", retry_num=2)
    app.fake.wait_for_calls("chat.postMessage")
    app.settle()
    assert len(app.fake.calls("chat.postMessage")) == 1


def test_message_and_app_mention_of_one_message_are_answered_once(app: AppHarness) -> None:
    text = f"<@UBOT> {SSO_QUESTION}"
    _, event = app.message(text)
    app.message(text, ts=event["ts"], event_type="app_mention")
    app.fake.wait_for_calls("chat.postMessage")
    app.settle()
    assert len(app.fake.calls("chat.postMessage")) == 1


def test_mentions_answer_anywhere_and_say_when_nothing_matches(app: AppHarness, db: Database) -> None:
    app.message("<@UBOT> 来週の飲み会の場所はどこですか", channel="C0RANDOM", event_type="app_mention")
    (call,) = app.fake.wait_for_calls("chat.postMessage")
    assert call.args["channel"] == "C0RANDOM"
    assert "見つかりませんでした" in call.args["text"]
    find_button(call.args, "faq_open_case")  # no dead end: the case form is one click away
    app.fake.wait_for(lambda: rows(db, UnansweredQuestion))


def test_direct_messages_are_answered(app: AppHarness) -> None:
    app.message("パスワード忘れた", channel="D0CUSTOMER")
    (call,) = app.fake.wait_for_calls("chat.postMessage")
    assert "ログインできない" in blocks_text(call.args)


def test_a_thread_the_bot_answered_stays_quiet(app: AppHarness) -> None:
    _, event = app.message(SSO_QUESTION)
    app.fake.wait_for_calls("chat.postMessage")
    app.message("ありがとうございます、解約方法は？", thread_ts=event["ts"])
    app.settle()
    assert len(app.fake.calls("chat.postMessage")) == 1


def test_unanswered_questions_are_recorded_for_the_gap_list(app: AppHarness, db: Database) -> None:
    unanswerable = "社用車の駐車場を予約するにはどうすればいいですか？"  # nothing in the knowledge base
    app.message(SSO_QUESTION, channel="C0FAQ")  # answered: no gap
    app.message(unanswerable, channel="C0FAQ")
    app.message("お疲れさまです〜")  # chit-chat: ignored, no gap
    app.settle()
    assert sorted(reply.decision for reply in rows(db, FaqReply)) == ["answer", "none"]
    gaps = app.services.faq.gaps()
    assert [(g.text, g.count) for g in gaps] == [(unanswerable, 1)]


def test_bad_and_stale_signatures_are_rejected(app: AppHarness) -> None:
    body = event_body({"type": "message", "channel": "C0FAQ", "user": "U1", "text": SSO_QUESTION, "ts": "1.1"})
    bad = app.request(
        "/slack/events",
        body=body,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=00",
        },
    )
    assert bad.status == 401
    stale = app.post_signed(body, timestamp=int(time.time()) - 600)
    assert stale.status == 401
    app.settle()
    assert app.fake.calls("chat.postMessage") == []


def test_faq_command_answers_privately_with_the_top_matches(app: AppHarness) -> None:
    response = app.command("/faq", "請求書の発行")
    assert response.status == 200
    payload = response.json()
    assert payload["response_type"] == "ephemeral"
    assert "請求書の発行は可能ですか？" in blocks_text(payload)
    assert app.fake.calls("chat.postMessage") == []


def test_faq_command_without_a_question_explains_itself(app: AppHarness) -> None:
    response = app.command("/faq", "")
    assert response.status == 200 and "/faq 質問" in response.body


def test_feedback_buttons_are_recorded_and_not_solved_opens_the_case_form(app: AppHarness, db: Database) -> None:
    _, event = app.message(SSO_QUESTION)
    (call,) = app.fake.wait_for_calls("chat.postMessage")
    answer = {**call.args, "ts": call.response["ts"], "thread_ts": event["ts"]}
    solved, block_id = find_button(answer, "faq_resolved")
    assert (
        app.click(
            action_id="faq_resolved",
            value=solved["value"],
            user="U0CUSTOMER",
            channel="C0FAQ",
            message=answer,
            block_id=block_id,
        ).status
        == 200
    )
    app.fake.wait_for_calls("response_url")
    unsolved, block_id = find_button(answer, "faq_unresolved")
    app.click(
        action_id="faq_unresolved",
        value=unsolved["value"],
        user="U0CUSTOMER",
        channel="C0FAQ",
        message=answer,
        block_id=block_id,
    )
    (opened,) = app.fake.wait_for_calls("views.open")
    form = blocks_text(opened.args["view"])
    assert SSO_QUESTION.replace("？", "") in form
    feedback = app.fake.wait_for(lambda: rows(db, FaqFeedback))
    assert len(feedback) == 1 and feedback[0].helpful is False  # the second click changed the vote


@pytest.mark.parametrize("question", ["ﾕｰｻﾞｰ数 上限", "Is there a maximum number of users per plan?"])
def test_paraphrases_and_english_are_answered(app: AppHarness, question: str) -> None:
    app.message(question)
    (call,) = app.fake.wait_for_calls("chat.postMessage")
    assert "ユーザー数の上限はありますか？" in blocks_text(call.args)


def test_suggestions_are_buttons_that_post_the_chosen_answer(
    db: Database, clock: ManualClock, fake_slack: FakeSlack, knowledge_index: KnowledgeIndex
) -> None:
    # Thresholds come from config: at 1.0 only a word-for-word question is answered, so a
    # paraphrase becomes a suggestion.
    config = make_config(faq={"answer_threshold": 1.0, "suggest_threshold": 0.05})
    app = AppHarness(fake=fake_slack, db=db, clock=clock, config=config, index=knowledge_index)
    try:
        _, event = app.message("sso 対応状況おしえて")
        (call,) = app.fake.wait_for_calls("chat.postMessage")
        assert "もしかして" in call.args["text"]
        suggestions = {**call.args, "ts": call.response["ts"], "thread_ts": event["ts"]}
        pick, block_id = find_button(suggestions, "faq_pick_")
        assert pick["text"]["text"] == "SSOはどのIdPに対応していますか？"
        app.click(
            action_id=pick["action_id"],
            value=pick["value"],
            user="U0CUSTOMER",
            channel="C0FAQ",
            message=suggestions,
            block_id=block_id,
        )
        calls = app.fake.wait_for_calls("chat.postMessage", count=2)
        assert calls[1].args["thread_ts"] == event["ts"]
        assert "Okta" in blocks_text(calls[1].args)
    finally:
        app.stop()


def test_short_ascii_questions_get_japanese_labels_and_english_sentences_english(app: AppHarness) -> None:
    app.message("API rate limit?")
    (short,) = app.fake.wait_for_calls("chat.postMessage")
    assert short.args["text"].startswith("FAQの回答") and "解決しました" in blocks_text(short.args)
    app.message("Is there a limit on API requests?")
    sentence = app.fake.wait_for_calls("chat.postMessage", 2)[1]
    assert sentence.args["text"].startswith("FAQ answer") and "Solved" in blocks_text(sentence.args)
