"""`supportbot faq check QUESTIONS`: how the bot does on a team's own questions about its own FAQ.

A team that brings its FAQ wants to know before going live how often the bot will answer right,
answer wrong, or answer something its FAQ does not cover — and where to set `[faq]
answer_confidence` (with the learned judge, the default) or `answer_threshold`. It writes
questions as its users ask them, each with the heading of the entry that answers it or none
(`knowledge.evaluation`: .jsonl, .csv or .tsv), best by someone who did not write the FAQ, with
out-of-scope questions among them. This prints the figures at the configured
thresholds and at neighbouring ones (a lower one answers more, and more of what it
should not), the one of them it advises (`advised`), then the entries missed most and those that
answered what they do not cover.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from knowledge.evaluation import UNLABELLED, Labelled, Miss, evaluate, read_labelled, unknown_headings
from knowledge.results import DEFAULT_ANSWER_CONFIDENCE, DEFAULT_OFFER_OTHERS_BELOW
from knowledge.search import KnowledgeIndex, SearchResult

THRESHOLD_STEPS = (-0.10, -0.05, 0.0, 0.05, 0.10)  # around the configured answer threshold
ADVISED_OUT_OF_SCOPE = 0.10  # out of scope answered a setting may reach, unless --max-out-of-scope says
ADVISED_WRONG = 0.05  # answered wrong a setting may reach (issue 8's goals)
MIN_OUT_OF_SCOPE_TO_ADVISE = 20  # fewer out-of-scope questions cannot tell 0.05 from 0.10
MAX_UNKNOWN_SHOWN = 10
MAX_ENTRIES_SHOWN = 5


def check(
    index: KnowledgeIndex,
    questions: list[Labelled],
    answer_threshold: float,
    suggest_threshold: float,
    limit: int,
    *,
    as_json: bool = False,
    misses: bool = False,
    min_right: float | None = None,
    max_out_of_scope: float | None = None,
    answer_confidence: float = DEFAULT_ANSWER_CONFIDENCE,
    offer_others_below: float = DEFAULT_OFFER_OTHERS_BELOW,
) -> int:
    """Print the figures; 1 when they miss a floor given (`min_right`, `max_out_of_scope`: for CI),
    2 when a question names a heading no entry has (nothing is measured). `shown` counts the
    candidates an answer less sure than `offer_others_below` offers under it, as the bot does."""
    unknown = unknown_headings(index, questions)
    if unknown:
        for question in unknown[:MAX_UNKNOWN_SHOWN]:
            print(f"line {question.line}: no entry is headed “{question.expected}”", file=sys.stderr)
        print(f"error: {len(unknown)} question(s) name a heading no entry has; fix them first", file=sys.stderr)
        return 2
    by_entry = _ByEntry(misses)
    asked = _Asking(answer_threshold, suggest_threshold, limit, answer_confidence, offer_others_below)
    figures = asked.figures(index, questions, by_entry.miss)
    knob, configured = (
        ("answer_confidence", answer_confidence) if index.judges else ("answer_threshold", answer_threshold)
    )
    sweep = [{knob: value, **asked.moved(knob, value).figures(index, questions)} for value in _thresholds(configured)]
    limit_oos = ADVISED_OUT_OF_SCOPE if max_out_of_scope is None else max_out_of_scope
    advice, advice_line = _advice(sweep, knob, figures["out_of_scope"], limit_oos)
    if as_json:
        line = {"answer_threshold": answer_threshold, "suggest_threshold": suggest_threshold}
        if index.judges:
            line["answer_confidence"] = answer_confidence
        report = {**line, **figures, "sweep": sweep, "advised": advice, **by_entry.report(questions)}
        print(json.dumps(report, ensure_ascii=False))
    else:
        _print_figures(figures, knob, configured)
        _print_sweep(sweep, knob, configured)
        print(f"\n{advice_line}")
        by_entry.print(questions)
    return _verdict(figures, min_right, max_out_of_scope)


def _verdict(figures: dict[str, Any], min_right: float | None, max_out_of_scope: float | None) -> int:
    """1, after saying why, when the figures at the configured thresholds miss a floor given."""
    failed = []
    if min_right is not None and (figures["top1"] or 0.0) < min_right:
        failed.append(f"answered right {figures['top1']} < --min-right {min_right}")
    if max_out_of_scope is not None and (figures["oos_answered"] or 0.0) > max_out_of_scope:
        failed.append(f"out of scope answered {figures['oos_answered']} > --max-out-of-scope {max_out_of_scope}")
    for reason in failed:
        print(f"FAILED: {reason}", file=sys.stderr)
    return 1 if failed else 0


@dataclass(frozen=True)
class _Asking:
    """How the bot asks each question (the team's `[faq]` settings), and the figures it then gets."""

    answer_threshold: float
    suggest_threshold: float
    limit: int
    answer_confidence: float
    offer_others_below: float

    def figures(self, index: KnowledgeIndex, questions: list[Labelled], on_miss: Miss | None = None) -> dict[str, Any]:
        return evaluate(
            index, questions, self.answer_threshold, self.suggest_threshold, self.limit, on_miss,
            self.answer_confidence, self.offer_others_below,
        )  # fmt: skip

    def moved(self, knob: str, value: float) -> _Asking:
        """The same with one knob (`answer_threshold` or `answer_confidence`) moved to `value`."""
        if knob == "answer_confidence":
            return replace(self, answer_confidence=value)
        return replace(self, answer_threshold=value, suggest_threshold=min(self.suggest_threshold, value))


def _thresholds(configured: float) -> list[float]:
    return sorted({round(min(max(configured + step, 0.0), 1.0), 2) for step in THRESHOLD_STEPS})


class _ByEntry:
    """Where the misses are, entry by entry: what to rewrite first (or teach in Slack)."""

    def __init__(self, print_each: bool) -> None:
        self.print_each = print_each
        self.missed: Counter[str] = Counter()  # expected heading -> its questions not answered right
        self.instead: dict[str, Counter[str]] = {}  # expected heading -> the entries that answered instead
        self.overreach: Counter[str] = Counter()  # heading -> out-of-scope questions it answered

    def miss(self, question: Labelled, result: SearchResult, miss: str) -> None:
        answered = result.answer.question if result.answer else None
        if question.expected is None:
            self.overreach[answered or "-"] += 1
        else:
            self.missed[question.expected] += 1
            if answered is not None:
                self.instead.setdefault(question.expected, Counter())[answered] += 1
        if self.print_each:
            shown = answered or ", ".join(e.question for e in result.suggestions) or "-"
            print(f"line {question.line}: {miss}: {question.text}")
            print(f"    expected: {question.expected or '(out of scope)'}\n    bot: {result.decision}: {shown}")

    def report(self, questions: list[Labelled]) -> dict[str, Any]:
        asked = Counter(q.expected for q in questions if q.expected is not None)
        entries = [
            {
                "heading": heading,
                "asked": asked[heading],
                "missed": count,
                "answered_instead": dict(self.instead.get(heading, {})),
            }
            for heading, count in sorted(self.missed.items(), key=lambda item: (-item[1], item[0]))
        ]
        return {"entries_missed": entries, "answered_out_of_scope": dict(self.overreach.most_common())}

    def print(self, questions: list[Labelled]) -> None:
        found = self.report(questions)
        if found["entries_missed"]:
            print(f"\nentries most often missed (the first {MAX_ENTRIES_SHOWN}):")
        for row in found["entries_missed"][:MAX_ENTRIES_SHOWN]:
            instead = ", ".join(f"{heading} ×{n}" for heading, n in row["answered_instead"].items())
            print(
                f"  {row['heading']}: {row['missed']} of {row['asked']}"
                + (f"; answered instead: {instead}" if instead else "")
            )
        if found["answered_out_of_scope"]:
            print("\nentries that answered questions they do not cover:")
        for heading, count in list(found["answered_out_of_scope"].items())[:MAX_ENTRIES_SHOWN]:
            print(f"  {heading}: {count}")


def _share(value: float | None, of: int) -> str:
    return "-" if value is None else f"{value:.2f} ({round(value * of)}/{of})"


def _print_figures(figures: dict[str, Any], knob: str, configured: float) -> None:
    inside, outside = figures["in_scope"], figures["out_of_scope"]
    print(f"{inside + outside} questions: {inside} in scope, {outside} out of scope")
    print(f"at {knob} {configured:.2f} (configured):")
    print(f"  answered right          {_share(figures['top1'], inside)}")
    print(f"  answered wrong          {_share(figures['wrong'], inside)}")
    print(f"  right entry shown       {_share(figures['shown'], inside)}  (the answer, among もしかして, or under it)")
    print(f"  nothing shown           {_share(figures['silent'], inside)}")
    print(f"  out of scope answered   {_share(figures['oos_answered'], outside)}")
    losses = figures.get("losses") or {}
    if any(losses.values()):  # where the rest went: confidence or teaching (first among もしかして), or wording
        print(
            f"  not answered right      {losses['first_suggested']} first among もしかして, "
            f"{losses['suggested_lower']} lower among them, {losses['wrong']} answered wrong, {losses['not_shown']} not shown"
        )
    if figures["others_offered"]:  # an answer less sure than offer_others_below offers the next candidates
        print(
            f"  answers offering others {figures['others_offered']:.2f} of the answers (less sure than offer_others_below)"
        )


def _print_sweep(sweep: list[dict[str, Any]], knob: str, configured: float) -> None:
    print(f"\n{knob:<17} right  wrong  out of scope answered  shown")
    for row in sweep:
        mark = "*" if row[knob] == round(configured, 2) else " "
        cells = [_cell(row[key]) for key in ("top1", "wrong", "oos_answered", "shown")]
        print(f"{mark} {row[knob]:.2f}            {cells[0]}   {cells[1]}   {cells[2]:>21}  {cells[3]}")


def advised(sweep: list[dict[str, Any]], knob: str, out_of_scope: int, limit: float) -> dict[str, Any] | None:
    """The setting of the sweep that answers most questions right while out of scope answered stays
    within `limit` and wrong within ADVISED_WRONG (the higher setting on a tie: the safer one); None
    when none does, or when too few out-of-scope questions were asked to tell."""
    return _advice(sweep, knob, out_of_scope, limit)[0]


def _advice(
    sweep: list[dict[str, Any]], knob: str, out_of_scope: int, limit: float
) -> tuple[dict[str, Any] | None, str]:
    """The advised row of the sweep (or None) and the sentence that says it, or why there is none."""
    if out_of_scope < MIN_OUT_OF_SCOPE_TO_ADVISE:
        return None, (
            f"no setting advised: {out_of_scope} out-of-scope question(s), {MIN_OUT_OF_SCOPE_TO_ADVISE} needed"
            " (add questions your FAQ does not answer, near misses most)"
        )
    fits = [row for row in sweep if (row["oos_answered"] or 0.0) <= limit and (row["wrong"] or 0.0) <= ADVISED_WRONG]
    within = f"out of scope answered ≤ {limit:.2f} and wrong ≤ {ADVISED_WRONG:.2f}"
    if not fits:
        return None, f"no setting keeps {within} on these questions"
    best = max(fits, key=lambda row: (row["top1"] or 0.0, row[knob]))
    return (
        best,
        f"advised: {knob} = {best[knob]:.2f} in supportbot.toml [faq] — the most right answers ({best['top1']:.2f}) with {within}",
    )


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def read_questions(path: Path) -> list[Labelled] | None:
    """The file's labelled questions (rows still marked "?" left out, and counted), or None after
    saying why it cannot be read."""
    try:
        rows = read_labelled(path)
    except FileNotFoundError:
        print(f"error: {path}: no such file", file=sys.stderr)
        return None
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return None
    labelled = [row for row in rows if row.expected != UNLABELLED]
    if len(labelled) < len(rows):
        print(
            f"{len(rows) - len(labelled)} question(s) still marked “{UNLABELLED}” left out: label them", file=sys.stderr
        )
    return labelled
