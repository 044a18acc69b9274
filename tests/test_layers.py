"""The layering the project relies on: domain logic knows nothing of Slack; production code never
loads the development tools (bot/devtools: the fake Slack, request signing, the console)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SLACK = ("slack_sdk", "slack_bolt", "bot.slack", "handlers")
# The composition side of bot/ (app factory, runtime, CLI, doctor, listener pool) may use Slack.
COMPOSITION = {"app.py", "runtime.py", "cli.py", "doctor.py", "listener_pool.py", "web.py", "__main__.py"}
DEVTOOLS = "bot.devtools"
# The one production module that may reach the development tools, inside the function that starts the console.
STARTS_THE_CONSOLE = "bot/cli.py"


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


def production_modules() -> list[Path]:
    """Everything that runs in production: bot/ (but its devtools), handlers/, knowledge/, scheduler/, migrations/."""
    modules = [p for p in (ROOT / "bot").rglob("*.py") if "devtools" not in p.relative_to(ROOT / "bot").parts]
    for package in ("handlers", "knowledge", "scheduler", "migrations"):
        modules += (ROOT / package).rglob("*.py")
    return sorted(modules)


def import_time_imports(path: Path) -> set[str]:
    """Modules imported when `path` is imported: module and class bodies, not function bodies."""
    names: set[str] = set()
    pending: list[ast.AST] = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        pending.extend(ast.iter_child_nodes(node))
    return names


@pytest.mark.parametrize("path", production_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_production_modules_do_not_import_the_devtools(path: Path) -> None:
    leaks = sorted(name for name in import_time_imports(path) if name.startswith(DEVTOOLS))
    assert leaks == [], f"{path.relative_to(ROOT)} imports {leaks} when it is loaded"
    if str(path.relative_to(ROOT)) != STARTS_THE_CONSOLE:
        anywhere = sorted(name for name in imports(path) if name.startswith(DEVTOOLS))
        assert anywhere == [], f"{path.relative_to(ROOT)} reaches {anywhere}; only the CLI starts the console"


def test_the_import_check_sees_imports_inside_functions_and_classes(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os\nclass A:\n    import json\ndef f():\n    import bot.devtools.console\n", encoding="utf-8"
    )
    assert import_time_imports(module) == {"os", "json"}
    assert "bot.devtools.console" in imports(module)


def test_running_the_bot_does_not_load_the_devtools() -> None:
    """What `supportbot run` loads in production (the CLI, the runtime, the app and its handlers)."""
    import subprocess
    import sys

    probe = "import sys, bot.cli, bot.runtime, bot.app, handlers, scheduler.jobs; print(sorted(m for m in sys.modules if m.startswith('bot.devtools')))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]"
