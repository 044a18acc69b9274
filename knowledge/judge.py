"""The judge: answer, suggest (もしかして) or say nothing, from the ranked candidates' scores.

The ranker (`knowledge.scoring`, plus `knowledge.dense` when embeddings are available) orders
the entries; the judge looks at the best one and the next: answer when the best scores at least
`answer_threshold` (the team's `[faq] answer_threshold`) and leads the next by `margin` — or
scores `high_score` and still leads by `high_margin`; suggest when the best scores at least
`suggest_threshold`; else nothing. A suggestion whose best scores `answer_threshold` but leads by
less than `margin` is a close call: with `[faq] dense = "confirm"` the embeddings may settle it as
an answer (`knowledge.dense.confirms`).

The few parameters are data (`knowledge/judge.json`), one profile for the lexical ranker alone
and one for lexical + dense, fitted by `benchmarks/faq_fit.py` leave-one-knowledge-base-out
across the tuning sets, so that they carry over to a team's own FAQ — never tuned per base.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from knowledge.results import Decision

JUDGE_FILE = Path(__file__).resolve().parent / "judge.json"
PROFILES = ("lexical", "dense")


@dataclass(frozen=True)
class JudgeParams:
    margin: float  # answer when the best leads the next by this much …
    high_score: float  # … or scores this high
    high_margin: float  # … and still leads by this much
    dense_weight: float = 0.0  # how much the embeddings' cosine moves the ranking score


@cache
def judge_params(profile: str = "lexical") -> JudgeParams:
    """The fitted parameters of a profile ("lexical" or "dense")."""
    data = json.loads(JUDGE_FILE.read_text(encoding="utf-8"))
    return JudgeParams(**data[profile])


def decide(scores: Sequence[float], answer_threshold: float, suggest_threshold: float, params: JudgeParams) -> Decision:
    """The decision from the ranked scores (best first)."""
    if not scores:
        return "none"
    best = scores[0]
    if best >= answer_threshold:
        lead = best - (scores[1] if len(scores) > 1 else 0.0)
        if lead >= params.margin or (best >= params.high_score and lead >= params.high_margin):
            return "answer"
        return "suggest"
    return "suggest" if best >= suggest_threshold else "none"
