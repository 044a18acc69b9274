"""A reference point for the matcher: untuned BM25 over Sudachi tokens, on every shipped question set.

Usage:
    python benchmarks/faq_baseline.py [--split tuning|heldout|all]

Each entry is one document (question, 言い換え, answer, sections, category); words are Sudachi's
normalised forms of nouns, verbs, adjectives and English words; k1 = 1.2, b = 0.75. The best
entry is always taken (no threshold), so the figure is "forced top-1": the share of in-scope
questions whose best-scoring entry is the expected one. Prints one JSON object a line per set.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.faq_quality import SPLITS, knowledge_of, read_rows, set_folders  # noqa: E402
from knowledge.evaluation import same  # noqa: E402
from knowledge.loader import Entry, load_entries  # noqa: E402
from knowledge.tokens import sudachi  # noqa: E402

CONTENT = ("名詞", "動詞", "形容詞", "形状詞")


def words(text: str) -> list[str]:
    return [m.normalized_form() for m in sudachi().tokenize(text) if m.part_of_speech()[0] in CONTENT]


def document(entry: Entry) -> str:
    parts = [entry.question, *entry.alternatives, entry.answer, entry.category]
    parts.extend(body for _, body in entry.sections)
    return "\n".join(parts)


class Bm25:
    def __init__(self, entries: list[Entry], k1: float = 1.2, b: float = 0.75) -> None:
        self.entries = entries
        self.docs = [Counter(words(document(e))) for e in entries]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / max(len(self.docs), 1)
        df = Counter(t for d in self.docs for t in d)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.k1, self.b = k1, b

    def best(self, query: str) -> Entry | None:
        terms = words(query)
        scores = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / self.average)
            scores.append(sum(self.idf.get(t, 0.0) * doc[t] * (self.k1 + 1) / (doc[t] + norm) for t in terms))
        top = max(range(len(scores)), key=scores.__getitem__, default=None)
        return None if top is None or scores[top] <= 0 else self.entries[top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    args = parser.parse_args(argv)
    for folder in set_folders(None):
        bm25 = Bm25(load_entries(knowledge_of(folder)))
        for split in SPLITS if args.split == "all" else (args.split,):
            path = folder / f"{split}.jsonl"
            if not path.exists():
                continue
            inside = [r for r in read_rows(path) if r.get("expected")]
            hits = 0
            for row in inside:
                best = bm25.best(row["q"])
                hits += best is not None and same(best.question, row["expected"])
            top1 = round(hits / len(inside), 4) if inside else None
            print(json.dumps({"set": folder.name, "split": split, "in_scope": len(inside), "bm25_forced_top1": top1}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
