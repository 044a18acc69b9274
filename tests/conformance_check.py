"""The Slack conformance checker (`../shared/slack-conformance`) as the test session runs it.

`tests/test_slack_conformance.py` runs it over the session's recorded traffic as the last test; under
pytest-xdist (`make test`), where no test of a worker can know the others have finished, the
controller runs the same `judge` once every worker is done (`session_verdict`, wired in tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.devtools.recording import RECORD_ENV

ROOT = Path(__file__).resolve().parents[1]


def _find_checker() -> Path:
    """SUPPORTBOT_SLACK_CONFORMANCE, else `shared/slack-conformance` beside the checkout or one of its parents."""
    if configured := os.environ.get("SUPPORTBOT_SLACK_CONFORMANCE"):
        return Path(configured)
    for folder in ROOT.parents:
        candidate = folder / "shared" / "slack-conformance"
        if (candidate / "conformance.py").is_file():
            return candidate
    return ROOT.parent / "shared" / "slack-conformance"


CHECKER_DIR = _find_checker()
CHECKER = CHECKER_DIR / "conformance.py"
# Where the checker is wrong, not the bot: (method, rule) → why. Keep this short, and tell the checker's owners.
CHECKER_GAPS = {
    ("apps.connections.open", "api.unknown_method"): (
        "Socket Mode's connection call (slack-sdk's SocketModeClient makes it with the app-level token) is a "
        "documented Web API method (https://api.slack.com/methods/apps.connections.open) that the checker's "
        "2020 method list lacks"
    ),
    # The weekly digest's chart (slack-sdk's files_upload_v2): Slack's current upload flow, which replaced
    # files.upload (retired). Documented at https://docs.slack.dev/reference/methods/files.getUploadURLExternal
    # and https://docs.slack.dev/reference/methods/files.completeUploadExternal; newer than the checker's list.
    ("files.getUploadURLExternal", "api.unknown_method"): (
        "files_upload_v2's first step (filename, length, alt_txt): a documented method the 2020 list lacks"
    ),
    ("files.completeUploadExternal", "api.unknown_method"): (
        "files_upload_v2's last step (files, channel_id, initial_comment): a documented method the 2020 list lacks"
    ),
}


def run_checker(record: Path) -> subprocess.CompletedProcess[str]:
    """The checker's verdict on one record (skips the test when the checker is not beside the checkout)."""
    if not CHECKER.is_file():
        pytest.skip(f"the Slack conformance checker is not at {CHECKER_DIR} (clone next to ../shared to run it)")
    return subprocess.run(
        [sys.executable, str(CHECKER), str(record), "--require-sdk", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def judge(result: subprocess.CompletedProcess[str], record: Path) -> str | None:
    """What is wrong with the checker's verdict on `record`, or None when Slack would accept all of it."""
    *violations, summary = result.stdout.strip().splitlines() or [""]
    real = [v for v in violations if not _checker_gap(v)]
    if real:
        return _explain(real, record)
    if not summary.startswith("conformance calls=") or "calls=0 " in summary:
        return f"the checker checked nothing: {result.stdout}{result.stderr}"
    if result.returncode != (1 if violations else 0):
        return f"the checker exited {result.returncode}: {result.stderr}"
    return None


def session_verdict() -> str:
    """The checker's verdict on everything this session sent to the fake Slack, as one line or a failure."""
    recorded = Path(os.environ.get(RECORD_ENV, ""))
    if not recorded.is_file() or recorded.stat().st_size == 0:
        return "not checked: no Slack traffic was recorded"
    if not CHECKER.is_file():
        return f"not checked: the Slack conformance checker is not at {CHECKER.parent} (clone next to ../shared)"
    keep = Path(tempfile.mkdtemp(prefix="supportbot-conformance-")) / "slack-traffic.jsonl"
    shutil.copyfile(recorded, keep)
    result = run_checker(keep)
    problem = judge(result, keep)
    if problem:
        return f"FAILED {problem}"
    shutil.rmtree(keep.parent)
    *excused, summary = result.stdout.strip().splitlines()
    return f"{summary}: {len(excused)} of them the checker's own gaps (CHECKER_GAPS), none by the bot"


def _checker_gap(violation: str) -> bool:
    """ "#12 apps.connections.open [api.unknown_method] …" → whether CHECKER_GAPS excuses it."""
    parts = violation.split(" ", 3)
    return len(parts) >= 3 and (parts[1], parts[2].strip("[]")) in CHECKER_GAPS


def _explain(violations: list[str], record: Path) -> str:
    """The checker's violations, each with the test that sent the call (from the record's `test` field)."""
    tests: dict[str, str] = {}
    for line in record.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        tests[str(entry.get("seq"))] = entry.get("test", "?")
    lines = []
    for violation in violations:
        seq = violation[1:].split(" ", 1)[0] if violation.startswith("#") else ""
        lines.append(violation + (f"\n    sent by {tests[seq]}" if seq in tests else ""))
    return f"Slack would not accept what the bot sent (record: {record}):\n" + "\n".join(lines)
