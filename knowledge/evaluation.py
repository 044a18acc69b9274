"""Measuring the search on labelled questions: how often it answers right, wrong, or out of scope.

One way to count, shared by `benchmarks/faq_quality.py` (our blind sets) and `supportbot faq
check` (a team's own questions about its own FAQ). A labelled question names the entry that
answers it (its `### Q:` heading) or none (out of scope: the bot should not answer). Files are
JSON Lines (`{"q": …, "expected": heading or null, "kind": …}`) or, from a spreadsheet, CSV or
TSV (the question, then the heading; an empty heading means out of scope).
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.results import DEFAULT_ANSWER_CONFIDENCE, DEFAULT_OFFER_OTHERS_BELOW, SearchResult
from knowledge.search import KnowledgeIndex

UNLABELLED = "?"  # a question whose entry is not known yet (`supportbot faq questions`): left out until labelled
_HEADER_WORDS = {"question", "questions", "q", "質問", "問い合わせ"}
COUNTS = (
    *("in_scope", "out_of_scope", "near_miss", "top1", "wrong", "oos_answered", "near_miss_answered", "shown"),
    *("answered", "others_offered"),  # answers, and those that offered other candidates under them
)
# Where an in-scope question not answered right went, as the user saw it (`lost`): what to do about it
# differs — a right entry first among もしかして asks for a lower answer confidence or a taught phrasing,
# one ranked lower or not shown at all for vocabulary or a rewritten entry, a wrong answer for both.
LOSSES = ("first_suggested", "suggested_lower", "wrong", "not_shown")


@dataclass(frozen=True)
class Labelled:
    """A question and the heading of the entry that answers it (None: out of scope)."""

    text: str
    expected: str | None
    kind: str | None = None  # "near_miss" for a question on a covered topic that asks something else
    style: str | None = None
    line: int = 0


def same(a: str, b: str) -> bool:
    """Headings compared as written, but for Unicode width and surrounding blanks."""
    return unicodedata.normalize("NFKC", a).strip() == unicodedata.normalize("NFKC", b).strip()


def read_labelled(path: Path) -> list[Labelled]:
    """The questions of a .jsonl, .csv or .tsv file; ValueError naming the file and line of a bad row."""
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return _from_table(text, suffix == ".tsv")
    return _from_json_lines(path, text)


def _from_table(text: str, tabs: bool) -> list[Labelled]:
    """A spreadsheet's rows: the question, then the heading (empty: out of scope); further columns
    are ignored, and so is a first row naming the columns (question / 質問)."""
    reader = csv.reader(
        io.StringIO(text), delimiter="\t" if tabs else ",", quoting=csv.QUOTE_NONE if tabs else csv.QUOTE_MINIMAL
    )
    rows: list[Labelled] = []
    for cells in reader:
        question = cells[0].strip() if cells else ""
        if not question or question.startswith("#") or (not rows and question.lower() in _HEADER_WORDS):
            continue
        heading = cells[1].strip() if len(cells) > 1 else ""
        rows.append(Labelled(question, heading or None, line=reader.line_num))
    return rows


def _from_json_lines(path: Path, text: str) -> list[Labelled]:
    rows: list[Labelled] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("q"), str):
            raise ValueError(f'{path}:{number}: a row needs "q" (the question) and "expected" (a heading or null)')
        rows.append(Labelled(row["q"], row.get("expected"), row.get("kind"), row.get("style"), number))
    return rows


def unknown_headings(index: KnowledgeIndex, questions: Sequence[Labelled]) -> list[Labelled]:
    """Questions whose expected heading is no entry's: a typo would otherwise count as a miss."""
    headings = [e.question for e in index.entries]
    return [q for q in questions if q.expected is not None and not any(same(q.expected, h) for h in headings)]


Miss = Callable[[Labelled, SearchResult, str], None]  # the question, what the bot did, what went wrong


def evaluate(
    index: KnowledgeIndex,
    questions: Sequence[Labelled],
    answer_threshold: float,
    suggest_threshold: float,
    limit: int = 3,
    on_miss: Miss | None = None,
    answer_confidence: float = DEFAULT_ANSWER_CONFIDENCE,
    offer_others_below: float = DEFAULT_OFFER_OTHERS_BELOW,
) -> dict[str, Any]:
    """Ask every question as the bot would and count the outcomes (rates: `rates`)."""
    counts = dict.fromkeys(COUNTS, 0)
    losses = dict.fromkeys(LOSSES, 0)
    by_style: dict[str, int] = {}
    silent = [0, 0]  # in scope, out of scope: no answer and no suggestion
    for question in questions:
        result = index.search(
            question.text,
            answer_threshold=answer_threshold,
            suggest_threshold=suggest_threshold,
            limit=limit,
            answer_confidence=answer_confidence,
            offer_others_below=offer_others_below,
        )
        loss = lost(question, result)
        miss = _count(counts, question, result, loss)
        if result.answer is None and not result.suggestions:
            silent[question.expected is None] += 1
        if miss and on_miss is not None:
            on_miss(question, result, miss)
        if loss is not None:
            losses[loss] += 1
            if question.style:
                by_style[question.style] = by_style.get(question.style, 0) + 1
    report = rates(counts, silent)
    report["losses"] = losses
    if by_style:
        report["losses_by_style"] = dict(sorted(by_style.items(), key=lambda item: (-item[1], item[0])))
    return report


def lost(question: Labelled, result: SearchResult) -> str | None:
    """Where an in-scope question not answered right went (one of LOSSES); None when it was answered
    right or is out of scope."""
    expected, answer = question.expected, result.answer
    if expected is None or (answer is not None and same(answer.question, expected)):
        return None
    if answer is not None:
        return "wrong"
    shown = [i for i, entry in enumerate(result.suggestions) if same(entry.question, expected)]
    if not shown:
        return "not_shown"
    return "first_suggested" if shown[0] == 0 else "suggested_lower"


def _count(counts: dict[str, int], question: Labelled, result: SearchResult, loss: str | None) -> str:
    """Add one outcome (`loss`: where an in-scope question went, `lost`); what went wrong, or "" when
    nothing did."""
    answer, expected = result.answer, question.expected
    counts["answered"] += answer is not None
    counts["others_offered"] += bool(result.others)
    if expected is None:
        near = question.kind == "near_miss"
        counts["out_of_scope"] += 1
        counts["near_miss"] += near
        if answer is None:
            return ""
        counts["oos_answered"] += 1
        counts["near_miss_answered"] += near
        return "ANSWERED OUT-OF-SCOPE" + (" (near miss)" if near else "")
    counts["in_scope"] += 1
    if loss is None:
        counts["top1"] += 1
        counts["shown"] += 1
        return ""
    if loss == "wrong":
        counts["wrong"] += 1
        if any(same(expected, e.question) for e in result.others):
            counts["shown"] += 1  # under the answer, among the other candidates an unsure answer offers
            return "WRONG ANSWER (the right one offered under it)"
        return "WRONG ANSWER"
    if loss != "not_shown":
        counts["shown"] += 1
        return "SUGGESTED"
    return f"NOT SHOWN ({result.decision})"


def rates(counts: dict[str, int], silent: Sequence[int]) -> dict[str, Any]:
    """Counts as shares: of the in-scope questions (top1, wrong, shown, silent) or the others
    (oos_silent: no answer and no もしかして either, as unrelated questions should get); of the answers,
    those that offered other candidates under them (others_offered: how often an answer says it is unsure)."""

    def rate(numerator: int, denominator: int) -> float | None:
        return round(numerator / denominator, 4) if denominator else None

    inside, outside = counts["in_scope"], counts["out_of_scope"]
    return {
        "in_scope": inside,
        "out_of_scope": outside,
        "near_miss": counts["near_miss"],
        "top1": rate(counts["top1"], inside),
        "wrong": rate(counts["wrong"], inside),
        "oos_answered": rate(counts["oos_answered"], outside),
        "near_miss_answered": rate(counts["near_miss_answered"], counts["near_miss"]),
        "shown": rate(counts["shown"], inside),
        "silent": rate(silent[0], inside),
        "oos_silent": rate(silent[1], outside),
        "others_offered": rate(counts["others_offered"], counts["answered"]),
    }
