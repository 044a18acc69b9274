"""What teaching changes, question by question: why five phrasings per entry lift the judge so little.

    SUPPORTBOT_FAQ_INDEX_CACHE=DIR python benchmarks/faq_teaching.py [--set NAME ...] [--last-batches N]
        [--evidence]

For each foreign set (default: those of the last N batches of `faq_judge_rows.AS_SHIPPED_BATCHES`, 2
unless given), every held-out question is searched as the bot searches it (`faq_quality`'s settings:
the shipped trees at their answer confidence), before and after its teach.jsonl is learned, in one index. An in-scope
question moves one of four ways (`gained`: right only after teaching; `lost_kept_first`: right before,
and after teaching not answered while the right entry is still the first candidate — the judge grew
unsure; `lost_other`: right before, otherwise lost; `kept`: right both times); out-of-scope questions
likewise (`oos_newly_answered`, `oos_newly_silent`). It also prints the figures of a rule tried in
round 34 and left out — an answer given before teaching is kept after it when its entry is still the
first candidate (`keep_earlier`) — beside those before and after teaching: top-1 / wrong / out of scope
answered, pooled over the sets, one JSON line each. `--evidence` adds, per move, how the learned judge's
evidence for the expected entry changed on average (after minus before, `knowledge.confidence.FEATURES`),
over the questions whose weighed entry was the expected one both times: what teaching did to the judge.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import faq_quality
from faq_judge_rows import AS_SHIPPED_BATCHES

from knowledge import evaluation
from knowledge.confidence import FEATURES
from knowledge.search import KnowledgeIndex


@dataclass(frozen=True)
class Seen:
    """What one search showed: the entry answered (or None) and the first candidate's heading; with
    `--evidence`, the entry the learned judge weighed and its evidence (`knowledge.confidence.FEATURES`)."""

    answer: str | None
    first: str | None
    judged: str | None = None
    evidence: tuple[float, ...] = ()


def same(heading: str | None, other: str | None) -> bool:
    """`knowledge.evaluation.same`, where a missing heading (no answer, no candidate) matches nothing."""
    return heading is not None and other is not None and evaluation.same(heading, other)


def searched(index: KnowledgeIndex, rows: list[dict[str, Any]], evidence: bool = False) -> list[Seen]:
    """Each question searched as `faq_quality` searches it (and, with `evidence`, explained)."""
    found = []
    for row in rows:
        result = index.search(
            row["q"],
            answer_threshold=faq_quality.DEFAULT_ANSWER_THRESHOLD,
            suggest_threshold=faq_quality.DEFAULT_SUGGEST_THRESHOLD,
            limit=faq_quality.MAX_SUGGESTIONS,
            answer_confidence=faq_quality.ANSWER_CONFIDENCE,
            offer_others_below=faq_quality.OFFER_OTHERS_BELOW,
        )
        answer = result.answer.question if result.answer is not None else None
        first = result.best.entry.question if result.best is not None else None
        judge = index.explain(row["q"], limit=faq_quality.MAX_SUGGESTIONS).get("confidence") if evidence else None
        if judge is None:
            found.append(Seen(answer, first))
        else:
            found.append(Seen(answer, first, judge["entry"], tuple(judge["evidence"][name] for name in FEATURES)))
    return found


def keep_earlier(before: Seen, after: Seen) -> str | None:
    """The rule tried and left out: after teaching's answer, or else before's when its entry is still first."""
    if after.answer is not None:
        return after.answer
    return before.answer if same(after.first, before.answer) else None


def move_of(expected: str | None, was: Seen, now: Seen) -> str | None:
    """How one question moved with teaching (the module docstring's names; None: it did not)."""
    if expected is None:
        if (was.answer is None) == (now.answer is None):
            return None
        return "oos_newly_answered" if now.answer is not None else "oos_newly_silent"
    right_before, right_after = same(was.answer, expected), same(now.answer, expected)
    if right_before and right_after:
        return "kept"
    if right_after:
        return "gained"
    if right_before:
        return "lost_kept_first" if now.answer is None and same(now.first, expected) else "lost_other"
    return None


def moves(rows: list[dict[str, Any]], before: list[Seen], after: list[Seen]) -> Counter[str]:
    """How the questions moved with teaching, counted."""
    found = (move_of(row.get("expected"), was, now) for row, was, now in zip(rows, before, after, strict=True))
    return Counter(move for move in found if move is not None)


@dataclass
class Change:
    """How the judge's evidence moved, summed over questions: `mean` is after minus before, per feature."""

    questions: int = 0
    total: list[float] = field(default_factory=lambda: [0.0] * len(FEATURES))

    def add(self, before: Sequence[float], after: Sequence[float]) -> None:
        self.questions += 1
        self.total = [t + a - b for t, a, b in zip(self.total, after, before, strict=True)]

    def mean(self) -> dict[str, float]:
        return {name: round(t / self.questions, 3) for name, t in zip(FEATURES, self.total, strict=True)}


def evidence_change(
    rows: list[dict[str, Any]], before: list[Seen], after: list[Seen], changes: dict[str, Change]
) -> None:
    """Add to `changes`, per move of an in-scope question, how the judge's evidence for the expected
    entry moved, where the judge weighed that entry both before and after."""
    for row, was, now in zip(rows, before, after, strict=True):
        expected, move = row.get("expected"), move_of(row.get("expected"), was, now)
        if move is not None and same(was.judged, expected) and same(now.judged, expected):
            changes.setdefault(move, Change()).add(was.evidence, now.evidence)


def tally(rows: list[dict[str, Any]], answers: list[str | None]) -> Counter[str]:
    """Counts for top-1 / wrong / out of scope answered."""
    counted: Counter[str] = Counter()
    for row, answer in zip(rows, answers, strict=True):
        expected = row.get("expected")
        if expected is None:
            counted["out_of_scope"] += 1
            counted["oos_answered"] += answer is not None
        else:
            counted["in_scope"] += 1
            counted["right"] += same(answer, expected)
            counted["wrong"] += answer is not None and not same(answer, expected)
    return counted


def figures(name: str, counted: Counter[str]) -> dict[str, Any]:
    inside, outside = counted["in_scope"], counted["out_of_scope"]
    return {
        "rule": name,
        "in_scope": inside,
        "out_of_scope": outside,
        "top1": round(counted["right"] / inside, 4) if inside else None,
        "wrong": round(counted["wrong"] / inside, 4) if inside else None,
        "oos_answered": round(counted["oos_answered"] / outside, 4) if outside else None,
    }


def default_sets(last_batches: int) -> list[str]:
    return [name for batch in AS_SHIPPED_BATCHES[-last_batches:] for name in batch if not name.startswith("bundled")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="sets", action="append", help="only this set (repeatable)")
    parser.add_argument("--last-batches", type=int, default=2)
    parser.add_argument("--evidence", action="store_true", help="also how the judge's evidence moved, per move")
    args = parser.parse_args(argv)
    moved: Counter[str] = Counter()
    rules: dict[str, Counter[str]] = {"before": Counter(), "after": Counter(), "keep_earlier": Counter()}
    changes: dict[str, Change] = {}
    for folder in faq_quality.set_folders(args.sets or default_sets(args.last_batches)):
        teach = folder / "teach.jsonl"
        if not teach.exists():
            continue
        rows = faq_quality.read_rows(folder / "heldout.jsonl")
        index = faq_quality.load_index(folder, dense=faq_quality.dense_use("auto"))
        before = searched(index, rows, args.evidence)
        faq_quality.teach(index, faq_quality.read_rows(teach))
        after = searched(index, rows, args.evidence)
        moved += moves(rows, before, after)
        rules["before"] += tally(rows, [seen.answer for seen in before])
        rules["after"] += tally(rows, [seen.answer for seen in after])
        rules["keep_earlier"] += tally(rows, [keep_earlier(was, now) for was, now in zip(before, after, strict=True)])
        evidence_change(rows, before, after, changes)
        print(f"searched {folder.name}", file=sys.stderr, flush=True)
    print(json.dumps({"moves": dict(sorted(moved.items()))}))
    for name, counted in rules.items():
        print(json.dumps(figures(name, counted)))
    for move, change in sorted(changes.items()):
        print(json.dumps({"evidence_change": move, "questions": change.questions, **change.mean()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
