"""The slash commands the app registers are the ones manifest.yml declares to Slack: a command
declared but not handled would get only an apology; one handled but not declared, never a request."""

from __future__ import annotations

import re
from pathlib import Path

from handlers.commands import COMMANDS

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def test_the_manifest_declares_exactly_the_commands_the_app_handles() -> None:
    declared = re.findall(r"^\s*- command: (/\S+)\s*$", MANIFEST.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert tuple(declared) == COMMANDS
