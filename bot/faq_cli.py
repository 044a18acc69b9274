"""`supportbot faq ask`: what the bot would do with a question, for people and for scripts.

`--json` prints one line per question (query, answered, question, score, suggestions) — the
contract scripts rely on; `--explain` adds which query terms matched which field of which entry
and why the decision (answer, suggest, nothing; ask coverage).
"""

from __future__ import annotations

import json
from typing import Any

from knowledge.results import DEFAULT_ANSWER_CONFIDENCE, DEFAULT_OFFER_OTHERS_BELOW
from knowledge.search import KnowledgeIndex, SearchResult


def answer_line(question: str, result: SearchResult) -> dict[str, Any]:
    best = result.best
    return {
        "query": question,
        "answered": result.decision == "answer",
        "question": result.answer.question if result.answer else None,
        "score": round(best.score, 4) if best else 0.0,
        "suggestions": [e.question for e in result.suggestions],
        "others": [e.question for e in result.others],  # offered under an unsure answer
    }


def print_json(question: str, result: SearchResult, explanation: dict[str, Any] | None) -> None:
    line = answer_line(question, result)
    if explanation is not None:
        line["explain"] = explanation
    print(json.dumps(line, ensure_ascii=False), flush=True)


def print_text(question: str, result: SearchResult, explanation: dict[str, Any] | None) -> None:
    best = result.best
    print(f"Q: {question}")
    if result.answer is not None:
        entry = result.answer
        print(f"decision: answer (score {best.score:.2f})  [{entry.location}]" if best else "decision: answer")
        print(f"\n### {entry.question}\n\n{entry.answer}")
        for label, body in entry.sections:
            print(f"\n{label}: {body}")
        if entry.escalation:
            print(f"\nエスカレーション: {entry.escalation}")
        for link in entry.links:
            print(f"関連: {link.title} <{link.url}>")
        for other in result.others:  # an unsure answer offers the next candidates
            print(f"  ほかの候補: {other.question}")
    elif result.decision == "suggest":
        print(f"decision: suggest (best score {best.score:.2f})" if best else "decision: suggest")
        for entry in result.suggestions:
            print(f"  もしかして: {entry.question}")
    else:
        print(f"decision: none (best score {best.score:.2f})" if best else "decision: none")
    if explanation is not None:
        print_explanation(explanation)
    print()


def print_explanation(explanation: dict[str, Any]) -> None:
    print(f"\nwhy: {explanation['why']}")
    terms = ", ".join(
        f"{term} (weight {info['weight']}, idf {info['idf'] if info['idf'] is not None else 'not in any entry'})"
        for term, info in explanation["terms"].items()
    )
    print(f"query terms: {terms or '-'}")
    if explanation.get("expansions"):  # soft terms (knowledge.soft_terms): synonyms of the question's words
        print("expanded: " + ", ".join(f"{word} → {term}" for term, word in explanation["expansions"].items()))
    if explanation.get("read_as"):  # the question with its repaired words, as the embeddings read it
        print(f"read as: {explanation['read_as']}")
    if explanation.get("question_map") is not None:  # knowledge.dense_adapter
        print(
            f"embedded as: e5's vector + {explanation['question_map']:.1f} × the question map's (knowledge/dense_adapter.npy)"
        )
    print(f"asks for: {', '.join('/'.join(ask) for ask in explanation['asks']) or '-'}")
    if explanation.get("ask_clause"):
        background = ", ".join(explanation["background"]) or "-"
        print(f"ask clause: {explanation['ask_clause']} (background, counting less: {background})")
    judged = explanation.get("confidence")  # the learned judge (knowledge.confidence)
    if judged:
        weighed = ", ".join(f"{name} {value:+.2f}" for name, value in list(judged["weighed"].items())[:4])
        print(
            f"learned judge: {judged['probability']:.2f} that 「{judged['entry']}」 is right; weighed most: {weighed}"
        )
        others = [c for c in judged["candidates"] if c["probability"] is not None]
        if len(others) > 1:  # trees that weigh several candidates (knowledge.confidence.judged)
            print("  candidates weighed: " + ", ".join(f"「{c['entry']}」 {c['probability']:.2f}" for c in others))
    for candidate in explanation["candidates"]:
        print(
            f"  {candidate['rank']}. {candidate['question']} [{candidate['source']}] score {candidate['score']}"
            f" = explained {candidate['explained']}, phrasing {candidate['phrasing']},"
            f" wording {candidate['wording']}, ask missing {candidate['ask_missing']}"
        )
        matched = ", ".join(f"{term} → {field}" for term, field in candidate["matched"].items())
        print(f"     matched: {matched or '-'}")
        for ask in candidate["asks"]:
            print(
                f"     ask {'/'.join(ask['ask'])}: {'covered in ' + ask['covered_in'] if ask['covered_in'] else 'NOT covered'}"
            )


def ask(
    index: KnowledgeIndex,
    questions: list[str],
    *,
    answer_threshold: float,
    suggest_threshold: float,
    limit: int,
    as_json: bool,
    explain: bool,
    answer_confidence: float = DEFAULT_ANSWER_CONFIDENCE,
    offer_others_below: float = DEFAULT_OFFER_OTHERS_BELOW,
) -> None:
    for question in questions:
        if not question.strip():
            continue
        result = index.search(
            question,
            answer_threshold=answer_threshold,
            suggest_threshold=suggest_threshold,
            limit=limit,
            answer_confidence=answer_confidence,
            offer_others_below=offer_others_below,
        )
        explanation = None
        if explain:
            explanation = index.explain(
                question,
                limit,
                answer_threshold=answer_threshold,
                suggest_threshold=suggest_threshold,
                answer_confidence=answer_confidence,
            )
        (print_json if as_json else print_text)(question, result, explanation)
