"""Build `knowledge/data/sudachi_synonyms.tsv.gz` from Sudachi's synonym source (`synonyms.txt`).

    python tools/build_soft_terms.py PATH/TO/SudachiDict/src/main/text/synonyms.txt

The source is SudachiDict's synonym dictionary (Apache-2.0, Works Applications), the same data the
`chikkarpy` package would download while it builds. We keep what query expansion needs: the group,
the lexeme within the group (same lexeme = the same word spelled otherwise, abbreviated or
translated; another lexeme = a near synonym), whether the word may trigger an expansion, and the
headword. Words marked "never expand" (flag 2) are dropped. Nothing here comes from a question set.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "sudachi_synonyms.tsv.gz"
HEADER = (
    "# Sudachi synonym dictionary (SudachiDict src/main/text/synonyms.txt), Apache License 2.0,\n"
    "# Copyright (c) Works Applications Co., Ltd. Columns: group, lexeme, trigger (1 = may expand,\n"
    "# 0 = only a target), word. Rebuild with tools/build_soft_terms.py.\n"
)


def rows(source: Path) -> list[tuple[int, int, int, str]]:
    """(group, lexeme, trigger, word) of every usable line of the source."""
    found = []
    with source.open(encoding="utf-8", newline="") as handle:
        for line in csv.reader(handle):
            if len(line) < 9 or not line[0].strip().isdigit() or not line[8].strip():
                continue
            flag = line[2].strip() or "0"
            if flag == "2":
                continue
            lexeme = int(line[3]) if line[3].strip().isdigit() else 0
            found.append((int(line[0]), lexeme, 0 if flag == "1" else 1, line[8].strip()))
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    data = rows(Path(argv[0]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = HEADER + "".join(f"{g}\t{lx}\t{t}\t{w}\n" for g, lx, t, w in data)
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(data)} words in {len({g for g, *_ in data})} groups -> {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
