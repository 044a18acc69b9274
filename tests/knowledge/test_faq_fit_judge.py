"""`benchmarks/faq_fit_judge.py --without NAME`: the leave-one-base-out figures with a feature left
out, which is how docs/faq-measurements.md says what each kind of evidence adds."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faq_fit_judge  # noqa: E402
import faq_judge_rows  # noqa: E402

from knowledge.confidence import FEATURES, TreeModel, shipped_model  # noqa: E402


def searched(evidence: list[float] | None) -> faq_judge_rows.Searched:
    return faq_judge_rows.Searched("foreign", "hr", "hr", True, evidence, True, "right")


def test_without_leaves_the_named_features_out_of_every_rows_evidence() -> None:
    values = [float(i) for i in range(len(FEATURES))]
    rows, names = faq_fit_judge.without([searched(values), searched(None)], ["lexical_lead", "closest_by_sentence"])
    assert names == tuple(n for n in FEATURES if n not in ("lexical_lead", "closest_by_sentence"))
    assert rows[0].evidence == [values[FEATURES.index(n)] for n in names] and rows[1].evidence is None


def test_without_refuses_a_feature_it_does_not_have_and_a_write() -> None:
    with pytest.raises(SystemExit, match="no feature cosine_of_nothing"):
        faq_fit_judge.without([searched(None)], ["cosine_of_nothing"])
    with pytest.raises(SystemExit, match="drop --without"):
        faq_fit_judge.main(["--write", "--without", "lexical_lead"])


def test_by_style_says_where_right_answers_are_lost() -> None:
    rows = [
        faq_judge_rows.Searched("foreign", "hr", "hr", True, [0.0], True, "", "enduser", "in_scope"),
        faq_judge_rows.Searched("foreign", "hr", "hr", True, [0.0], True, "", "enduser", "in_scope"),
        faq_judge_rows.Searched("foreign", "hr", "hr", True, [0.0], False, "", "enduser", "in_scope"),
        faq_judge_rows.Searched("foreign", "hr", "hr", True, None, False, "", "keywords", "in_scope"),
        faq_judge_rows.Searched("foreign", "hr", "hr", False, [0.0], False, "", "", "near_miss"),
        faq_judge_rows.Searched("foreign", "hr", "hr", False, [0.0], False, "", "polite", "near_miss"),
        faq_judge_rows.Searched("taught", "hr", "hr", False, [0.0], False, ""),
        faq_judge_rows.Searched("taught", "hr", "hr", False, [0.0], False, "", "polite", "oos"),  # an older label
    ]
    answered = {0: "right", 2: "wrong", 4: "wrong", 7: "wrong"}
    found = faq_fit_judge.by_style(rows, lambda number, row: answered.get(number, ""))
    # enduser: 2 of 3 ranked first, 1 of 3 answered right; a near miss: 1 of 2 answered
    assert found["foreign"] == {
        "enduser": [0.667, 0.333], "keywords": [0.0, 0.0], "in_scope": [0.5, 0.25], "near_miss": [0.5]
    }  # fmt: skip
    assert found["taught"] == {"out_of_scope": [0.5]}  # every other out-of-scope question, counted as one kind


def test_near_misses_weigh_more_when_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    """`fit` hands LightGBM one weight per judged row: a near miss counts `near_miss_weight`
    questions, every other row (and an older set's row without a kind) one; silent rows are left out."""
    given: dict[str, Any] = {}

    class Booster:
        def dump_model(self) -> dict[str, Any]:
            return {"tree_info": [{"tree_structure": {"leaf_value": 0.5}}]}

    fake = types.SimpleNamespace(
        Dataset=lambda features, labels, weight: given.update(labels=labels.tolist(), weight=weight.tolist()),
        train=lambda params, data, rounds: Booster(),
    )
    monkeypatch.setitem(sys.modules, "lightgbm", fake)
    rows = [
        faq_judge_rows.Searched("foreign", "hr", "hr", True, [0.0], True, "", "polite", "in_scope"),
        faq_judge_rows.Searched("foreign", "hr", "hr", False, [0.0], False, "", "polite", "near_miss"),
        faq_judge_rows.Searched("foreign", "hr", "hr", False, None, False, "", "", "near_miss"),  # silent
        faq_judge_rows.Searched("foreign", "hr", "hr", False, [0.0], False, "", "", "out_of_scope"),
        faq_judge_rows.Searched("bundled", "bundled", "bundled-r3", False, [0.0], False, ""),  # no kind
    ]
    faq_fit_judge.fit(rows, 1, ("lexical_score",), near_miss_weight=3.0)
    assert given == {"labels": [1.0, 0.0, 0.0, 0.0], "weight": [1.0, 3.0, 1.0, 1.0]}
    faq_fit_judge.fit(rows, 1, ("lexical_score",))
    assert given["weight"] == [1.0, faq_fit_judge.NEAR_MISS_WEIGHT, 1.0, 1.0]  # the shipped weight by default


def test_deeper_trees_are_fitted_on_every_candidate_and_choose_the_likeliest() -> None:
    """`--depth N`: a row for each of a question's first N candidates, labelled by whether it is the
    expected entry; judged, the likeliest of them goes first (as `knowledge.confidence.judged` does)."""
    row = faq_judge_rows.Searched(
        "foreign", "hr", "hr", True, [0.1], False, "", candidates=[[0.1], [0.9], [0.5]], right_at=1
    )
    assert [(r.evidence, r.right) for r in faq_fit_judge.by_candidate([row], 2)] == [([0.1], False), ([0.9], True)]
    first = TreeModel(("x",), (((0, 0.5, 1, 2, 0.0), (-1, 0.0, 0, 0, -1.0), (-1, 0.0, 0, 0, 1.0)),))
    probability, right = faq_fit_judge.choose(first, row, 3)
    assert right and probability == pytest.approx(1 / (1 + math.exp(-1.0)))  # [0.9] beats [0.1]; [0.5] ties it later
    assert faq_fit_judge.choose(first, row, 1) == (pytest.approx(1 / (1 + math.exp(1.0))), False)
    # rows kept before candidates were: the first is their only candidate
    older = faq_judge_rows.Searched("foreign", "hr", "hr", True, [0.3], True, "right")
    assert older.candidates == [[0.3]] and older.right_at == 0


def test_the_shipped_trees_weigh_as_many_candidates_as_the_fit_says() -> None:
    """`--write` records the depth it fitted with; the bot weighs that many candidates."""
    assert shipped_model().depth == faq_fit_judge.DEPTH >= 1


def test_searches_the_lexical_judge_left_silent_are_judged_but_not_fitted_on() -> None:
    """Since round 17 the bot's trees weigh every search; they are fitted on those the lexical judge
    spoke on (`--fit-silent` was tried and left out), and `--keep-lexical-silence` judges as before."""
    spoken = faq_judge_rows.Searched("foreign", "hr", "hr", True, [0.5], True, "", candidates=[[0.5]], right_at=0)
    silent = faq_judge_rows.Searched(
        "foreign", "hr", "hr", True, [0.1], True, "", candidates=[[0.1], [0.2]], right_at=0, lexical_silent=True
    )
    kept = faq_fit_judge.without_silence([spoken, silent])
    assert kept[0] == spoken
    assert kept[1].evidence is None and kept[1].candidates == [] and not kept[1].right and kept[1].right_at == -1
    assert len(faq_fit_judge.by_candidate(kept, 2)) == 1 and len(faq_fit_judge.by_candidate([spoken, silent], 2)) == 3
    judged, fitted = faq_fit_judge.judged_and_fitted([spoken, silent])  # the default: judge all, fit on spoken
    assert judged == [spoken, silent] and fitted == kept
    assert faq_fit_judge.judged_and_fitted([spoken, silent], keep_lexical_silence=True) == (kept, kept)
    assert faq_fit_judge.judged_and_fitted([spoken, silent], fit_silent=True) == ([spoken, silent], [spoken, silent])


def test_the_trees_are_searched_with_fold_maps_only_when_the_bot_ships_a_map(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each set is searched with a question map that never saw it (`faq_fit_adapter.fold_maps`); a bot
    without a map searches unmapped, and so are its trees fitted."""
    from knowledge import dense_adapter

    monkeypatch.setattr(dense_adapter, "query_map", lambda: None)
    assert faq_judge_rows.fold_maps() == {}
    maps = {"hr": object()}
    monkeypatch.setattr(dense_adapter, "query_map", lambda: object())
    monkeypatch.setattr(faq_judge_rows.faq_fit_adapter, "load_sets", lambda: ["sets"])
    monkeypatch.setattr(faq_judge_rows.faq_fit_adapter, "fold_maps", lambda sets: maps if sets == ["sets"] else {})
    assert faq_judge_rows.fold_maps() is maps


def test_remembered_queries_embed_each_text_once_across_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The judge's rows are searched with the model's own vector for each exact text, read back from
    the cache folder on the next run instead of embedded again; the model is left as it was."""
    calls: list[str] = []

    class Model:
        def query(self, text: str) -> list[float]:
            calls.append(text)
            return [float(len(text)), 1.0]

    model = Model()
    monkeypatch.setattr(faq_judge_rows.dense, "load_model", lambda: model)
    for run in range(2):
        with faq_judge_rows.remembered_queries(tmp_path):
            assert model.query("ログイン") == pytest.approx([4.0, 1.0])
            assert model.query("ログイン") == pytest.approx([4.0, 1.0])
            assert model.query("sso" * run) == pytest.approx([3.0 * run, 1.0])
        assert "query" not in vars(model)
    assert calls == ["ログイン", "", "sso"]
    with faq_judge_rows.remembered_queries(None):
        model.query("ログイン")
    assert calls[-1] == "ログイン"


def test_as_round_14_judges_the_later_sets_with_trees_fitted_on_round_14s() -> None:
    """`--since-round-14 --fitted-on-round-14`: how round 22 compared the trees fitted on round 14's 63
    sets with trees fitted on every set, on the sets published since."""
    early, late = faq_judge_rows.ROUND_14_SETS[0], "petsitter"
    assert late not in faq_judge_rows.ROUND_14_SETS and late in faq_judge_rows.JUDGE_SETS
    rows = [faq_judge_rows.Searched("foreign", name, name, True, [0.0], True, "") for name in (early, late)]
    assert faq_fit_judge.as_round_14(rows, rows, False, False) == (rows, rows)
    assert faq_fit_judge.as_round_14(rows, rows, True, False) == ([rows[1]], rows)
    assert faq_fit_judge.as_round_14(rows, rows, True, True) == ([rows[1]], [rows[0]])


def test_the_fitting_sets_are_published_sets_named_once() -> None:
    """A misspelt or unpacked name (`*("wms")` is three letters) would fit on less than the README says."""
    published = {folder.name for folder in (ROOT / "benchmarks" / "data" / "faq").iterdir() if folder.is_dir()}
    for names in (faq_judge_rows.JUDGE_SETS, faq_judge_rows.AS_SHIPPED_SETS, faq_judge_rows.ROUND_14_SETS):
        assert len(set(names)) == len(names) and set(names) <= published
    assert len(faq_judge_rows.JUDGE_SETS) == 117 and len(faq_judge_rows.ROUND_14_SETS) == 63
    assert len(faq_judge_rows.AS_SHIPPED_SETS) == 144 and len(faq_judge_rows.TREES_SETS) == 126
    assert set(faq_judge_rows.ROUND_14_SETS) < set(faq_judge_rows.JUDGE_SETS)
    shipped = json.loads((ROOT / "knowledge" / "confidence.json").read_text(encoding="utf-8"))["sets"]
    assert sorted(shipped) == sorted(faq_judge_rows.TREES_SETS)  # the file says what it was fitted on (round 35)


def test_the_shipped_trees_name_the_command_that_fits_them_again() -> None:
    """Round 35's trees are fitted on the first TREES_BATCHES as-shipped batches; later batches must not
    slip into a refit that claims to reproduce them."""
    comment = json.loads((ROOT / "knowledge" / "confidence.json").read_text(encoding="utf-8"))["_comment"]
    command = faq_fit_judge.written_by(True, faq_judge_rows.TREES_BATCHES)
    assert command == "python benchmarks/faq_fit_judge.py --as-shipped --first-batches 21 --write"
    assert f"Written by `{command}`" in comment
    assert faq_fit_judge.written_by(False, None) == "python benchmarks/faq_fit_judge.py --write"


def test_the_as_shipped_sets_are_ones_the_shipped_map_never_saw() -> None:
    """Searched with the shipped map, they are what a team's own FAQ is to the bot only if the map was
    not fitted on them; a batch is left out whole (`--by-batch`), any other set by its base."""
    assert not set(faq_judge_rows.AS_SHIPPED_SETS) & set(faq_judge_rows.faq_fit_adapter.ADAPTER_SETS)
    karaoke = faq_judge_rows.Searched("foreign", "karaoke", "karaoke", True, None, False, "")
    bundled = faq_judge_rows.Searched("bundled", "bundled", "bundled-r25", True, None, False, "")
    other = faq_judge_rows.Searched("foreign", "hr", "hr", True, None, False, "")
    batch = next(b for b in faq_judge_rows.AS_SHIPPED_BATCHES if "karaoke" in b)
    assert faq_judge_rows.batch_of(karaoke) == faq_judge_rows.batch_of(bundled) == batch[0]
    assert faq_judge_rows.batch_of(other) == "hr"


def test_the_sets_are_searched_with_the_shipped_map_unless_given_fold_maps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`searched` leaves the shipped map in force without `maps` (`--as-shipped`, what the bot does); with
    them each set is searched inside `dense_adapter.fitting_with` its own map (None: unmapped)."""
    seen: list[tuple[str, object]] = []
    searching_with: list[object] = ["shipped"]
    monkeypatch.setattr(faq_judge_rows.faq_quality, "set_folders", lambda names: [tmp_path / n for n in names])

    @contextmanager
    def fitting_with(matrix: object) -> Iterator[None]:
        searching_with.append(matrix)
        yield
        searching_with.pop()

    def search_all(folder: Path, taught: bool) -> list[faq_judge_rows.Searched]:
        seen.append((folder.name, searching_with[-1]))
        return []

    monkeypatch.setattr(faq_judge_rows.dense_adapter, "fitting_with", fitting_with)
    monkeypatch.setattr(faq_judge_rows, "search_all", search_all)
    monkeypatch.delenv("SUPPORTBOT_FAQ_INDEX_CACHE", raising=False)
    faq_judge_rows.searched(None, ["hr", "ec"])
    fold = object()
    faq_judge_rows.searched(None, ["hr", "ec"], {"hr": fold})
    assert seen == [("hr", "shipped"), ("ec", "shipped"), ("hr", fold), ("ec", None)]


def test_kept_rows_of_other_sets_are_refused_and_batches_need_the_as_shipped_sets(tmp_path: Path) -> None:
    """A `--rows` file kept for the fold-mapped sets must not be judged as the as-shipped ones (nor the
    other way round), and `--by-batch` only has batches among the as-shipped sets."""
    rows = [faq_judge_rows.Searched("foreign", name, name, True, None, False, "") for name in ("hr", "ec")]
    kept = tmp_path / "rows.json"
    kept.write_text(json.dumps([dataclasses.asdict(row) for row in rows]), encoding="utf-8")
    every_as_shipped_set = ", ".join(sorted(faq_judge_rows.AS_SHIPPED_SETS))
    with pytest.raises(SystemExit, match=f"--rows holds no searches of {re.escape(every_as_shipped_set)}: keep them"):
        faq_fit_judge.main(["--as-shipped", "--rows", str(kept)])
    with pytest.raises(SystemExit, match="add --as-shipped"):
        faq_fit_judge.main(["--by-batch", "--rows", str(kept)])


def test_average_with_judges_by_the_mean_log_odds_of_both_models(tmp_path: Path) -> None:
    """`--average-with FILE`: one model of both models' trees, halved, so the bot reads it as any other
    `confidence.json`; a file of other features or depth, or no model at all, is refused."""
    shipped = shipped_model()
    fitted = dataclasses.replace(shipped, trees=shipped.trees[:40])
    both = faq_fit_judge.averaged(fitted, shipped)
    assert len(both.trees) == len(fitted.trees) + len(shipped.trees) and both.depth == shipped.depth
    for values in ([0.0] * len(FEATURES), [0.5] * len(FEATURES), [float(i) / 10 for i in range(len(FEATURES))]):
        mean = (fitted.log_odds(values) + shipped.log_odds(values)) / 2
        assert both.log_odds(values) == pytest.approx(mean, abs=1e-5)
    with pytest.raises(SystemExit, match="different features or depths"):
        faq_fit_judge.averaged(dataclasses.replace(fitted, depth=shipped.depth + 1), shipped)
    (tmp_path / "bad.json").write_text('{"sets": []}', encoding="utf-8")
    for path in (tmp_path / "bad.json", tmp_path / "missing.json"):
        with pytest.raises(SystemExit, match=r"--average-with: .* is not a confidence.json of this version"):
            faq_fit_judge.main(["--as-shipped", "--average-with", str(path)])


def test_first_batches_takes_the_as_shipped_sets_an_earlier_round_had(tmp_path: Path) -> None:
    """`--first-batches N`: the sets of the first N batches, in order; fewer than two leave nothing to
    fit on when one is left out, and it counts only batches of the as-shipped sets."""
    assert faq_fit_judge.as_shipped() == faq_judge_rows.AS_SHIPPED_SETS
    six = faq_fit_judge.as_shipped(6)
    assert six == tuple(name for batch in faq_judge_rows.AS_SHIPPED_BATCHES[:6] for name in batch)
    assert len(six) == 36 and six[-1] == "bundled-r28"
    for wrong in (1, len(faq_judge_rows.AS_SHIPPED_BATCHES) + 1):
        with pytest.raises(SystemExit, match="--first-batches: from 2"):
            faq_fit_judge.as_shipped(wrong)
    with pytest.raises(SystemExit, match="add --as-shipped"):
        faq_fit_judge.main(["--first-batches", "6", "--rows", str(tmp_path / "rows.json")])
