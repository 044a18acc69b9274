"""Explaining a search: which query terms matched which field of which entry, and why the decision."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from knowledge.analysis import field_of
from knowledge.judge import JudgeParams, decide, judge_params
from knowledge.loader import Entry
from knowledge.results import DEFAULT_ANSWER_THRESHOLD, DEFAULT_SUGGEST_THRESHOLD
from knowledge.scoring import Query, Scored, Scorer

if TYPE_CHECKING:
    from knowledge.dense import SecondLook


def explain(
    query: Query,
    scored: Sequence[Scored],
    limit: int,
    scorer: Scorer,
    fields_of: Callable[[int], dict[str, dict[str, float]]],
    entry_at: Callable[[int], Entry],
    thresholds: tuple[float, float] = (DEFAULT_ANSWER_THRESHOLD, DEFAULT_SUGGEST_THRESHOLD),
    profile: str = "lexical",
    cosines: Any = None,
) -> dict[str, Any]:
    """With `cosines` (dense ranking), each candidate also shows its embedding cosine."""
    answer_threshold, suggest_threshold = thresholds
    params = judge_params(profile)
    candidates = []
    for rank, item in enumerate(scored[:limit]):
        fields = fields_of(item.slot)
        entry = entry_at(item.slot)
        matched = {t: found for t in query.terms if (found := field_of(fields, t))}
        asks = [
            {"ask": sorted(ask), "covered_in": next((f for t in ask if (f := field_of(fields, t))), None)}
            for ask, _ in query.asks
        ]
        candidates.append(
            {
                "rank": rank + 1,
                "id": entry.id,
                "question": entry.question,
                "source": entry.location,
                "score": round(item.score, 3),
                "explained": round(item.explained, 3),
                "phrasing": round(item.phrasing, 3),
                "ask_missing": round(item.ask_missing, 3),
                "wording": round(item.wording, 3),
                **({"cosine": round(float(cosines[item.slot]), 3)} if cosines is not None else {}),
                "matched": matched,
                "asks": asks,
            }
        )
    decision = decide([s.score for s in scored], answer_threshold, suggest_threshold, params)
    return {
        "query": query.text,
        "terms": {t: {"weight": round(w, 2), "idf": _rounded(scorer.idf(t))} for t, w in query.terms.items()},
        "asks": [sorted(ask) for ask, _ in query.asks],
        "ask_clause": query.ask,  # a long message's ask: its background words count less (`knowledge.ask_clause`)
        "background": sorted(
            t for t in query.terms if query.focus is not None and t in query.focus and query.focus[t] != query.terms[t]
        ),
        **({"expansions": dict(query.expansions)} if query.expansions else {}),
        **({"read_as": query.read_as} if query.read_as and query.read_as != query.text else {}),
        "decision": decision,
        "ranking": profile,
        "why": _why(decision, scored, answer_threshold, suggest_threshold, params),
        "candidates": candidates,
    }


def second_look(found: dict[str, Any], look: SecondLook, limit: int, entry_at: Callable[[int], Entry]) -> None:
    """What the embeddings made of the lexical judge's decision (`knowledge.dense.second_look`): the
    learned judge's confidence and what weighed in it; a close call they confirmed; or the order
    of the suggestions."""
    if look.cosines is None:
        return
    if look.confidence is not None and look.evidence is not None:
        from knowledge.confidence import FEATURES, shipped_model

        weighed = shipped_model().weighed(look.evidence)
        found["lexical_decision"] = found["decision"]
        found["decision"] = look.decision
        found["why"] += f"; the learned judge gives {look.confidence:.2f} that the first is right: {look.decision}"
        found["confidence"] = {
            "probability": round(look.confidence, 3),
            "entry": entry_at(look.ranked[0].slot).question,
            "evidence": {name: round(value, 3) for name, value in zip(FEATURES, look.evidence, strict=True)},
            "candidates": [
                {
                    "entry": entry_at(slot).question,
                    "probability": None if probability is None else round(probability, 3),
                    "evidence": [round(value, 5) for value in values],
                }
                for slot, values, probability in look.candidates
            ],
            "weighed": {
                k: round(v, 3) for k, v in sorted(weighed.items(), key=lambda kv: -abs(kv[1])) if abs(v) >= 0.01
            },
        }
    elif look.confirmed:
        found["decision"] = "answer"
        found["why"] += "; the embeddings confirm it (the same entry closest, clearly ahead): answer"
        found["confirmed_by_embeddings"] = True
        return
    elif look.decision == "suggest" and found["decision"] == "none":
        found["decision"] = "suggest"
        found["why"] += "; the embeddings find an entry close in meaning: suggest"
    if look.decision == "suggest" or look.confidence is not None:
        found["suggestions"] = suggestion_lines(look.ranked[:limit], look.cosines, entry_at)


def suggestion_lines(order: Sequence[Scored], cosines: Any, entry_at: Callable[[int], Entry]) -> list[dict[str, Any]]:
    """The もしかして candidates as ordered with the embeddings (`[faq] dense = "confirm"` or `"suggestions"`):
    each one's lexical score moved by its cosine, and the cosine."""
    return [
        {
            "rank": rank + 1,
            "id": entry_at(item.slot).id,
            "question": entry_at(item.slot).question,
            "score": round(item.score, 3),
            "cosine": round(float(cosines[item.slot]), 3),
        }
        for rank, item in enumerate(order)
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _why(decision: str, scored: Sequence[Scored], answer: float, suggest: float, params: JudgeParams) -> str:
    if not scored:
        return "no entry shares a term with the question"
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    ask = f"; {best.ask_missing:.0%} of the ask not covered (lowers the score)" if best.ask_missing else ""
    if decision == "answer":
        return f"score {best.score:.2f} >= {answer}, {best.score - runner_up:.2f} ahead of the next{ask}"
    if best.score >= answer:
        lead = best.score - runner_up
        return f"score {best.score:.2f} >= {answer} but only {lead:.2f} ahead of the next (< {params.margin}): suggest"
    if decision == "suggest":
        return f"score {best.score:.2f} between {suggest} and {answer}: suggest{ask}"
    return f"score {best.score:.2f} < {suggest}: nothing close enough{ask}"
