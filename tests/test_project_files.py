"""The files a newcomer and a deployment rely on: the licence, the Makefile, the container setup."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_licence_is_the_one_pyproject_declares() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]["text"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert declared == "MIT" and licence.startswith("MIT License") and "WITHOUT WARRANTY" in licence


def dry_run(target: str, tmp_path: Path) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"  # does not exist: what a fresh clone has
    # Run inside `make test`, make would pass its own flags down and print "Entering directory…".
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    command = ["make", "--dry-run", "--no-print-directory", target, f"VENV={venv}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout


def test_make_run_says_what_it_installs_and_installs_only_what_running_needs(tmp_path: Path) -> None:
    commands = dry_run("run", tmp_path)
    assert "Installing supportbot and what it needs to run" in commands
    assert "pip install" in commands and "[dev]" not in commands
    assert commands.strip().endswith("supportbot run")


def test_make_test_adds_the_development_tools(tmp_path: Path) -> None:
    commands = dry_run("test", tmp_path)
    assert "pip install --quiet --progress-bar off -e ." in commands and "-e '.[dev]'" in commands
    last = commands.strip().splitlines()[-1]
    assert last.split()[0].endswith("/bin/pytest") and "--numprocesses auto" in last  # on every core (pytest-xdist)


def test_the_image_writes_its_data_to_a_volume_the_bot_user_owns() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "DATABASE_URL=sqlite:////data/supportbot.db" in dockerfile
    assert re.search(r"mkdir /data /spool && chown supportbot:supportbot /data /spool", dockerfile)
    assert 'VOLUME ["/data", "/spool"]' in dockerfile and "USER supportbot" in dockerfile
    assert "SUPPORTBOT_SPOOL_DIR=/spool" in dockerfile  # the intake spool (issue 14) on a volume of its own
    assert "SUPPORTBOT_FAQ_INDEX_CACHE=/data/faq-index" in dockerfile  # restarts reuse the index and embeddings
    assert "LICENSE" in dockerfile  # the licence ships with the code


def test_the_build_context_leaves_out_the_venv_secrets_and_local_data() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".git", ".env", "supportbot.toml", "*.db"} <= ignored


def test_compose_maps_and_checks_the_port_the_bot_listens_on() -> None:
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert '- "${PORT:-3000}:${PORT:-3000}"' in compose and "PORT: ${PORT:-3000}" in compose
    assert "/healthz' % os.environ['PORT']" in compose
    assert "- botdata:/data" in compose
    assert "- botspool:/spool" in compose and "SUPPORTBOT_SPOOL_DIR: /spool" in compose
