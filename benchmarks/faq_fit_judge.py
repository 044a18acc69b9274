"""Fit the learned judge (`knowledge/confidence.json`) on the published question sets.

    pip install -e '.[fit]'          # LightGBM, only to fit; the bot evaluates the trees itself
    SUPPORTBOT_FAQ_INDEX_CACHE=/tmp/faq-cache python benchmarks/faq_fit_judge.py [--write]
        [--rows FILE] [--leaves 8] [--rounds 200] [--min-leaf 30] [--floor 0.0] [--without NAME]
        [--by-style CONFIDENCE] [--sentence-weight W] [--suggest-weight W] [--blend B] [--depth 2]
        [--keep-lexical-silence] [--fit-silent] [--since-round-14] [--fitted-on-round-14]
        [--as-shipped [--by-batch] [--first-batches N]] [--average-with CONFIDENCE.json]

The shipped trees (round 35) are `--as-shipped --first-batches 21 --write`: fitted on the 126 sets of the first
21 as-shipped batches, searched as the bot searches them (`faq_judge_rows.TREES_SETS`; docs/faq-measurements.md).
Round 22's, shipped until then, were the default below (`--write` alone).

Every question of the sets in `faq_judge_rows.JUDGE_SETS` (every set of `benchmarks/data/faq/` published when
round 22's trees were fitted; tuning and held-out halves, before and after
teaching its phrasings) is searched as the bot searches with `[faq] dense = "judge"`, its question
embedded with a question map fitted without that set's fold (`faq_fit_adapter.fold_maps`; since round
20: the trees learn how far a mapped cosine can be trusted on a FAQ the map never saw). With
`--as-shipped`, the sets published after the shipped map was fitted (`faq_judge_rows.AS_SHIPPED_SETS`)
instead, searched with the shipped map exactly as the bot searches a team's FAQ (round 24: how trees
fitted on them did, docs/faq-measurements.md); the evidence
of each search the lexical judge does not leave silent (`knowledge.confidence.evidence`, for each of
its first candidates) is labelled 1 when the candidate is the expected entry, 0 otherwise (a wrong
entry, or any entry for an out-of-scope question). The trees are fitted on all of it. Since round 17
the bot's trees weigh the searches the lexical judge leaves silent too, and so does the
leave-one-base-out judgement below (`--keep-lexical-silence`: leave them unjudged, as the bot did
before; `--fit-silent`: fit on them too, tried in round 17 and left out).

It prints, per answer confidence, the figures of a leave-one-knowledge-base-out fit (the bundled
sets share one base): each base judged by trees that never saw it — the honest estimate on these
sets, which were read while the matcher was developed. Top-1 / wrong / out of scope answered,
weighted by question counts, for the foreign bases, the same after teaching, and the bundled base;
then the same figures for the rules (round 5's `confirm`) on the same questions. `--rows` keeps the
searched evidence, so that the trees' size (`--leaves`, `--rounds`, `--min-leaf`) or a floor on the
lexical score (`--floor`) can be compared without searching again, and what a feature adds
(`--without NAME`, repeatable: the same figures with it left out), and where right answers are lost
(`--by-style C`: per style its writer was asked for, the share ranked first and the share answered
right at answer confidence C; near misses and other out-of-scope questions answered);
`--sentence-weight W` searches with another weight of the closest answer sentence in the order of
the candidates (`knowledge.dense.SENTENCE_WEIGHT`; keep its rows in another file); `--suggest-weight`
and `--blend` likewise with another cosine weight and share of the question map (round 21). `--depth N` fits
trees that weigh each of the first N candidates of a search (a row each, labelled by whether it is
the expected entry) and judges a question by the likeliest of them, as the bot does with the
shipped trees' depth (`knowledge.confidence.judged`). `--by-batch` (with `--as-shipped`) leaves one
batch of sets out instead of one base (`faq_judge_rows.AS_SHIPPED_BATCHES`: the sets written in one
round, by helpers given the same instructions). `--average-with FILE` judges (and writes) by the mean
log-odds of the fitted trees and those of FILE, as one model (round 25 averaged trees fitted as shipped
with the shipped ones: docs/faq-measurements.md); `--first-batches N` takes the as-shipped sets of the first N batches
only, as an earlier round had them. Last it prints the confidence `supportbot faq check`
would advise on those figures (`faq_confidence.advice`). `--since-round-14` judges only the sets
published since round 14, and `--fitted-on-round-14` fits on round 14's 63 sets only (how round 22
compared the trees fitted on every set with those). `--write` refits on everything
and writes the trees: the same file from the same rows (LightGBM is deterministic here). Rows
searched afresh can differ from kept ones in a few questions' last digits (an entry's vector computed
afresh and one read from the index cache can differ in their last bits, and a combined score or a
rounded figure then tips): round 17's refit from freshly searched rows moved some of the trees'
thresholds in the second or third decimal, and the leave-one-base-out figures by at most 0.001.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faq_confidence import advice, only, sweep, trees
from faq_judge_rows import (
    AS_SHIPPED_BATCHES,
    AS_SHIPPED_SETS,
    JUDGE_SETS,
    ROUND_14_SETS,
    Searched,
    batch_of,
    fold_maps,
    searched,
)

from knowledge import dense, dense_adapter
from knowledge.confidence import FEATURES, MODEL_FILE, TreeModel, likeliest

# The trees' size. Round 14 (63 sets, leave one base out) chose 16 leaves, 300 trees and 50 questions a
# leaf over round 12's 8, 200 and 30 and seven other sizes between 8 and 32 leaves: at the same share of
# out-of-scope questions answered (0.10 at 0.70), 0.016 more foreign questions answered right; larger
# trees answered more out-of-scope questions for the right answers they added.
PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 16, "min_data_in_leaf": 50, "verbose": -1}
ROUNDS = 300
# How many questions each near miss counts for when fitting (`--near-miss-weight`). Round 11 chose 2
# from 1, 1.5, 2, 3, 4 (leave one base out, 45 sets): at the share of out-of-scope questions answered
# that 1 gave at 0.80, it answers 0.015 more right (at 0.70); 3 and 4 no more. The probabilities are
# then those of a world with twice as many near misses: the answer confidence moved from 0.80 to 0.70.
# Round 14 checked 1.5, 2 and 3 again at the new trees' size (63 sets): 2 stays.
NEAR_MISS_WEIGHT = 2.0
# How many candidates of the combined order the trees weigh (`--depth`; `knowledge.confidence.judged`):
# round 15 compared 1, 2 and 3 leaving one base out (63 sets). Weighing the first two and putting the
# likelier first ranked the right entry first more often (foreign 0.827 → 0.842, after teaching
# 0.873 → 0.885) and answered 0.005 more right at the same share of out-of-scope questions answered;
# 3 added nothing more.
DEPTH = 2
CONFIDENCES = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85)


def as_shipped(first_batches: int | None = None) -> tuple[str, ...]:
    """The as-shipped sets, or those of the first `first_batches` batches (`--first-batches`: round 25
    chose its first candidate on six, its second on seven)."""
    if first_batches is None:
        return AS_SHIPPED_SETS
    if not 2 <= first_batches <= len(AS_SHIPPED_BATCHES):
        raise SystemExit(f"--first-batches: from 2 (one to leave out, one to fit on) to {len(AS_SHIPPED_BATCHES)}")
    return tuple(name for batch in AS_SHIPPED_BATCHES[:first_batches] for name in batch)


def written_by(as_shipped: bool, first_batches: int | None) -> str:
    """The command that writes these trees, as `confidence.json`'s comment records it: how to fit them again."""
    flags = " --as-shipped" if as_shipped else ""
    flags += f" --first-batches {first_batches}" if first_batches is not None else ""
    return f"python benchmarks/faq_fit_judge.py{flags} --write"


def without_silence(rows: list[Searched]) -> list[Searched]:
    """The rows with the searches the lexical judge left silent unweighed: what the trees are fitted
    on (the shipped trees never saw them; fitting on them was tried in round 17 and left out), and
    what the bot judged before round 17 (`--keep-lexical-silence`)."""
    return [
        dataclasses.replace(r, evidence=None, candidates=[], right_at=-1, right=False) if r.lexical_silent else r
        for r in rows
    ]


def judged_and_fitted(
    rows: list[Searched], keep_lexical_silence: bool = False, fit_silent: bool = False
) -> tuple[list[Searched], list[Searched]]:
    """The rows to judge (every search, as the bot does since round 17; with `keep_lexical_silence`,
    as it did before) and the rows to fit on (those the lexical judge spoke on, as the shipped trees
    were; with `fit_silent`, the silent ones too)."""
    judged = without_silence(rows) if keep_lexical_silence else rows
    return judged, judged if fit_silent else without_silence(judged)


def fit(
    rows: list[Searched],
    rounds: int = ROUNDS,
    names: tuple[str, ...] = FEATURES,
    near_miss_weight: float = NEAR_MISS_WEIGHT,
) -> TreeModel:
    """The trees fitted on the judged rows; each near miss counts `near_miss_weight` questions."""
    import lightgbm  # only here: fitting needs it, the bot does not

    judged = [r for r in rows if r.evidence is not None]
    features = np.array([r.evidence for r in judged], dtype=np.float64)
    weights = sample_weights(judged, near_miss_weight)
    data = lightgbm.Dataset(features, np.array([float(r.right) for r in judged]), weight=weights)
    booster = lightgbm.train(PARAMS, data, rounds)
    return tree_model(booster.dump_model(), names)


def sample_weights(rows: list[Searched], near_miss_weight: float) -> np.ndarray:
    """How many questions each row counts for: a near miss `near_miss_weight`, any other one."""
    return np.array([near_miss_weight if r.kind == "near_miss" else 1.0 for r in rows])


def without(rows: list[Searched], dropped: list[str]) -> tuple[list[Searched], tuple[str, ...]]:
    """The rows with the named features left out of their evidence (`--without`: what each adds),
    and the names kept."""
    unknown = set(dropped) - set(FEATURES)
    if unknown:
        raise SystemExit(f"--without: no feature {', '.join(sorted(unknown))} (they are: {', '.join(FEATURES)})")
    kept = [i for i, name in enumerate(FEATURES) if name not in dropped]
    projected = [
        dataclasses.replace(
            r,
            evidence=[r.evidence[i] for i in kept] if r.evidence else None,
            candidates=[[found[i] for i in kept] for found in r.candidates],
        )
        for r in rows
    ]
    return projected, tuple(FEATURES[i] for i in kept)


def as_round_14(
    rows: list[Searched], fitted: list[Searched], since: bool, fitted_on: bool
) -> tuple[list[Searched], list[Searched]]:
    """The rows to judge and to fit on, as round 22 compared the trees: only the sets published since
    round 14 judged (`since`), and the trees fitted on round 14's 63 sets only (`fitted_on`)."""
    judged = [r for r in rows if r.set not in ROUND_14_SETS] if since else rows
    return judged, [r for r in fitted if r.set in ROUND_14_SETS] if fitted_on else fitted


def by_candidate(rows: list[Searched], depth: int) -> list[Searched]:
    """One row for each of the first `depth` candidates of every question, labelled right when it is
    the expected entry: what trees that weigh each candidate are fitted on."""
    return [
        dataclasses.replace(r, evidence=found, right=at == r.right_at)
        for r in rows
        for at, found in enumerate(r.candidates[:depth])
    ]


def choose(model: TreeModel, row: Searched, depth: int) -> tuple[float, bool]:
    """What trees that weigh the first `depth` candidates make of a question: the likeliest candidate's
    probability, and whether it is the expected entry (`knowledge.confidence.likeliest`, as the bot chooses)."""
    best, weighed = likeliest(model, row.candidates, depth)
    return weighed[best], best == row.right_at


def averaged(fitted: TreeModel, other: TreeModel) -> TreeModel:
    """One model whose log-odds are the mean of two models' (`--average-with`): their trees side by
    side, every value halved, so that the bot evaluates it as any other `confidence.json`."""
    if fitted.features != other.features or fitted.depth != other.depth:
        raise SystemExit("--average-with: the two models weigh different features or depths")
    halved = tuple(
        tuple((n[0], n[1], n[2], n[3], round(n[4] / 2, 7)) for n in tree) for tree in (*fitted.trees, *other.trees)
    )
    return dataclasses.replace(fitted, trees=halved)


def tree_model(dumped: dict[str, Any], names: tuple[str, ...] = FEATURES) -> TreeModel:
    """LightGBM's dumped trees as `TreeModel` nodes, in preorder."""
    trees = []
    for info in dumped["tree_info"]:
        nodes: list[tuple[int, float, int, int, float]] = []

        def add(node: dict[str, Any], nodes: list[tuple[int, float, int, int, float]] = nodes) -> int:
            at = len(nodes)
            if "leaf_value" in node:
                nodes.append((-1, 0.0, 0, 0, round(float(node["leaf_value"]), 6)))
                return at
            if node["decision_type"] != "<=":
                raise SystemExit(f"unexpected split {node['decision_type']}")
            nodes.append((0, 0.0, 0, 0, 0.0))
            left, right = add(node["left_child"]), add(node["right_child"])
            value = round(float(node["internal_value"]), 6)
            nodes[at] = (int(node["split_feature"]), round(float(node["threshold"]), 6), left, right, value)
            return at

        add(info["tree_structure"])
        trees.append(tuple(nodes))
    return TreeModel(names, tuple(trees))


def figures(rows: list[Searched], answers: Callable[[int, Searched], str]) -> dict[str, list[float]]:
    """Top-1 / wrong / out of scope answered per group, weighted by question counts; `answers`
    says what a judge did with a question: "right", "wrong" or "" (no answer)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # right, wrong, in, oos answered, oos
    for number, row in enumerate(rows):
        answer = answers(number, row)
        answered = bool(answer)
        tally = counts[row.group]
        if row.in_scope:
            tally[2] += 1
            tally[0] += answer == "right"
            tally[1] += answer == "wrong"
        else:
            tally[4] += 1
            tally[3] += answered
    return {
        group: [round(t[0] / t[2], 3), round(t[1] / t[2], 3), round(t[3] / max(1, t[4]), 3)]
        for group, t in sorted(counts.items())
    }


def by_style(rows: list[Searched], answers: Callable[[int, Searched], str]) -> dict[str, dict[str, list[float]]]:
    """Where right answers are lost, per group and style (and for all in-scope questions): the share
    of in-scope questions whose right entry is ranked first, and the share answered right; and per
    kind of out-of-scope question (near misses, others), the share answered."""
    tallies: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for number, row in enumerate(rows):
        answer = answers(number, row)
        key = (row.style or "?") if row.in_scope else "near_miss" if row.kind == "near_miss" else "out_of_scope"
        for tally in (tallies[row.group][key], *([tallies[row.group]["in_scope"]] if row.in_scope else [])):
            tally[0] += 1
            tally[1] += row.right if row.in_scope else bool(answer)
            tally[2] += answer == "right"
    return {
        group: {
            key: [round(t[1] / t[0], 3)] + ([round(t[2] / t[0], 3)] if key not in ("near_miss", "out_of_scope") else [])
            for key, t in sorted(styles.items())
        }
        for group, styles in sorted(tallies.items())
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write the trees fitted on every set to {MODEL_FILE}")
    parser.add_argument("--rows", type=Path, help="keep the searched evidence in this file (read it when it exists)")
    parser.add_argument("--leaves", type=int, default=PARAMS["num_leaves"], help="leaves per tree")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="trees")
    parser.add_argument("--min-leaf", type=int, default=PARAMS["min_data_in_leaf"], help="questions per leaf")
    parser.add_argument("--floor", type=float, default=0.0, help="answer only from this lexical score too")
    parser.add_argument(
        "--near-miss-weight", type=float, default=NEAR_MISS_WEIGHT,
        help="how many questions each near miss counts for when fitting (they are what the judge must refuse)",
    )  # fmt: skip
    parser.add_argument("--without", action="append", default=[], help="leave this feature out (repeatable)")
    parser.add_argument(
        "--keep-lexical-silence", action="store_true",
        help="leave what the lexical judge left silent unjudged and unanswered (the bot before round 17)",
    )  # fmt: skip
    parser.add_argument(
        "--fit-silent", action="store_true",
        help="fit the trees on what the lexical judge left silent too (tried in round 17, left out)",
    )  # fmt: skip
    parser.add_argument("--depth", type=int, default=DEPTH, help="candidates the trees weigh (1: the first only)")
    parser.add_argument(
        "--sentence-weight", type=float,
        help="the closest answer sentence's weight in the order of the candidates, for the search (to "
        "measure it; the bot's is knowledge.dense.SENTENCE_WEIGHT)",
    )  # fmt: skip
    parser.add_argument(
        "--by-style", type=float, metavar="CONFIDENCE",
        help="also print, at this answer confidence, each style's share ranked first and answered right",
    )  # fmt: skip
    parser.add_argument("--suggest-weight", type=float, help="the cosine's weight in that order (SUGGEST_WEIGHT)")
    parser.add_argument("--blend", type=float, help="the question map's share (knowledge.dense_adapter.BLEND)")
    parser.add_argument(
        "--by-batch", action="store_true",
        help="leave one batch of sets out (AS_SHIPPED_BATCHES: written in one round) instead of one base",
    )  # fmt: skip
    parser.add_argument(
        "--as-shipped", action="store_true",
        help="the sets the shipped map never saw (AS_SHIPPED_SETS), searched with it, as the bot searches",
    )  # fmt: skip
    parser.add_argument(
        "--first-batches", type=int, metavar="N",
        help="with --as-shipped, only the first N batches of AS_SHIPPED_BATCHES (what an earlier round had)",
    )  # fmt: skip
    parser.add_argument(
        "--average-with", type=Path, metavar="CONFIDENCE.json",
        help="judge (and --write) by the mean log-odds of the fitted trees and these (round 25)",
    )  # fmt: skip
    round_14 = "judge only the sets published since round 14", "fit on round 14's 63 sets only (ROUND_14_SETS)"
    parser.add_argument("--since-round-14", action="store_true", help=round_14[0])
    parser.add_argument("--fitted-on-round-14", action="store_true", help=round_14[1])
    args = parser.parse_args(argv)
    if args.write and (args.without or args.blend is not None or args.suggest_weight is not None or args.since_round_14
                       or args.fitted_on_round_14):  # fmt: skip
        raise SystemExit("--write fits the shipped trees on every feature, as the bot searches: drop --without etc.")
    if (args.since_round_14 or args.fitted_on_round_14) and args.as_shipped:
        raise SystemExit("--since-round-14 and --fitted-on-round-14 compare the fold-mapped sets: drop --as-shipped")
    if args.first_batches is not None and not args.as_shipped:
        raise SystemExit("--first-batches counts batches of AS_SHIPPED_SETS: add --as-shipped")
    if args.by_batch and not args.as_shipped:
        raise SystemExit("--by-batch leaves out the batches of AS_SHIPPED_SETS: add --as-shipped")
    PARAMS.update(num_leaves=args.leaves, min_data_in_leaf=args.min_leaf)
    if args.sentence_weight is not None:
        dense.SENTENCE_WEIGHT = args.sentence_weight
    if args.suggest_weight is not None:
        dense.SUGGEST_WEIGHT = args.suggest_weight
    if args.blend is not None:
        dense_adapter.BLEND = args.blend
    other = trees(args.average_with, "--average-with") if args.average_with else None  # read before --write
    names_searched = as_shipped(args.first_batches) if args.as_shipped else JUDGE_SETS
    maps = None if args.as_shipped else fold_maps()
    rows, names = without(only(searched(args.rows, names_searched, maps), list(names_searched)), args.without)
    rows, fitted = judged_and_fitted(rows, args.keep_lexical_silence, args.fit_silent)
    rows, fitted = as_round_14(rows, fitted, args.since_round_14, args.fitted_on_round_14)
    probability: dict[int, float] = {}
    left_out = batch_of if args.by_batch else lambda row: row.base
    held_out = "leave_one_batch_out" if args.by_batch else "leave_one_base_out"
    for base in sorted({left_out(r) for r in rows}):
        others = by_candidate([r for r in fitted if left_out(r) != base], args.depth)
        model = fit(others, args.rounds, names, args.near_miss_weight)
        model = averaged(dataclasses.replace(model, depth=args.depth), other) if other else model
        for number, row in enumerate(rows):
            if left_out(row) == base and row.evidence is not None and row.evidence[0] >= args.floor:
                probability[number], right = choose(model, row, args.depth)
                rows[number] = dataclasses.replace(row, right=right)  # the first as the trees reorder them
    for confidence in CONFIDENCES:

        def judged(number: int, row: Searched, confidence: float = confidence) -> str:
            return "" if probability.get(number, 0.0) < confidence else "right" if row.right else "wrong"

        report = {"answer_confidence": confidence, held_out: figures(rows, judged)}
        print(json.dumps(report, ensure_ascii=False), flush=True)
    if args.by_style is not None:

        def styled(number: int, row: Searched) -> str:
            return "" if probability.get(number, 0.0) < args.by_style else "right" if row.right else "wrong"

        report = {"answer_confidence": args.by_style, "by_style": by_style(rows, styled)}
        print(json.dumps(report, ensure_ascii=False), flush=True)
    print(json.dumps({"rules (confirm)": figures(rows, lambda number, row: row.rules)}), flush=True)
    lobo = sweep([(row, probability.get(number, 0.0)) for number, row in enumerate(rows)])
    print(json.dumps({f"advised ({held_out})": advice(lobo)}), flush=True)
    if args.write:
        comment = (
            f"Written by `{written_by(args.as_shipped, args.first_batches)}`: gradient-boosted trees (LightGBM "
            f"{PARAMS}, {args.rounds} rounds, near misses weighing {args.near_miss_weight}, each of the first "
            f"{args.depth} candidates of a search weighed) fitted on these question sets, before and after teaching."
        )
        model = fit(by_candidate(fitted, args.depth), args.rounds, near_miss_weight=args.near_miss_weight)
        model = dataclasses.replace(model, depth=args.depth)
        if other is not None:
            model = averaged(model, other)
            comment += f" Averaged in log-odds with the trees of {args.average_with} ({other.depth} deep)."
        data = {"_comment": comment, "sets": sorted({r.set for r in rows}), "model": model.to_json()}
        MODEL_FILE.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE} ({os.path.getsize(MODEL_FILE)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
