"""Answer quality of the FAQ search on a labelled question set.

Usage:
    python benchmarks/faq_quality.py [--knowledge PATH] [--answer-threshold X --suggest-threshold Y]
                                     FILE.jsonl [--verbose]

FILE.jsonl has one question a line: {"q": "...", "expected": "question heading" or null}.
null means the knowledge base has no answer (out of scope). Prints one JSON object:

    in_scope, out_of_scope          how many questions of each kind
    top1_accuracy                   in scope, answered with the expected entry / in scope
    wrong_answer_rate               in scope, answered with another entry / in scope
    answered_out_of_scope_rate      out of scope, yet answered / out of scope
    suggest_rate                    decision "suggest" / all questions
    in_scope_suggested_rate         in scope, not answered but the expected entry among suggestions / in scope
    in_scope_top3_rate              in scope, expected entry among the top 3 candidates / in scope
    unknown_expected                expected headings not found in the knowledge base (a labelling error)

--verbose lists every miss on stderr with its best candidates.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge import BUNDLED_KNOWLEDGE  # noqa: E402
from knowledge.search import (  # noqa: E402
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_SUGGEST_THRESHOLD,
    KnowledgeIndex,
)


def _same(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).strip() == unicodedata.normalize("NFKC", b).strip()


def read_cases(path: Path) -> list[dict[str, Any]]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            case = json.loads(line)
            if "q" not in case:
                raise SystemExit(f'{path}:{number}: missing "q"')
            cases.append(case)
    return cases


def evaluate(
    index: KnowledgeIndex,
    cases: list[dict[str, Any]],
    answer_threshold: float,
    suggest_threshold: float,
    verbose: bool = False,
) -> dict[str, Any]:
    """Run every case and count outcomes; misses go to stderr when verbose."""
    in_scope = out_scope = correct = wrong = answered_out = suggested = in_suggested = in_top3 = 0
    unknown: set[str] = set()
    headings = {e.question for e in index.entries}
    for case in cases:
        query, expected = case["q"], case.get("expected")
        result = index.search(query, answer_threshold=answer_threshold, suggest_threshold=suggest_threshold, limit=3)
        suggested += result.decision == "suggest"
        answer = result.answer
        top = [c.entry.question for c in result.candidates]
        miss = ""
        if expected is None:
            out_scope += 1
            if answer is not None:
                answered_out += 1
                miss = "ANSWERED OUT-OF-SCOPE"
        else:
            in_scope += 1
            if not any(_same(expected, h) for h in headings):
                unknown.add(expected)
            if any(_same(expected, q) for q in top):
                in_top3 += 1
            if answer is not None and _same(answer.question, expected):
                correct += 1
            elif answer is not None:
                wrong += 1
                miss = "WRONG ANSWER"
            else:
                if any(_same(expected, e.question) for e in result.suggestions):
                    in_suggested += 1
                miss = f"NOT ANSWERED ({result.decision})"
        if verbose and miss:
            ranked = ", ".join(f"{c.entry.question} {c.score:.2f}" for c in result.candidates) or "-"
            print(f"{miss}: {query!r}\n    expected: {expected}\n    got: {ranked}", file=sys.stderr)
    total = in_scope + out_scope
    return {
        "in_scope": in_scope,
        "out_of_scope": out_scope,
        "top1_accuracy": round(correct / in_scope, 4) if in_scope else None,
        "wrong_answer_rate": round(wrong / in_scope, 4) if in_scope else None,
        "answered_out_of_scope_rate": round(answered_out / out_scope, 4) if out_scope else None,
        "suggest_rate": round(suggested / total, 4) if total else None,
        "in_scope_suggested_rate": round(in_suggested / in_scope, 4) if in_scope else None,
        "in_scope_top3_rate": round(in_top3 / in_scope, 4) if in_scope else None,
        "answer_threshold": answer_threshold,
        "suggest_threshold": suggest_threshold,
        "unknown_expected": sorted(unknown),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help='JSONL with {"q": ..., "expected": heading or null}')
    parser.add_argument("--knowledge", type=Path, default=BUNDLED_KNOWLEDGE, help="knowledge folder or file")
    parser.add_argument("--answer-threshold", type=float, default=DEFAULT_ANSWER_THRESHOLD)
    parser.add_argument("--suggest-threshold", type=float, default=DEFAULT_SUGGEST_THRESHOLD)
    parser.add_argument("--verbose", action="store_true", help="list misses on stderr")
    args = parser.parse_args(argv)
    index = KnowledgeIndex.from_path(args.knowledge)
    report = evaluate(index, read_cases(args.file), args.answer_threshold, args.suggest_threshold, args.verbose)
    report["knowledge"] = str(args.knowledge)
    report["entries"] = len(index.entries)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
