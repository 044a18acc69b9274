"""The layering the project relies on: domain logic knows nothing of Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SLACK = ("slack_sdk", "slack_bolt", "bot.slack", "handlers")
# The composition side of bot/ (app factory, runtime, console, CLI, doctor, listener pool) may use Slack.
COMPOSITION = {"app.py", "runtime.py", "console.py", "cli.py", "doctor.py", "listener_pool.py", "web.py", "__main__.py"}


def domain_modules() -> list[Path]:
    modules = [p for p in (ROOT / "bot").glob("*.py") if p.name not in COMPOSITION]
    modules += list((ROOT / "bot" / "reports").glob("*.py"))  # reporting: figures, export, chart — no Slack
    modules += list((ROOT / "knowledge").glob("*.py")) + list((ROOT / "scheduler").glob("*.py"))
    return sorted(modules)


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_modules_do_not_import_slack(path: Path) -> None:
    leaks = sorted(name for name in imports(path) if name.startswith(SLACK))
    assert leaks == [], f"{path.relative_to(ROOT)} imports {leaks}"


def test_every_web_client_comes_from_the_factory() -> None:
    offenders = []
    for path in [
        *(ROOT / "bot").rglob("*.py"),
        *(ROOT / "handlers").rglob("*.py"),
        *(ROOT / "scheduler").rglob("*.py"),
    ]:
        if path.name == "client.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "WebClient":
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
