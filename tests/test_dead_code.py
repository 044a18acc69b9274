"""No code without a caller, no message without a user: each name defined is used somewhere.

A cheap guard, by name: a function or method of bot/ or scheduler/ whose name appears nowhere but in
its own definition, and an i18n message key no code asks for. (Common names such as `register` can
hide from it; a review still looks.)
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from bot.i18n import MESSAGES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("bot", "handlers", "scheduler", "knowledge", "migrations", "tests", "benchmarks", "tools")
# Called by a framework, not by us; or waiting for its caller.
CALLED_ELSEWHERE = {
    "process_bind_param": "SQLAlchemy's TypeDecorator hook (bot/models.py)",
    "process_result_value": "SQLAlchemy's TypeDecorator hook (bot/models.py)",
    "handle_error": "http.server's hook (the fake Slack's quiet server)",
    "log_message": "http.server's hook (the fake Slack's quiet handler)",
}


def texts(*roots: str) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for r in roots for p in sorted((ROOT / r).rglob("*.py"))}


def defined_functions(source: str) -> list[str]:
    """Module-level functions and methods that are not registered by a decorator."""
    names = []
    for node in ast.parse(source).body:
        members = node.body if isinstance(node, ast.ClassDef) else [node]
        for member in members:
            if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and not member.decorator_list:
                names.append(member.name)
    return [n for n in names if not n.startswith("__")]


def test_every_function_has_a_caller() -> None:
    words = Counter(re.findall(r"\w+", "\n".join(texts(*SOURCES).values())))
    unused = [
        f"{path.relative_to(ROOT)}: {name}"
        for path, source in texts("bot", "scheduler").items()
        for name in defined_functions(source)
        if name not in CALLED_ELSEWHERE and words[name] <= 1
    ]
    assert unused == []


def test_every_message_is_used() -> None:
    code = "\n".join(t for p, t in texts("bot", "handlers", "scheduler", "knowledge").items() if p.name != "i18n.py")
    prefixes = set(re.findall(r"""f["']([a-z_.]+)\.\{""", code))  # t(f"level.{n}") uses every level.*
    unused = [
        key
        for key in MESSAGES
        if f'"{key}"' not in code and f"'{key}'" not in code and not any(key.startswith(p + ".") for p in prefixes)
    ]
    assert unused == []
