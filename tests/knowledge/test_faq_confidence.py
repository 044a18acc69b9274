"""`benchmarks/faq_confidence.py`: the shipped answer confidence read off sets the shipped trees never
saw — the figures at each confidence, and the setting `supportbot faq check` would advise (also what
`benchmarks/faq_fit_judge.py` advises from its leave-one-base-out figures)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faq_confidence  # noqa: E402
import faq_fit_adapter  # noqa: E402
from faq_judge_rows import Searched  # noqa: E402

from knowledge.confidence import TreeModel, shipped_model  # noqa: E402

# One feature: at most 0.5 → log-odds -3 (p 0.047), above → +3 (p 0.953); two candidates weighed.
MODEL = TreeModel(("x",), (((0, 0.5, 1, 2, 0.0), (-1, 0.0, 0, 0, -3.0), (-1, 0.0, 0, 0, 3.0)),), depth=2)


def row(group: str, in_scope: bool, candidates: list[list[float]], right_at: int = -1) -> Searched:
    evidence = candidates[0] if candidates else None
    return Searched(
        group, group, group, in_scope, evidence, right_at == 0, "", candidates=candidates, right_at=right_at
    )


def test_the_likeliest_candidate_is_judged_as_the_bot_chooses_it() -> None:
    rows = [
        row("foreign", True, [[0.9], [0.1]], right_at=0),  # sure, and right
        row("foreign", True, [[0.1], [0.9]], right_at=0),  # the second is likelier: it answers, wrongly
        row("foreign", True, [[0.1], [0.2]], right_at=1),  # unsure of both
        row("foreign", False, []),  # the lexical judge found nothing: nothing to weigh
    ]
    found = faq_confidence.judged(rows, MODEL)
    assert [round(p, 3) for _, p in found] == [0.953, 0.953, 0.047, 0.0]
    assert [r.right for r, _ in found] == [True, False, False, False]


def test_the_sweep_counts_right_wrong_and_out_of_scope_answered_at_each_confidence() -> None:
    weighed = [
        (row("foreign", True, [[0.0]], 0), 0.95),
        (row("foreign", True, [[0.0]], 0), 0.74),
        (row("foreign", True, [[0.0]], 1), 0.80),  # answers another entry from 0.80 down
        (row("foreign", False, [[0.0]]), 0.78),
        (row("bundled", True, [[0.0]], 0), 0.90),
    ]
    figures = faq_confidence.sweep(weighed)
    at = {f["answer_confidence"]: f for f in figures["foreign"]}
    assert (at[0.7]["top1"], at[0.7]["wrong"], at[0.7]["oos_answered"]) == (0.667, 0.333, 1.0)
    assert (at[0.79]["top1"], at[0.79]["wrong"], at[0.79]["oos_answered"]) == (0.333, 0.333, 0.0)
    assert (at[0.81]["top1"], at[0.81]["wrong"], at[0.81]["oos_answered"]) == (0.333, 0.0, 0.0)
    assert at[0.7]["out_of_scope"] == 1 and sorted(figures) == ["bundled", "foreign"]


def test_the_advice_is_the_check_commands_and_the_shipped_one_serves_both_team_groups() -> None:
    def curve(oos_at_each: list[float]) -> list[dict[str, float | int]]:
        return [
            {
                "answer_confidence": c,
                "top1": round(0.9 - c / 2, 3),
                "wrong": 0.01,
                "oos_answered": oos,
                "out_of_scope": 50,
            }
            for c, oos in zip(faq_confidence.CONFIDENCES, oos_at_each, strict=True)
        ]

    falling = [round(0.3 - 0.01 * step, 3) for step in range(len(faq_confidence.CONFIDENCES))]  # 0.30 … 0.00
    figures = {"foreign": curve(falling), "taught": curve([o + 0.02 for o in falling]), "bundled": curve(falling)}
    advice = faq_confidence.advice(figures)
    # the lowest confidence (most right answers) with out of scope answered within each group's goal
    assert {group: row if group == "shipped" else row[0] for group, row in advice.items()} == {
        "foreign": 0.8, "taught": 0.82, "bundled": 0.83, "shipped": 0.82
    }  # fmt: skip
    assert advice["foreign"] == [0.8, 0.5, 0.01, 0.1]  # with its figures: top-1, wrong, out of scope answered
    figures["taught"] = curve([0.5] * len(falling))  # no setting keeps within 0.10 after teaching
    assert faq_confidence.advice(figures)["shipped"] is None


def test_it_reads_the_unfitted_sets_and_prints_a_line_per_confidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unfitted = set(faq_confidence.unfitted_sets())
    assert not unfitted & {*faq_fit_adapter.ADAPTER_SETS, *faq_confidence.shipped_trees_sets()}
    kept = tmp_path / "rows.json"
    kept.write_text(json.dumps([{"group": "foreign", "base": "hr", "set": "hr", "in_scope": False, "evidence": None,
                                 "right": False, "rules": ""}]), encoding="utf-8")  # fmt: skip
    assert faq_confidence.main(["--rows", str(kept), "--set", "hr"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["answer_confidence"] for line in lines[:-1]] == list(faq_confidence.CONFIDENCES)
    assert lines[0]["foreign"] == [0.0, 0.0, 0.0] and lines[-1]["sets"] == ["hr"]
    with pytest.raises(SystemExit, match="--rows holds no searches of"):  # the unfitted sets are not in it
        faq_confidence.main(["--rows", str(kept)])


def test_kept_rows_of_more_sets_are_judged_only_on_those_named() -> None:
    """One `--rows` file kept for every batch can judge one batch: the others are left out, and a set
    the file lacks is refused rather than judged as missing."""
    rows = [row(name, True, [[0.9]], 0) for name in ("hr", "ec", "lms")]
    assert faq_confidence.only(rows, ["ec", "hr"]) == rows[:2]
    with pytest.raises(SystemExit, match="no searches of pos, wms"):
        faq_confidence.only(rows, ["hr", "wms", "pos"])


def test_another_rounds_trees_judge_when_named_and_anything_else_is_refused(tmp_path: Path) -> None:
    """`--model FILE`: how an earlier round's trees (or trees kept aside) did on the same searches."""
    assert faq_confidence.trees(None) is shipped_model()
    kept = tmp_path / "confidence.json"
    kept.write_text((ROOT / "knowledge" / "confidence.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert faq_confidence.trees(kept) == shipped_model()
    kept.write_text(json.dumps({"model": {"features": ["x"], "trees": []}}), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"is not a confidence\.json of this version"):
        faq_confidence.trees(kept)
    with pytest.raises(SystemExit, match=r"is not a confidence\.json"):
        faq_confidence.trees(tmp_path / "missing.json")
