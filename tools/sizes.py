"""Sizes that keep the code easy to carry on, checked by `make lint` (issue 10, item 7).

In bot/, handlers/, knowledge/ and scheduler/: no module over 400 lines, no function over 60 lines, no
function more complex than 12 (ruff's C901, McCabe). ALLOWED names today's offenders, each with what
will shrink it; the restructuring empties it. An entry that no longer offends is reported too, so the
list can only shrink.

    python tools/sizes.py          # exit 1 and one line per problem when something is over
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "knowledge", "scheduler")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_COMPLEXITY = 12  # also [tool.ruff.lint.mccabe] in pyproject.toml

# (check, file, function: "" for a module) → what shrinks it.
ALLOWED: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Offence:
    check: str  # "lines" or "complexity"
    path: str
    function: str  # "" for the module
    size: int
    limit: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check, self.path, self.function)

    def __str__(self) -> str:
        where = f"{self.path}:{self.function}" if self.function else self.path
        what = "lines" if self.check == "lines" else "complexity"
        return f"{where}: {what} {self.size} > {self.limit}"


def modules(root: Path) -> list[Path]:
    return sorted(p for package in PACKAGES for p in (root / package).rglob("*.py"))


def line_offences(root: Path) -> list[Offence]:
    found = []
    for path in modules(root):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(Offence("lines", name, "", lines, MAX_MODULE_LINES))
        for function, length in _function_lengths(ast.parse(source)):
            if length > MAX_FUNCTION_LINES:
                found.append(Offence("lines", name, function, length, MAX_FUNCTION_LINES))
    return found


def _function_lengths(tree: ast.AST, prefix: str = "") -> list[tuple[str, int]]:
    """(qualified name, lines) of every function, methods as Class.method, nested ones as outer.inner."""
    lengths = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = prefix + node.name
            lengths.append((name, (node.end_lineno or node.lineno) - node.lineno + 1))
            lengths += _function_lengths(node, name + ".")
        elif isinstance(node, ast.ClassDef):
            lengths += _function_lengths(node, prefix + node.name + ".")
        else:
            lengths += _function_lengths(node, prefix)
    return lengths


def complexity_offences(root: Path) -> list[Offence]:
    """ruff's C901 over the packages ("`name` is too complex (48 > 12)")."""
    ruff = Path(sys.executable).with_name("ruff")
    command = [str(ruff) if ruff.exists() else "ruff", "check", "--select", "C901", "--output-format", "json"]
    command += ["--config", f"lint.mccabe.max-complexity={MAX_COMPLEXITY}", "--exit-zero", *PACKAGES]
    report = json.loads(subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout)
    found = []
    for item in report:
        match = re.search(r"`(.+?)` is too complex \((\d+) > (\d+)\)", item["message"])
        if match:
            path = Path(item["filename"]).resolve().relative_to(root.resolve()).as_posix()
            found.append(Offence("complexity", path, match.group(1), int(match.group(2)), int(match.group(3))))
    return found


def problems(offences: list[Offence], allowed: dict[tuple[str, str, str], str]) -> list[str]:
    """New offences, and allow-list entries that no longer offend (remove them: the list only shrinks)."""
    keys = {o.key for o in offences}
    out = [f"{o}  (split it up; see tools/sizes.py)" for o in offences if o.key not in allowed]
    for check, path, function in sorted(set(allowed) - keys):
        where = f"{path}:{function}" if function else path
        out.append(f"{where}: no longer over the {check} limit: remove it from ALLOWED in tools/sizes.py")
    return out


def main() -> int:
    found = problems(line_offences(ROOT) + complexity_offences(ROOT), ALLOWED)
    for line in found:
        print(line)
    print(f"sizes: {len(found)} problem(s), {len(ALLOWED)} allowed offender(s) still to shrink")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
