"""The answer confidence the bot ships (`[faq] answer_confidence`), read off published sets that the
shipped question map and trees never saw, searched exactly as the bot searches them.

    SUPPORTBOT_FAQ_INDEX_CACHE=DIR python benchmarks/faq_confidence.py [--set NAME ...] [--rows FILE]
        [--model CONFIDENCE.json]

Why not leave one base out (`benchmarks/faq_fit_judge.py`): its rows are searched with fold maps (each
fitted without that set's fold), while the bot embeds questions with the map fitted on every set, and
the trees read absolute cosines. On every sealed batch run since round 22 the shipped bot answered
0.05–0.08 more of the out-of-scope questions than leaving one base out predicted at the same confidence
(docs/faq-measurements.md, round 24). The sets published after the shipped map and trees were fitted (by default every
folder of `benchmarks/data/faq` in neither `faq_fit_adapter.ADAPTER_SETS` nor the sets `knowledge/confidence.json`
names, `shipped_trees_sets`)
are to the bot what a team's own FAQ is: this searches them with the shipped map, judges them with the
shipped trees (or `--model`'s; at 0.65 the figures equal `faq_quality.py --answer-confidence 0.65` on
the same sets, every question before and after teaching), and prints one JSON line per
confidence of CONFIDENCES — top-1 / wrong / out of scope answered per group (foreign, taught, bundled) —
then, per group, the confidence `supportbot faq check` would advise and its figures
(`bot.faq_check_cli.advised`: the most right answers with out of scope answered within issue 8's goal
and wrong within 0.05). `--rows FILE` keeps the searches (and reads them when the file exists): a file
kept for more sets is judged on the named ones only, one that lacks some of them is refused.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import faq_fit_adapter
import faq_quality
from faq_judge_rows import Searched, searched

from bot.faq_check_cli import advised
from knowledge.confidence import MODEL_FILE, TreeModel, likeliest, shipped_model

CONFIDENCES = tuple(round(0.60 + 0.01 * step, 2) for step in range(31))  # 0.60 … 0.90 (round 25 checked 0.65)
GOALS = {"foreign": 0.10, "taught": 0.10, "bundled": 0.075}  # out of scope answered (issue 8)


def shipped_trees_sets() -> tuple[str, ...]:
    """The sets the shipped trees were fitted on, as their file says (round 22's: `JUDGE_SETS`; round 35's:
    `faq_judge_rows.TREES_SETS`)."""
    return tuple(json.loads(MODEL_FILE.read_text(encoding="utf-8"))["sets"])


def unfitted_sets() -> list[str]:
    """The published sets neither the shipped map nor the shipped trees were fitted on."""
    fitted = {*faq_fit_adapter.ADAPTER_SETS, *shipped_trees_sets()}
    return [f.name for f in faq_quality.set_folders(None) if f.name not in fitted]


def only(rows: list[Searched], names: list[str]) -> list[Searched]:
    """The rows of the named sets: a `--rows` file kept for more sets judges only those named, and one
    that lacks some of them is refused (its figures would not be those of the sets named)."""
    missing = sorted(set(names) - {row.set for row in rows})
    if missing:
        raise SystemExit(f"--rows holds no searches of {', '.join(missing)}: keep them in another file")
    return [row for row in rows if row.set in set(names)]


def judged(rows: list[Searched], model: TreeModel) -> list[tuple[Searched, float]]:
    """Each row with the probability the trees give its likeliest candidate (0: nothing to weigh),
    and `right` saying whether that candidate is the expected entry, as the bot chooses."""
    found = []
    for row in rows:
        if row.evidence is None or not row.candidates:
            found.append((row, 0.0))
            continue
        best, weighed = likeliest(model, row.candidates, model.depth)
        found.append((dataclasses.replace(row, right=best == row.right_at), weighed[best]))
    return found


def sweep(weighed: list[tuple[Searched, float]]) -> dict[str, list[dict[str, Any]]]:
    """Per group, the figures at each confidence (the rows `advised` reads)."""
    by_group: dict[str, list[tuple[Searched, float]]] = defaultdict(list)
    for row, probability in weighed:
        by_group[row.group].append((row, probability))
    return {group: [_figures(found, c) for c in CONFIDENCES] for group, found in sorted(by_group.items())}


def _figures(found: list[tuple[Searched, float]], confidence: float) -> dict[str, Any]:
    inside = [(r, p) for r, p in found if r.in_scope]
    outside = [p for r, p in found if not r.in_scope]
    return {
        "answer_confidence": confidence,
        "top1": round(sum(p >= confidence and r.right for r, p in inside) / max(1, len(inside)), 3),
        "wrong": round(sum(p >= confidence and not r.right for r, p in inside) / max(1, len(inside)), 3),
        "oos_answered": round(sum(p >= confidence for p in outside) / max(1, len(outside)), 3),
        "out_of_scope": len(outside),
    }


def trees(path: Path | None, option: str = "--model") -> TreeModel:
    """The shipped trees, or those of another `confidence.json` (refused, naming `option`, when it is
    not one)."""
    if path is None:
        return shipped_model()
    try:
        return TreeModel.from_json(json.loads(path.read_text(encoding="utf-8"))["model"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SystemExit(f"{option}: {path} is not a confidence.json of this version ({error})") from error


def advice(figures: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per group, the setting `supportbot faq check` would advise and its figures (top-1 / wrong / out
    of scope answered; None: no setting keeps within the goals); `shipped`, the higher confidence of
    the foreign FAQs' and the taught ones' (a team's own FAQ, before and after it teaches the bot: what
    the default is for; the bundled sets are our sample FAQ)."""
    found: dict[str, Any] = {}
    for group, rows in figures.items():
        best = advised(rows, "answer_confidence", rows[0]["out_of_scope"], GOALS.get(group, 0.10))
        found[group] = (
            None if best is None else [best[k] for k in ("answer_confidence", "top1", "wrong", "oos_answered")]
        )
    team = [found.get(group) for group in ("foreign", "taught")]
    found["shipped"] = None if None in team else max(row[0] for row in team if row is not None)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--set", dest="sets", action="append", help="a set (repeatable; default: those never fitted on)"
    )
    parser.add_argument("--rows", type=Path, help="keep the searched evidence in this file (read it when it exists)")
    parser.add_argument(
        "--model", type=Path,
        help="judge with these trees (a confidence.json, e.g. an earlier round's) instead of the shipped ones",
    )  # fmt: skip
    args = parser.parse_args(argv)
    names = args.sets or unfitted_sets()
    if not names and not (args.rows and args.rows.exists()):
        raise SystemExit("every published set was fitted on: name sets with --set")
    rows = only(searched(args.rows, names), names)
    figures = sweep(judged(rows, trees(args.model)))
    for at, confidence in enumerate(CONFIDENCES):
        line = {
            group: [rows[at]["top1"], rows[at]["wrong"], rows[at]["oos_answered"]] for group, rows in figures.items()
        }
        print(json.dumps({"answer_confidence": confidence, **line}), flush=True)
    print(json.dumps({"sets": sorted({r.set for r in rows}), "advised": advice(figures)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
