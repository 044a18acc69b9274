"""The question map (`knowledge.dense_adapter`): read safely, applied to questions only, swappable
while fitting; and its fitting (`benchmarks/faq_fit_adapter.py`) on a small problem."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge import dense_adapter
from knowledge.dense import DenseVectors
from knowledge.dense_adapter import adapted, fitting_with, query_map

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faq_fit_adapter  # noqa: E402


class AxisModel:
    """A question or passage's vector is its own text read as numbers (e.g. "1 0 0")."""

    def query(self, text: str) -> np.ndarray:
        return np.array([float(x) for x in text.split()], dtype=np.float32)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.query(t) for t in texts])


def test_a_missing_broken_or_not_square_map_is_no_map(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert query_map(tmp_path / "none.npy") is None
    broken = tmp_path / "broken.npy"
    broken.write_bytes(b"not numpy")
    oblong = tmp_path / "oblong.npy"
    np.save(oblong, np.zeros((2, 3)))
    with caplog.at_level(logging.WARNING):
        assert query_map(broken) is None and query_map(oblong) is None
    assert "not square" in caplog.text and str(broken) in caplog.text


def test_a_map_turns_and_renormalises_a_question_and_leaves_other_sizes_alone(tmp_path: Path) -> None:
    turn = tmp_path / "turn.npy"
    np.save(turn, np.array([[0.0, 2.0], [2.0, 0.0]]))
    matrix = query_map(turn)
    assert matrix is not None and matrix.dtype == np.float32
    assert adapted(np.array([1.0, 0.0], dtype=np.float32), matrix, blend=1.0) == pytest.approx([0.5**0.5] * 2)
    half = adapted(np.array([1.0, 0.0], dtype=np.float32), matrix, blend=0.5)
    assert np.linalg.norm(half) == pytest.approx(1.0) and half[0] > half[1] > 0  # turned part of the way
    three = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    assert adapted(three, matrix) is three and adapted(three, None) is three


def test_the_shipped_map_fits_the_model_and_stays_near_its_reading() -> None:
    matrix = query_map()
    assert matrix is not None and matrix.shape == (384, 384)
    assert np.linalg.norm(matrix - np.eye(384)) < np.linalg.norm(np.eye(384))  # a nudge, not a new space


def test_questions_are_mapped_and_entries_are_not(tmp_path: Path) -> None:
    swap = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    with fitting_with(swap):
        vectors = DenseVectors(AxisModel())
        with fitting_with(None):  # nested: unmapped inside, the swap again after
            plain = DenseVectors(AxisModel())
        assert dense_adapter.current() is swap
    assert vectors.query("1 0") == pytest.approx(adapted(np.array([1.0, 0.0], dtype=np.float32), swap))
    assert vectors.query("1 0")[1] > 0
    assert plain.query("1 0").tolist() == [1.0, 0.0]
    vectors.want(["1 0"])
    assert vectors.wait(5) and vectors.get("1 0").tolist() == [1.0, 0.0]  # type: ignore[union-attr]
    assert dense_adapter.current() is query_map()
    assert vectors.question_map == dense_adapter.BLEND and plain.question_map is None


def test_explain_says_how_the_embeddings_read_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    from knowledge import dense
    from knowledge.search import KnowledgeIndex
    from tests.knowledge.test_dense import ENTRIES, FakeModel

    monkeypatch.setattr(dense, "load_model", lambda: FakeModel())
    with fitting_with(np.eye(4, dtype=np.float32)):
        mapped = KnowledgeIndex.build(ENTRIES, dense="judge")
    with fitting_with(None):
        plain = KnowledgeIndex.build(ENTRIES, dense="judge")
    assert mapped.wait_dense(5) and plain.wait_dense(5)
    assert mapped.explain("解約したい")["question_map"] == dense_adapter.BLEND
    assert "question_map" not in plain.explain("解約したい")


def _set(name: str, turn: np.ndarray) -> faq_fit_adapter.SetVectors:
    """Four entries on the axes; each question is its entry's axis turned by `turn` and blurred."""
    rng = np.random.default_rng(len(name))
    entries = np.eye(4, dtype=np.float32)
    expected = np.repeat(np.arange(4), 5)
    questions = entries[expected] @ turn.T + rng.normal(0, 0.05, (20, 4)).astype(np.float32)
    return faq_fit_adapter.SetVectors(name, entries, questions, expected, np.zeros(20, dtype=bool))


def test_fitting_learns_how_questions_are_worded_across_faqs() -> None:
    """Questions of every set lie turned away from their entries (as users word things unlike an
    FAQ): a map fitted on some sets ranks the entries of a set it never saw right."""
    angle = 0.85  # past 45°: e5 alone would rank the neighbouring entry first
    turn = np.eye(4, dtype=np.float32)
    turn[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    sets = [_set(name, turn) for name in ("aa", "bbb", "cccc", "ddddd")]
    unseen = _set("eeeeee", turn)
    before = faq_fit_adapter.figures([unseen], None)
    fitted = faq_fit_adapter.fit_map(sets, epochs=200, temperature=0.1, ridge=0.0)
    after = faq_fit_adapter.figures([unseen], fitted, blend=faq_fit_adapter.MAP_ALONE)  # what fitting learned
    assert before.first < 0.8 and after.first == 1.0
    blended = faq_fit_adapter.figures([unseen], fitted)  # as the bot blends: part of the way
    assert before.first <= blended.first <= after.first and blended.spread < after.spread


def test_bundled_sets_share_one_fold_and_every_set_gets_a_map_that_never_saw_it() -> None:
    folds = faq_fit_adapter.fold_of(["bundled", "bundled-r3", "hr", "ec", "lms"], folds=2)
    assert folds["bundled"] == folds["bundled-r3"] and len(set(folds.values())) == 2
    turn = np.eye(4, dtype=np.float32)
    sets = [_set(name, turn) for name in ("bundled", "bundled-r3", "hr", "ec")]
    maps = faq_fit_adapter.fold_maps(sets, folds=2, epochs=1)
    assert maps["bundled"] is maps["bundled-r3"] and maps["ec"] is not maps["bundled"]


def _set_with_near_misses(name: str) -> faq_fit_adapter.SetVectors:
    """Four entries on the first axes; in-scope questions blurred around their entry, and near misses
    as close to one entry as they are, set apart only by a fifth axis (their different ask) that no
    in-scope question has."""
    rng = np.random.default_rng(len(name))
    entries = np.eye(5, dtype=np.float32)[:4]
    expected = np.concatenate([np.repeat(np.arange(4), 5), np.full(8, -1)])
    questions = np.eye(5, dtype=np.float32)[np.concatenate([np.repeat(np.arange(4), 5), np.arange(8) % 4])]
    questions[:20, :4] += rng.normal(0, 0.25, (20, 4)).astype(np.float32)
    questions[20:, 4] = 0.45
    return faq_fit_adapter.SetVectors(name, entries, questions, expected, expected < 0)


def test_fitting_with_none_of_these_places_near_misses_below_the_entries() -> None:
    """Near misses drawn to "none of these" teach the map what sets them apart; fitted on in-scope
    questions only, it has no reason to."""
    sets = [_set_with_near_misses(name) for name in ("aa", "bbb", "cccc", "ddddd")]
    unseen = _set_with_near_misses("eeeeee")
    plain = faq_fit_adapter.fit_map(sets, epochs=200, temperature=0.1, ridge=0.0, none_weight=0.0)
    with_none = faq_fit_adapter.fit_map(sets, epochs=200, temperature=0.1, ridge=0.0, none_weight=1.0)
    alone = faq_fit_adapter.MAP_ALONE
    before = faq_fit_adapter.figures([unseen], None)
    without = faq_fit_adapter.figures([unseen], plain, blend=alone)
    learned = faq_fit_adapter.figures([unseen], with_none, blend=alone)
    assert learned.near_miss_auc > max(before.near_miss_auc, without.near_miss_auc) + 0.2
    assert learned.first == 1.0


def test_the_quality_benchmark_measures_with_another_map_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`faq_quality.py --question-map FILE`: what a refitted map does with the shipped trees (round 23)."""
    import faq_quality

    other = tmp_path / "refitted.npy"
    np.save(other, np.eye(3, dtype=np.float32) * 2)
    seen: list[np.ndarray | None] = []
    monkeypatch.setattr(faq_quality, "_measure_all", lambda args: seen.append(dense_adapter.current()) or 0)
    assert faq_quality.main(["--question-map", str(other), "--dense", "off"]) == 0
    assert np.array_equal(seen[0], np.eye(3) * 2)  # type: ignore[arg-type]
    assert dense_adapter.current() is not seen[0]  # only while it measured: the shipped map again
    with pytest.raises(SystemExit, match="not a square"):
        faq_quality.main(["--question-map", str(tmp_path / "missing.npy")])


def test_a_maps_figures_are_measured_on_the_named_sets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`faq_fit_adapter.py --measure MAP --set NAME`: the level and spread a map gives the same questions,
    unmapped and mapped, without fitting anything."""
    import json

    matrix = tmp_path / "map.npy"
    np.save(matrix, np.eye(2, dtype=np.float32))
    figures = faq_fit_adapter.Figures(0.5, 0.6, 0.7, 0.1)
    asked: list[tuple[object, ...]] = []
    monkeypatch.setattr(faq_fit_adapter, "load_sets", lambda names: asked.append(names) or [])
    monkeypatch.setattr(faq_fit_adapter, "figures", lambda sets, used: asked.append((used,)) or figures)
    assert faq_fit_adapter.main(["--measure", str(matrix), "--set", "hr", "--set", "ec"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["map"] for line in lines] == ["unmapped", "mapped"] and lines[1]["level"] == 0.7
    assert asked[0] == ("hr", "ec") and asked[1] == (None,) and np.array_equal(asked[2][0], np.eye(2))  # type: ignore[arg-type]
    with pytest.raises(SystemExit, match="--measure needs --set"):
        faq_fit_adapter.main(["--measure", str(matrix)])
    with pytest.raises(SystemExit, match="not a square"):
        faq_fit_adapter.main(["--measure", str(tmp_path / "missing.npy"), "--set", "hr"])
